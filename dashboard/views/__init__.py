"""Server-rendered pages, one module per domain. Every page reads through the scoping rule in
``regions.scoping`` (directly or through a domain selector that uses it)."""
