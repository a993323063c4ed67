"""The demo: accounts, population, facility network, volunteers and time bank, villager groups,
and the synthetic province of the coverage benchmark.

Generators only: they write through the domain apps' models and services, and no domain app
imports them. The commands keep their names (``create_demo_accounts``, ``generate_population``,
``generate_facilities``, ``generate_volunteers``, ``generate_villager_groups``; ``scripts/demo``
runs them in that order).
"""
