"""Test-only settings: a fast password hasher. The static files are production's: the
manifest storage (hashed names, DEBUG off), collected once per session into a temporary
STATIC_ROOT that whitenoise serves from, as the Docker image does."""

import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

STATIC_ROOT = Path(tempfile.mkdtemp(prefix="eldercare-static-"))


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STATIC_ROOT = str(STATIC_ROOT)


def pytest_unconfigure(config):
    shutil.rmtree(STATIC_ROOT, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """``collectstatic`` into the session's STATIC_ROOT with the storage and the files the
    Docker image collects (eldercare/staticfiles.py), so that a page naming a file the
    manifest lacks fails here as it would in production. Compression (gzip and brotli of each
    file, minutes on the big bundles) changes no name and is left out."""
    with mock.patch.object(CompressedManifestStaticFilesStorage, "compress_files", return_value=[]):
        call_command("collectstatic", interactive=False, verbosity=0)
    return STATIC_ROOT


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
