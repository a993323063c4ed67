"""The two markers that may skip, and only where the pass allows it: ``services`` off the
PostgreSQL-and-Redis pass unless ``REQUIRE_SERVICES=1`` (then collection fails), ``browser``
without Chromium unless ``REQUIRE_BROWSER=1`` (then collection fails). Nothing else in the
suite skips: a missing translation or a failing import is a failure."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import conftest as root


class Item:
    """As much of a collected test as the collection hook reads."""

    def __init__(self, *markers, folders=()):
        self.markers = set(markers)
        # pytest's keywords hold the markers and every folder name on the test's path
        self.keywords = dict.fromkeys([*markers, *folders], True)
        self.added = []

    def get_closest_marker(self, name):
        return SimpleNamespace(name=name) if name in self.markers else None

    def add_marker(self, marker):
        self.added.append(marker)

    @property
    def skipped(self):
        return any(m.name == "skip" for m in self.added)


@pytest.fixture
def embedded(settings, monkeypatch, tmp_path):
    """The embedded default's pass (eager Celery), with Chromium present."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    chromium = tmp_path / "chromium"
    chromium.touch()
    monkeypatch.setattr(root, "CHROMIUM", str(chromium))
    monkeypatch.delenv("REQUIRE_SERVICES", raising=False)
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)


def collect(*items):
    root.pytest_collection_modifyitems(None, list(items))
    return items


def test_services_tests_skip_on_the_embedded_default_and_the_others_run(embedded):
    services, plain, browser = collect(Item("services"), Item(), Item("browser"))
    assert services.skipped
    assert not plain.skipped and not browser.skipped


def test_a_checkout_in_a_folder_named_like_a_marker_skips_nothing(embedded, monkeypatch, tmp_path):
    monkeypatch.setattr(root, "CHROMIUM", str(tmp_path / "no-chromium"))
    plain, marked = collect(Item(folders=("services", "browser")), Item("services"))
    assert not plain.skipped
    assert marked.skipped


def test_required_services_that_are_missing_fail_the_collection(embedded, monkeypatch):
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.UsageError, match="REQUIRE_SERVICES=1"):
        collect(Item("services"))


def test_browser_tests_skip_without_chromium_unless_required(embedded, monkeypatch, tmp_path):
    monkeypatch.setattr(root, "CHROMIUM", str(tmp_path / "no-chromium"))
    (browser,) = collect(Item("browser"))
    assert browser.skipped

    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.UsageError, match="REQUIRE_BROWSER=1"):
        collect(Item("browser"))


def test_no_test_skips_by_itself():
    """Skips are the two markers' business: a test that skips itself (a missing translation,
    an import that failed) hides what it should report. The exceptions: the tools a
    ``services`` test needs (a failure under ``REQUIRE_SERVICES=1``), the eager check that
    the broker pass covers with a real worker, and the refusal that only other databases give."""
    allowed = {
        "test_pg_dump_restore.py": 1,  # pg_dump missing: fails under REQUIRE_SERVICES=1
        "test_celery_roundtrip.py": 1,  # a broker is configured: the worker test covers it
        "test_bench_coverage.py": 1,  # the refusal on a database other than PostgreSQL
    }
    pattern = re.compile(r"pytest\.skip\(|\.skipif\(|importorskip\(|except ImportError")
    here = Path(__file__).resolve().parent
    found = {}
    for path in sorted([*here.glob("*.py"), here.parent / "conftest.py"]):
        if path.name == Path(__file__).name:
            continue
        hits = len(pattern.findall(path.read_text(encoding="utf-8")))
        if hits:
            found[path.name] = hits
    assert found == allowed
