"""The first page of the village assistant (on a phone) and of the township clerk (in the office)
in Chromium: the to-do cards fit the screen, every control is reachable, tap targets on the
phone are at least 44 px, and one tap on an item leads to its action. Screenshots go to
artifacts/screenshots/."""

import datetime
import zoneinfo

import pytest

from tests import factories as f
from tests.browser import assert_usable, new_screen, open_page, shot
from volunteers.claims import claim_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def work(regions, volunteer, zhang, today):
    """张大爷 of 板桥, paired weekly with 李志愿 and last visited 11-19: overdue on 11-29; a
    claim of 李志愿's waits for the assistant; a home of 白马 was never quality-checked."""
    helper = f.VolunteerFactory(village=regions["banqiao"], user=volunteer, name="李志愿")
    f.PairingFactory(
        helper=helper, senior=zhang, mode="one_to_one", visit_interval_days=7,
        started_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    f.VisitFactory(senior=zhang, visited_at=datetime.datetime(2026, 11, 19, 9, tzinfo=WULONG))
    start = datetime.datetime(2026, 11, 28, 9, tzinfo=WULONG)
    claim_submit(
        by=volunteer, volunteer=helper, senior=zhang, service_type="meals", started_at=start,
        ended_at=start + datetime.timedelta(hours=1),
    )  # fmt: skip
    f.FacilityFactory(region=regions["baima"], name="白马敬老院")
    return zhang


@pytest.mark.parametrize("size", ["phone", "office"])
def test_the_assistant_starts_from_the_to_do_list(browser, server, assistant_baima, work, size):
    context = new_screen(browser, size)
    page = open_page(context, server.url, "assistant-baima")

    assert "今日待办" in page.inner_text("h1")
    assert page.inner_text("#todo-claims .count") == "1"
    assert page.inner_text("#todo-visits .count") == "1"
    assert "张大爷 · 李志愿" in page.inner_text("#todo-visits")
    assert_usable(page, size)
    shot(page, f"todo-assistant-{size}")

    page.click("#todo-visits li a")  # one tap from the overdue visit to its form
    page.wait_for_url(f"**/seniors/{work.pk}/visits/new/")
    context.close()


@pytest.mark.parametrize("size", ["office", "wall", "phone"])
def test_the_clerk_starts_from_the_townships_morning_page(browser, server, staff_baima, work, size):
    if size == "wall":
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    else:
        context = new_screen(browser, size)
    page = open_page(context, server.url, "staff-baima")

    titles = page.locator(".todo-item h2 a").all_inner_texts()
    assert titles[:2] == ["本周应探访（结对扶老）", "待您审核的服务记录"]
    assert "应做年度服务质量检查的机构" in titles
    assert "白马敬老院" in page.inner_text("#todo-quality")
    assert_usable(page, "phone" if size == "phone" else "office")
    if size != "phone":  # the whole morning in one screen on the office PC and the wall
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= (900 if size == "office" else 1080) + 80, height
    shot(page, f"todo-clerk-{size}")
    context.close()
