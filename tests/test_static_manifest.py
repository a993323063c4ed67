"""The static files as production serves them: the manifest storage (hashed names, DEBUG
off), collected by ``collectstatic`` (the session's STATIC_ROOT, conftest.py) and served by
whitenoise. A name the manifest lacks is a 500 there, not a plain URL as with the plain storage;
so every name the templates and the code ask for must be in it, and the service worker must
precache files that exist."""

import ast
import json
import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.urls import reverse

from dashboard.views import me

ROOT = Path(__file__).resolve().parent.parent
OURS = ("accounts", "api", "audit", "coverage", "dashboard", "demo", "eldercare", "facilities",
        "loadtest", "regions", "seniors", "volunteers", "backups")  # fmt: skip
STATIC_TAG = re.compile(r"{%\s*static\s+(.*?)\s*%}")


def service_worker_config(body: str) -> dict:
    first_line = body.split("\n", 1)[0]
    assert first_line.startswith("const ME = ") and first_line.endswith(";")
    return json.loads(first_line.removeprefix("const ME = ").removesuffix(";"))


@pytest.mark.django_db
def test_the_service_worker_answers_and_precaches_files_that_are_served(client, volunteer, helper):
    client.force_login(volunteer)

    response = client.get(reverse("dashboard:me_sw"))

    assert response.status_code == 200
    config = service_worker_config(response.content.decode())
    assert config["staticPrefix"] == "/static/"
    assert config["scope"] == "/me/"
    for name, url in zip(me.ASSETS, config["assets"], strict=True):
        # the hashed name the pages load, and whitenoise serves that file, cached for good
        assert url == "/static/" + staticfiles_storage.stored_name(name)
        assert url != f"/static/{name}"
        served = client.get(url)
        assert served.status_code == 200, url
        assert b"".join(served.streaming_content) == Path(finders.find(name)).read_bytes()
        assert "immutable" in served["Cache-Control"]
    for url in config["pages"]:
        assert client.get(url).status_code == 200, url


def template_files() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in OURS)]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.html"))


def test_every_static_tag_names_a_collected_file():
    """A literal, non-empty name the manifest holds: a computed or empty one cannot be checked
    before a page meets it in production."""
    wrong = {}
    tags = 0
    for path in template_files():
        for argument in STATIC_TAG.findall(path.read_text(encoding="utf-8")):
            tags += 1
            words = shlex.split(argument)
            name = words[0] if words and argument[0] in "'\"" else None
            if len(words) not in (1, 3) or not name:  # {% static 'x' %} or {% ... as var %}
                wrong[f"{path.relative_to(ROOT)}: {argument}"] = "not a literal name"
            elif name not in staticfiles_storage.hashed_files:
                wrong[f"{path.relative_to(ROOT)}: {name}"] = "not in the manifest"
    assert tags > 10
    assert wrong == {}


def static_calls() -> dict[str, list[ast.expr]]:
    """Every call of ``static(...)`` (django.templatetags.static) in our code, by file."""
    found = {}
    for app in OURS:
        for path in sorted((ROOT / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            calls = [
                node.args[0] if node.args else None
                for node in ast.walk(tree)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "static"
            ]
            if calls:
                found[str(path.relative_to(ROOT))] = calls
    return found


def test_every_static_call_names_a_collected_file():
    """Literal names in the manifest; the one computed name, the service worker's assets, is
    taken from a list of names that are all in it."""
    calls = static_calls()
    assert set(calls) == {"dashboard/views/me.py"}
    (argument,) = calls["dashboard/views/me.py"]
    assert isinstance(argument, ast.Name) and argument.id == "name"  # for name in ASSETS
    for name in me.ASSETS:
        assert name in staticfiles_storage.hashed_files
        assert static(name) != settings.STATIC_URL + name


def test_the_docker_image_collects_what_the_tests_collect():
    """The image runs plain ``collectstatic``: which files it leaves out is the staticfiles app's
    ``ignore_patterns`` (eldercare/staticfiles.py), the list the tests' collection used. A
    ``--ignore '*.map'`` there failed the build: the manifest storage follows every script's
    ``sourceMappingURL``."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    runs = re.findall(r"manage\.py collectstatic([^&\n\\]*)", dockerfile)
    assert [run.split() for run in runs] == [["--noinput"]]
    collected = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())
    assert "vendor/echarts/echarts.min.js" in collected["paths"]
    maps = [name for name in collected["paths"] if name.endswith(".map")]
    assert "vendor/echarts/echarts.js.map" not in maps  # the unused builds stay out
