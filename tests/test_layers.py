"""The layers: the domain apps import neither the faces (``api/``, ``dashboard/``) nor the demo's
generators (``demo/``) nor the load test (``loadtest/``), and the generators and benchmarks
live in those two, not in the domain apps. Read from the source, not from what happens to be
imported when the suite runs."""

import ast
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = (
    "regions",
    "accounts",
    "seniors",
    "facilities",
    "volunteers",
    "coverage",
    "audit",
    "backups",
)
ABOVE_THE_DOMAIN = {"api", "dashboard", "demo", "loadtest"}
# the generators' and benchmarks' commands, and where each lives
DEMO_COMMANDS = (
    "create_demo_accounts",
    "generate_villager_groups",
    "generate_population",
    "generate_facilities",
    "generate_volunteers",
)
BENCH_COMMANDS = ("bench_api", "bench_coverage", "bench_pages")
# module names that say "demo data or benchmark", wherever they would stand in a domain app
GENERATOR_MODULES = {"demo", "population", "synthetic", "bare"}


def modules_of(app: str) -> list[Path]:
    return sorted((ROOT / app).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The absolute modules a file imports (relative imports stay inside its own app)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_a_domain_app_imports_no_face_no_demo_and_no_load_test(app):
    assert modules_of(app), f"{app}/ has no modules: is the list of domain apps out of date?"
    wrong = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules_of(app)
        for name in imported(path)
        if name.split(".")[0] in ABOVE_THE_DOMAIN
    }
    assert not wrong, "a domain app imports a layer above it:\n" + "\n".join(sorted(wrong))


def test_every_app_of_ours_is_placed_in_a_layer(settings):
    """A new app of ours is either a domain app or a layer above them; this test's lists name it."""
    ours = {
        name
        for name in settings.INSTALLED_APPS
        if "." not in name and (ROOT / name / "apps.py").exists()
    }
    assert ours == set(DOMAIN_APPS) | ABOVE_THE_DOMAIN


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_a_domain_app_holds_no_generator_or_benchmark_module(app):
    found = [
        str(path.relative_to(ROOT))
        for path in modules_of(app)
        if path.stem in GENERATOR_MODULES
        or path.stem.startswith(("bench_", "generate_", "create_demo"))
    ]
    assert not found, f"demo data or benchmarks in {app}/ (they belong in demo/ or loadtest/)"


def test_the_bare_view_is_the_load_tests():
    assert not (ROOT / "eldercare" / "bare.py").exists()
    assert (ROOT / "loadtest" / "bare.py").exists()


def test_the_generator_commands_are_the_demos_and_the_benchmarks_the_load_tests():
    commands = get_commands()
    assert {name: commands.get(name) for name in DEMO_COMMANDS} == dict.fromkeys(
        DEMO_COMMANDS, "demo"
    )
    assert {name: commands.get(name) for name in BENCH_COMMANDS} == dict.fromkeys(
        BENCH_COMMANDS, "loadtest"
    )
    elsewhere = {
        name: app
        for name, app in commands.items()
        if app not in {"demo", "loadtest"} and name.startswith(("bench_", "generate_"))
    }
    assert not elsewhere


def test_the_import_reader_sees_every_kind_of_import(tmp_path):
    """The check above is only as good as ``imported``: absolute, dotted and ``from`` imports
    count, also inside a function; a relative import does not."""
    source = tmp_path / "sample.py"
    source.write_text(
        "import api.urls\n"
        "from dashboard import views\n"
        "from . import models\n"
        "def later():\n"
        "    from demo.population import population_generate\n",
        encoding="utf-8",
    )
    assert imported(source) == {"api.urls", "dashboard", "demo.population"}


# Imports inside a function, each with why it cannot stand at the top of its module. Any other
# belongs at the top, where a reader looks for what a module depends on.
LOCAL_IMPORTS = {
    # Django's idiom: signal handlers and checks are connected once the app registry is ready
    ("accounts/apps.py", "accounts"): "ready()",
    ("coverage/apps.py", "coverage"): "ready()",
    ("seniors/apps.py", "seniors"): "ready()",
    ("coverage/signals.py", "coverage"): "connected from ready(): every app's models",
    ("coverage/signals.py", "coverage.models"): "connected from ready()",
    ("coverage/signals.py", "facilities"): "connected from ready()",
    ("coverage/signals.py", "regions.models"): "connected from ready()",
    ("coverage/signals.py", "seniors"): "connected from ready()",
    ("coverage/signals.py", "volunteers"): "connected from ready()",
    ("accounts/backends.py", "django.contrib.auth"): "the user model, once the registry is ready",
    ("eldercare/celery.py", "eldercare.startup"): "the Celery app loads before Django's settings",
    # cycles: the task module imports the service that queues it
    ("coverage/services.py", "coverage.tasks"): "coverage.tasks imports coverage.services",
    ("coverage/fanout.py", "coverage.tasks"): "coverage.tasks imports coverage.fanout",
    ("seniors/importing.py", "seniors.tasks"): "seniors.tasks imports seniors.importing",
    ("coverage/definitions.py", "coverage.models"): "coverage.models imports the definitions",
    # the browser fixture: Playwright only where a browser test runs; tests.browser imports
    # the cast's password from tests.conftest
    ("tests/conftest.py", "playwright.sync_api"): "only where a browser test runs",
    ("tests/conftest.py", "tests.browser"): "tests.browser imports tests.conftest",
}
# scripts that set Django up themselves before they may import a model
SCRIPTS = ("loadtest/", "manage.py")


def local_imports() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        top = relative.split("/")[0]
        if top in {".venv", "node_modules"} or "/migrations/" in relative:
            continue
        if relative.startswith(SCRIPTS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    found.add((relative, node.module))
                elif isinstance(node, ast.Import):
                    found.update((relative, alias.name) for alias in node.names)
    return found


def test_imports_inside_functions_are_only_those_that_must_be():
    unexplained = sorted(local_imports() - set(LOCAL_IMPORTS))
    assert not unexplained, f"move to the top of the module, or say why not: {unexplained}"
    stale = sorted(set(LOCAL_IMPORTS) - local_imports())
    assert not stale, f"listed but no longer inside a function: {stale}"
