"""The pages in a real browser (Debian's Chromium driven by Playwright): a township clerk on a
phone logs in and registers a person; the bureau opens the facilities on an office PC.
Screenshots are kept in artifacts/screenshots/ for people to look at."""

import os
from pathlib import Path

import pytest

from facilities.models import Facility
from seniors.models import Senior
from tests import factories as f
from tests.conftest import PASSWORD, WANG_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the live server's database
    # work happens in its own thread, the test's own queries here are plain synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def log_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_clerk_registers_a_person_on_a_phone(browser, live_server, staff_baima, zhang, today):
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    log_in(page, live_server.url, "staff-baima")

    page.goto(f"{live_server.url}/seniors/")
    assert page.locator("h1").inner_text() == "老年人台账"
    assert "张大爷" in page.inner_text("table")
    assert fits_the_screen(page), "the ledger must not scroll sideways on a phone"
    shot(page, "ledger-phone")

    page.click("text=登记老年人")
    page.fill("#id_id_number", WANG_ID)
    page.fill("#id_name", "王大爷")
    page.select_option("#id_village", "500156101201")
    page.select_option("#id_living_situation", "alone")
    with page.expect_navigation():
        page.click("main button[type=submit]")

    assert "王大爷 已登记。" in page.inner_text("main")
    assert "1930-01-15" in page.inner_text("main")
    assert fits_the_screen(page)
    shot(page, "senior-phone")
    assert Senior.objects.filter(id_number=WANG_ID, name="王大爷").count() == 1

    # the same person again: the form says where they are registered, nothing is added
    page.goto(f"{live_server.url}/seniors/new/")
    page.fill("#id_id_number", WANG_ID)
    page.fill("#id_name", "王大爷")
    page.select_option("#id_village", "500156101201")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "此人已在白马镇板桥村登记，未重复建档。" in page.inner_text("main")
    assert Senior.objects.filter(id_number=WANG_ID).count() == 1


def test_the_bureau_opens_a_facility_on_a_pc(browser, live_server, bureau, regions, today):
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    f.beds(home, 4)
    f.staff(home, 2)
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    log_in(page, live_server.url, "bureau")

    page.goto(f"{live_server.url}/facilities/")
    page.click("text=白马镇敬老院")
    main = page.inner_text("main")
    assert "白马镇敬老院" in page.locator("h1").inner_text()
    assert "床位" in main and "工作人员" in main
    shot(page, "facility-desktop")
    assert Facility.objects.count() == 1
