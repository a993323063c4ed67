"""The README describes this repository: every route the API's router registers, every
variable the settings read from the environment and every top-level folder is named in it, and
the documents it cites are in ``docs/``."""

import re
import subprocess
from pathlib import Path

from api.urls import router

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_route_of_the_api_router_is_named():
    section = README.split("### API", 1)[1].split("\n### ", 1)[0]
    named = " ".join(re.findall(r"`([^`]*)`", section))
    missing = [prefix for prefix, _viewset, _name in router.registry if f"{prefix}/" not in named]
    assert missing == []


def test_every_setting_read_from_the_environment_is_in_the_settings_table():
    source = (ROOT / "eldercare" / "settings.py").read_text(encoding="utf-8")
    read = set(
        re.findall(r'os\.environ(?:\.get\(|\[)"([A-Z][A-Z0-9_]*)"', source)
        + re.findall(r'env_(?:bool|list)\("([A-Z][A-Z0-9_]*)"', source)
    )
    assert {"DATABASE_URL", "SECRET_KEY", "DEBUG"} <= read  # the pattern finds them
    table = "\n".join(line for line in README.splitlines() if line.startswith("| `"))
    assert sorted(name for name in read if f"`{name}`" not in table) == []


def test_every_top_level_folder_is_in_the_folder_table():
    """The folders of the repository (what git tracks; every folder but the generated ones
    where there is no git)."""
    try:
        tracked = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()
        folders = sorted({path.split("/", 1)[0] for path in tracked if "/" in path})
    except (OSError, subprocess.CalledProcessError):
        generated = {"var", "node_modules", "artifacts", "staticfiles", "htmlcov"}
        folders = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in generated)
    folders = [name for name in folders if not name.startswith((".", "_"))]
    assert "coverage" in folders
    section = README.split("## What is where", 1)[1].split("\n## ", 1)[0]
    assert [name for name in folders if f"`{name}/`" not in section] == []


def test_the_documents_it_cites_are_in_the_repository():
    cited = set(re.findall(r"`((?:docs/)?[a-z0-9-]+\.md)`", README))
    assert "docs/api.md" in cited
    missing = [
        name for name in cited if not (ROOT / name).exists() and not (ROOT / "docs" / name).exists()
    ]
    assert missing == []


def test_no_code_cites_a_tracker_number():
    """Comments and docstrings say what the code does or why, not which issue asked for it."""
    cited = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ROOT.iterdir()
        if folder.is_dir()
        and not folder.name.startswith(".")
        and folder.name not in {"var", "node_modules", "staticfiles", "artifacts"}
        for path in folder.rglob("*")
        if path.suffix in {".py", ".html", ".js", ".sh"} and path.is_file()
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        )
        if re.search(r"\bissue \d+|\(issue #?\d+", line, re.IGNORECASE)
    ]
    assert cited == []
