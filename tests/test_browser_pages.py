"""The pages in a real browser (Debian's Chromium driven by Playwright): a township clerk on a
phone logs in and registers a person; the bureau opens the facilities on an office PC.
Screenshots are kept in artifacts/screenshots/ for people to look at."""

import pytest

from facilities.models import Facility
from seniors.models import Senior
from tests import factories as f
from tests.browser import DESKTOP, PHONE, fits_the_screen, log_in, shot
from tests.conftest import WANG_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_registers_a_person_on_a_phone(browser, server, staff_baima, zhang, today):
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    log_in(page, server.url, "staff-baima")

    page.goto(f"{server.url}/seniors/")
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
    page.goto(f"{server.url}/seniors/new/")
    page.fill("#id_id_number", WANG_ID)
    page.fill("#id_name", "王大爷")
    page.select_option("#id_village", "500156101201")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "此人已在白马镇板桥村登记，未重复建档。" in page.inner_text("main")
    assert Senior.objects.filter(id_number=WANG_ID).count() == 1


def test_the_bureau_opens_a_facility_on_a_pc(browser, server, bureau, regions, today):
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    f.beds(home, 4)
    f.staff(home, 2)
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    log_in(page, server.url, "bureau")

    page.goto(f"{server.url}/facilities/")
    page.click("text=白马镇敬老院")
    main = page.inner_text("main")
    assert "白马镇敬老院" in page.locator("h1").inner_text()
    assert "床位" in main and "工作人员" in main
    shot(page, "facility-desktop")
    assert Facility.objects.count() == 1
