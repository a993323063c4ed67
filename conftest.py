"""Test-only settings: a fast password hasher, and plain static storage (no manifest to build)."""

import os

import pytest
from django.conf import settings


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config, items):
    """Tests marked ``services`` need PostgreSQL and a Redis broker. On the embedded default
    they are skipped; CI's second pass sets ``REQUIRE_SERVICES=1`` so that they can never be
    skipped silently there."""
    _mark_browser_tests(config, items)
    on_services = (
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        and not settings.CELERY_TASK_ALWAYS_EAGER
    )
    if on_services:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise pytest.UsageError(
            "REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL or CELERY_BROKER_URL is unset"
        )
    skip = pytest.mark.skip(reason="needs PostgreSQL and a Redis broker (CI's second pass)")
    for item in items:
        # the marker itself, not the keywords: a keyword is also any folder name on the path,
        # and a checkout in a folder named "services" would skip every test
        if item.get_closest_marker("services"):
            item.add_marker(skip)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _mark_browser_tests(config, items):
    """Tests marked ``browser`` drive Debian's Chromium; where it is not installed they are
    skipped, except in CI (``REQUIRE_BROWSER=1``), which installs it and must run them."""
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)
