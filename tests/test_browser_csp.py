"""The content security policy holds on every kind of page: no script, style, font or image
is refused by the browser (Debian's Chromium), the charts and the API docs included."""

import pytest

from coverage.compute import compute
from tests import factories as f
from tests.browser import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = (
    "/",
    "/coverage/500156000000/",
    "/coverage/500156000000/trends/",
    "/coverage/500156000000/screen/",
    "/coverage/500156000000/gaps/",
    "/seniors/",
    "/facilities/",
    "/pairings/",
    "/claims/",
    "/audit/",
    "/api/v1/docs/",
    "/admin/",
)


def test_the_pages_pass_the_content_security_policy(
    browser, server, plan_rows, bureau, zhang, today
):
    f.FacilityFactory(kind="mutual_aid_point", region=zhang.village)
    compute(today)
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    log_in(page, server.url, "bureau")
    for path in PAGES:
        response = page.goto(server.url + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    page.goto(f"{server.url}/seniors/{zhang.pk}/")
    assert refused == []
