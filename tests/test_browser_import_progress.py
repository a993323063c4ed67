"""The preview of a long Excel file follows its task in the browser: the page's own script
(no inline script: the content security policy allows files only) polls the progress, moves
the bar, and shows the result when the task is done."""

import uuid

import pytest
from playwright.sync_api import expect

from seniors.models import ImportStatus, SeniorImport
from tests import factories as f
from tests.browser import DESKTOP, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_preview_follows_a_long_import_and_shows_the_result(
    browser, server, staff_baima, regions
):
    senior_import = f.SeniorImportFactory(
        id=uuid.uuid4(),
        created_by=staff_baima,
        region=regions["baima"],
        file_name="名单.xlsx",
        content=b"PK",
        status=ImportStatus.CHECKING,
        progress=40,
    )
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, server.url, staff_baima.username)
    page.goto(f"{server.url}/seniors/import/{senior_import.pk}/")
    assert page.locator("progress").get_attribute("value") == "40"
    assert "正在检查" in page.inner_text("main")

    # the task moves on: the bar follows without reloading the page
    SeniorImport.objects.filter(pk=senior_import.pk).update(progress=75)
    expect(page.locator("[data-progress-label]")).to_have_text("75 %", timeout=10_000)
    assert page.locator("progress").evaluate("bar => bar.value") == 75
    shot(page, "import-progress")

    # the check ends: the page shows the result by itself
    SeniorImport.objects.filter(pk=senior_import.pk).update(
        status=ImportStatus.REFUSED,
        progress=100,
        content=None,
        errors=[{"row": 2, "column": "身份证号", "message": "身份证号校验码不正确。"}],
    )
    page.wait_for_selector(".import-errors", timeout=10_000)
    assert page.locator("progress").count() == 0
    assert "第 2 行，“身份证号”列：身份证号校验码不正确。" in page.inner_text(".import-errors")
    assert refused == []
