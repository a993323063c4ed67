"""The site the browser tests and the API fuzz talk to (tests/served.py): on PostgreSQL it is
gunicorn with production's settings, answering as production does; the tests reach it only
through the ``server`` fixture."""

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.templatetags.static import static

from tests.served import ON_POSTGRESQL, Gunicorn, InProcess

HERE = Path(__file__).resolve().parent


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_browser_tests_and_the_fuzz_reach_the_site_through_server():
    modules = [*sorted(HERE.glob("test_browser_*.py")), HERE / "test_api_fuzz.py"]
    assert len(modules) > 5
    for path in modules:
        source = path.read_text(encoding="utf-8")
        assert "live_server" not in source, path.name
        assert re.search(r"\bserver\b", source), path.name


@pytest.mark.django_db(transaction=True)
def test_the_served_site_answers_as_production(server, served_site):
    assert isinstance(served_site, Gunicorn if ON_POSTGRESQL else InProcess)
    if ON_POSTGRESQL:
        assert served_site.process.poll() is None
        env = served_site.environment()
        assert env["DEBUG"] == "0" and env["STATIC_ROOT"] == str(served_site.static_root)

    assert fetch(f"{server.url}/healthz")[0] == 200
    # DEBUG off: the site's own 404 page, not Django's technical one
    status, _headers, body = fetch(f"{server.url}/no-such-page/")
    assert status == 404
    assert b"URLconf" not in body
    # the pages' hashed static names, served by whitenoise from the collected files
    status, headers, body = fetch(server.url + static("css/site.css"))
    assert status == 200 and body
    assert "immutable" in headers["Cache-Control"]
    # the unhashed name is not served for ever: it may change with the next release
    status, headers, _body = fetch(f"{server.url}/static/css/site.css")
    assert status == 200 and "immutable" not in headers.get("Cache-Control", "")
