"""The coverage dashboard in a real browser (Debian's Chromium, Playwright): the bureau reads
every tile, drills down to 白马镇 and a village, downloads the Excel file and finds the page's
numbers in it; 白马镇's staff see only 白马镇. Screenshots of the overview and the big screen
are kept in artifacts/screenshots/."""

import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coverage.compute import compute
from coverage.models import Indicator, Snapshot
from tests import factories as f
from tests.browser import DESKTOP, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2026, 11, 29)
DISTRICT, BAIMA, BANQIAO = "500156000000", "500156101000", "500156101201"


@pytest.fixture
def world(plan_rows, regions, bureau, staff_baima, today):
    f.FacilityFactory(kind="mutual_aid_point", region=regions["banqiao"], name="板桥互助点")
    f.ElderlyCareAssistantFactory(
        village=regions["banqiao"], name="王助理", started_on=datetime.date(2022, 1, 1)
    )
    young = datetime.date(1955, 1, 1)
    f.SeniorFactory(village=regions["banqiao"], born=young,
                    family_doctor_contract_on=datetime.date(2026, 5, 1))  # fmt: skip
    f.SeniorFactory(village=regions["banqiao"], born=young)
    f.SeniorFactory(village=regions["wenfeng"], born=young)
    compute(datetime.date(2026, 10, 31))
    compute(DAY)
    return regions


def tiles_on_the_page(page) -> dict[str, str]:
    return {
        node.get_attribute("data-indicator"): node.get_attribute("data-value")
        for node in page.query_selector_all("article.tile")
    }


def test_the_bureau_reads_drills_down_and_downloads(browser, server, world):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    log_in(page, server.url, "bureau")
    page.click("header a[href='/coverage/']")
    page.wait_for_url(f"**/coverage/{DISTRICT}/")
    # every indicator's tile shows the value of the district's snapshot of the day
    expected = {
        code: "" if value is None else str(value)
        for code, value in Snapshot.objects.filter(region_id=DISTRICT, date=DAY).values_list(
            "indicator__code", "value"
        )
    }
    shown = tiles_on_the_page(page)
    assert len(shown) == Indicator.objects.count() == 36
    assert shown == expected
    doctor = page.inner_text("article[data-indicator=family_doctor_signed]")
    assert "33.3 %" in doctor and "1 / 3" in doctor  # one of the three seniors
    shot(page, "coverage-overview")

    # the Excel file carries the same numbers
    with page.expect_download() as download:
        page.click("a[data-export=overview]")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    names = dict(Indicator.objects.values_list("name", "code"))
    in_excel = {
        names[row[1]]: row[3]
        for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)
        if row[1] in names
    }
    assert {code: (None if v == "" else float(v)) for code, v in shown.items()} == in_excel

    # drill down: 白马镇, then 板桥村
    page.click(f"tr[data-region='{BAIMA}'] a")
    page.wait_for_url(f"**/coverage/{BAIMA}/**")
    assert "白马镇" in page.inner_text("h1")
    assert "1 / 2" in page.inner_text("article[data-indicator=family_doctor_signed]")
    page.click(f"tr[data-region='{BANQIAO}'] a")
    page.wait_for_url(f"**/coverage/{BANQIAO}/**")
    body = page.inner_text("main")
    assert "板桥互助点" in body and "王助理" in body

    # the trend charts are drawn by ECharts from the local static files
    page.goto(f"{server.url}/coverage/{DISTRICT}/trends/")
    page.wait_for_selector("[data-chart=family_doctor_signed] svg")
    big = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    big.context.add_cookies(page.context.cookies())
    big.goto(f"{server.url}/coverage/{DISTRICT}/screen/")
    big.wait_for_selector(".ranking li")
    shot(big, "coverage-big-screen-small-world")


def test_township_staff_see_only_their_township(browser, server, world):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    log_in(page, server.url, "staff-baima")
    page.goto(f"{server.url}/coverage/")
    page.wait_for_url(f"**/coverage/{BAIMA}/")
    assert "白马镇" in page.inner_text("h1")
    assert page.query_selector(f"a[href^='/coverage/{DISTRICT}/']") is None
    response = page.goto(f"{server.url}/coverage/{DISTRICT}/")
    assert response.status == 404
    response = page.goto(f"{server.url}/coverage/500156208000/")
    assert response.status == 404
