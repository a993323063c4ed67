"""The people's screens in Chromium at the sizes they are used at: the assistant's claim review
on a phone (390x844) and an office PC (1440x900), the volunteer's pages on a phone (and a PC),
a double tap on 提交, a claim queued twice by an older page, and a page never opened before
opening without a signal. Every page is checked for controls outside the window and, on the
phone, for tap targets under 44 px (tests/browser.py); screenshots go to
artifacts/screenshots/."""

import datetime
import json
import uuid
import zoneinfo
from decimal import Decimal

import pytest

from tests import factories as f
from tests.browser import assert_usable, log_in, new_screen, open_page, shot
from tests.helpers import submit_claim as submitted
from tests.test_browser_volunteer_offline import (
    back_online,
    go_offline,
    queued_on_the_phone,
    wait_for_the_service_worker,
)
from volunteers import ledger, spending
from volunteers.claims import claim_verify
from volunteers.models import ServiceLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")
ME_PAGES = ("/me/", "/me/claims/new/", "/me/claims/", "/me/statement/")
SEND = "#me-claim-form button[type=submit]"


@pytest.fixture
def helper(helper, zhang):
    """李志愿 of 板桥村 (the ``volunteer`` login), paired one-to-one with 张大爷, a visit a week
    since 2026-01-01."""
    f.PairingFactory(helper=helper, senior=zhang, started_on=datetime.date(2026, 1, 1))
    return helper


def inside(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def background(locator) -> str:
    return locator.evaluate("(e) => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize("size", ["phone", "office"])
def test_the_assistant_decides_claims_with_every_control_on_the_screen(
    browser, server, assistant_baima, volunteer, helper, zhang, today, size
):
    first = submitted(volunteer, helper, zhang, 27, 9, 1, notes="送午饭，顺便量了血压")
    second = submitted(volunteer, helper, zhang, 28, 9, 1.5)
    context = new_screen(browser, size)
    page = open_page(context, server.url, "assistant-baima")

    page.goto(f"{server.url}/claims/")
    shot(page, f"claims-{size}")
    assert_usable(page, size)
    row = page.locator(f"#claim-{first.pk}")
    verify = row.get_by_role("button", name="通过")
    reason = row.get_by_placeholder("原因")
    reject = row.get_by_role("button", name="驳回")
    assert all(inside(page, c) for c in (verify, reason, reject))
    # the button that takes hours away is red, the one that credits them green
    assert background(reject) == "rgb(180, 35, 24)"
    assert background(verify) == "rgb(11, 110, 79)"
    if size == "office":  # 通过 keeps its size, 原因 and 驳回 beside it in the row
        assert verify.bounding_box()["width"] < 120
        assert verify.bounding_box()["y"] == reject.bounding_box()["y"]

    reason.fill("老人不在家")
    with page.expect_navigation():
        reject.click()
    assert "已驳回。" in page.inner_text("main")
    with page.expect_navigation():
        page.locator(f"#claim-{second.pk}").get_by_role("button", name="通过").click()
    assert "已审核通过，时长已记入账户。" in page.inner_text("main")
    shot(page, f"claims-decided-{size}")
    page.goto(f"{server.url}/claims/paper/")
    shot(page, f"claims-paper-{size}")
    assert_usable(page, size)
    assert dict(ServiceLog.objects.values_list("pk", "status")) == {
        first.pk: "rejected",
        second.pk: "verified",
    }
    context.close()


@pytest.mark.parametrize("size", ["phone", "office"])
def test_the_volunteers_pages_fit_and_the_header_is_one_line(
    browser, server, volunteer, helper, zhang, assistant_baima, today, size
):
    claim_verify(by=assistant_baima, claim=submitted(volunteer, helper, zhang, 27, 9, 3))
    spending.timebank_transfer(
        by=volunteer, from_account=ledger.account_for(helper),
        to_account=ledger.system_account("fund"), hours=Decimal("1"),
    )  # fmt: skip
    submitted(volunteer, helper, zhang, 28, 9, 1.5)
    context = new_screen(browser, size)
    page = open_page(context, server.url, "volunteer-demo")

    for path in ME_PAGES:
        page.goto(f"{server.url}{path}")
        shot(page, f"volunteer{path.replace('/', '-').rstrip('-')}-{size}")
        assert_usable(page, size)
        header = page.locator("header.site")
        assert "我的辖区" not in header.inner_text() and "接口" not in header.inner_text()
        if size == "phone":
            assert header.bounding_box()["height"] <= 50, "one line of 44 px controls"

    page.goto(f"{server.url}/me/")
    assert page.inner_text("#me-balance") == "2.0"  # 3 h earned, 1 h given to the fund
    assert "另有 1.5 小时待审核" in page.inner_text(".me-balance")
    page.goto(f"{server.url}/me/statement/")
    assert page.locator("#me-entries li").all_inner_texts()[0].startswith("捐入基金\n")
    assert "超出存储上限" not in page.inner_text("#me-entries")
    context.close()


def test_a_double_tap_on_send_makes_one_claim_and_says_it_was_sent(
    browser, server, volunteer, helper, zhang, today
):
    context = new_screen(browser, "phone")
    page = open_page(context, server.url, "volunteer-demo", "/me/claims/new/")
    # the form starts with a service of 1 hour that has just ended (09:00, now being 10:00)
    assert page.input_value("#id_started_at") == "2026-11-29T09:00"
    assert page.input_value("#id_duration") == "60"
    page.select_option("#id_service_type", "companionship")

    page.dblclick(SEND)
    page.wait_for_selector("#me-status.me-ok")
    # and once more, a moment later, with the same content: the same claim, not a refusal
    page.click(SEND)
    page.wait_for_selector("#me-status.me-ok")
    page.wait_for_timeout(500)

    assert ServiceLog.objects.count() == 1
    claim = ServiceLog.objects.get()
    assert (claim.started_at, claim.hours) == (
        datetime.datetime(2026, 11, 29, 9, tzinfo=WULONG),
        1,
    )
    status = page.locator("#me-status")
    assert status.inner_text() == "申报已发送，等待审核。"
    # the answer is where the eye is: just under the button
    button_box = page.locator(SEND).bounding_box()
    status_box = status.bounding_box()
    assert 0 <= status_box["y"] - (button_box["y"] + button_box["height"]) <= 24
    # the new claim is in the list without a reload, once
    assert page.locator(f"#me-claims li[data-id='{claim.pk}']").count() == 1
    assert "张大爷" in page.inner_text("#me-claims")
    assert page.locator(".me-error").count() == 0
    shot(page, "volunteer-double-tap-phone")
    context.close()


def test_a_double_tap_without_signal_queues_one_claim(
    browser, server, volunteer, helper, zhang, today
):
    context = new_screen(browser, "phone")
    page = open_page(context, server.url, "volunteer-demo", "/me/claims/new/")

    go_offline(context, page)
    page.click(SEND)
    page.wait_for_selector("#me-queue li[data-state=queued]")
    page.click(SEND)
    page.wait_for_selector("#me-status.me-queued")
    assert queued_on_the_phone(page) == 1
    shot(page, "volunteer-queued-once-phone")

    back_online(context, page)
    page.wait_for_selector("#me-status.me-ok", timeout=30000)
    assert page.locator(".me-error").count() == 0
    assert ServiceLog.objects.count() == 1
    claim = ServiceLog.objects.get()
    assert page.locator(f"#me-claims li[data-id='{claim.pk}']").count() == 1
    context.close()


def test_two_copies_of_one_claim_queued_by_an_older_page_end_as_one_success(
    browser, server, volunteer, helper, zhang, today
):
    """A phone that queued the same claim twice, each with its own uuid (as the page did before
    it kept one uuid per form fill): the second is refused as an overlap of the first, which
    is the same claim, so the volunteer is told it was sent, not that it failed."""
    context = new_screen(browser, "phone")
    page = open_page(context, server.url, "volunteer-demo", "/me/claims/")
    payload = {
        "senior": zhang.pk, "service_type": "meals", "started_at": "2026-11-29T08:00",
        "ended_at": "2026-11-29T09:00", "notes": "",
    }  # fmt: skip
    copies = [
        {"payload": {**payload, "client_uuid": str(uuid.uuid4())}, "seniorName": "张大爷",
         "serviceLabel": "助餐", "queuedAt": "2026-11-29T01:00:00Z"}
        for _ in range(2)
    ]  # fmt: skip
    page.evaluate(
        "([key, queue]) => localStorage.setItem(key, queue)",
        [f"me-claim-queue-{volunteer.pk}", json.dumps(copies)],
    )

    page.reload()
    page.wait_for_selector("#me-status.me-ok", timeout=30000)

    assert page.locator(".me-error").count() == 0
    assert queued_on_the_phone(page) == 0
    claim = ServiceLog.objects.get()
    assert page.locator(f"#me-claims li[data-id='{claim.pk}']").count() == 1
    context.close()


def test_a_page_never_opened_opens_without_signal(browser, server, volunteer, helper, zhang, today):
    context = new_screen(browser, "phone")
    page = open_page(context, server.url, "volunteer-demo")
    assert page.url == f"{server.url}/me/"
    wait_for_the_service_worker(page)
    # the worker keeps every page of the volunteer from its install on
    page.wait_for_function(
        """async () => {
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                if (await cache.match("/me/statement/", {ignoreVary: true})) return true;
            }
            return false;
        }""",
        timeout=20000,
    )

    go_offline(context, page)
    response = page.goto(f"{server.url}/me/statement/")
    assert response is not None and response.from_service_worker
    assert page.locator("h1").inner_text() == "明细"
    shot(page, "volunteer-statement-offline-phone")

    # an address the worker never saw: the cached home, whose banner says there is no signal
    response = page.goto(f"{server.url}/me/claims/?page=2#top")
    assert response is not None and response.from_service_worker
    response = page.goto(f"{server.url}/me/nothing-here/")
    assert response is not None and response.from_service_worker
    assert page.locator("h1").inner_text().startswith("我的服务时长")
    assert page.locator("#me-offline").is_visible()
    shot(page, "volunteer-unknown-page-offline-phone")
    context.close()


@pytest.mark.parametrize("size", ["phone", "office"])
def test_the_office_pages_speak_chinese(
    browser, server, bureau, staff_baima, zhang, regions, today, size
):
    """The admission form, the audit log, the register's filters, the villager groups of the
    chosen village, the header, and a refused page, as the bureau and a township clerk see
    them."""

    bureau.first_name = "区民政局"
    bureau.save()
    f.villager_group(regions["tiefosi"], 1)  # 板桥村 has its groups 1 to 3 in the cast
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    f.beds(home, 2)
    f.PersonViewFactory(
        user=staff_baima, region=regions["baima"], channel="export", count=3,
        query="village=500156101201&disabled=true",
    )  # fmt: skip
    context = new_screen(browser, size)
    page = open_page(context, server.url, "bureau")

    assert "区民政局 · 区民政局" not in page.inner_text("header")
    page.goto(f"{server.url}/facilities/{home.pk}/admit/")
    labels = page.locator("main label, main legend").all_inner_texts()
    assert "老年人" in labels and "床位" in labels
    assert "Senior" not in page.inner_text("main") and "Bed" not in page.inner_text("main")
    shot(page, f"admit-{size}")

    page.goto(f"{server.url}/audit/")
    detail = "3 人，筛选条件：村（社区）：板桥村；失能（按最近一次评估）：是"
    assert detail in page.inner_text("main")
    assert "village=" not in page.inner_text("main")
    shot(page, f"audit-{size}")
    assert_usable(page, size)

    page.goto(f"{server.url}/seniors/")
    page.click("summary")  # 更多筛选条件
    assert page.locator("select[name=subsistence_allowance] option:checked").inner_text() == "全部"
    assert "未知" not in page.inner_text("main")
    assert page.locator("table th").first.inner_text() == "姓名"
    shot(page, f"ledger-filters-{size}")

    page.goto(f"{server.url}/seniors/new/")
    assert page.locator("label[for=id_name]").inner_text() == "姓名"
    page.select_option("#id_village", "500156101201")
    groups = page.locator("#id_villager_group option").all_inner_texts()
    assert [g for g in groups if g.strip("-")] == [
        "板桥村第1村民小组", "板桥村第2村民小组", "板桥村第3村民小组",
    ]  # fmt: skip
    page.select_option("#id_village", "500156101006")
    groups = page.locator("#id_villager_group option").all_inner_texts()
    assert [g for g in groups if g.strip("-")] == ["铁佛寺社区第1村民小组"]
    shot(page, f"senior-form-groups-{size}")

    # a page this login may not open: Chinese, with a way back
    with page.expect_navigation():
        page.click("header form[action$='/logout/'] button")
    log_in(page, server.url, "staff-baima")
    response = page.goto(f"{server.url}/audit/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "无权访问"
    assert "Forbidden" not in page.content()
    shot(page, f"forbidden-{size}")
    assert_usable(page, size)
    with page.expect_navigation():
        page.click("text=返回我的首页")
    assert page.url == f"{server.url}/"
    context.close()


def test_two_different_claims_made_without_signal_are_two_claims(
    browser, server, volunteer, helper, zhang, today
):
    """One form page, two services one after the other with no signal: each its own uuid, so
    neither is taken for a repeat of the other."""
    context = new_screen(browser, "phone")
    page = open_page(context, server.url, "volunteer-demo", "/me/claims/new/")

    go_offline(context, page)
    page.fill("#id_started_at", "2026-11-29T06:00")
    page.click(SEND)
    page.wait_for_selector("#me-queue li[data-state=queued]")
    page.fill("#id_started_at", "2026-11-29T08:00")
    page.click(SEND)
    page.wait_for_function("document.querySelectorAll('#me-queue li').length === 2")
    assert queued_on_the_phone(page) == 2

    back_online(context, page)
    page.wait_for_selector("#me-queue li", state="detached", timeout=30000)
    page.wait_for_selector("#me-status.me-ok")
    starts = sorted(c.started_at.astimezone(WULONG).hour for c in ServiceLog.objects.all())
    assert starts == [6, 8]
    assert page.locator("#me-claims li[data-id]").count() == 2
    context.close()
