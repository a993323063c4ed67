"""A volunteer in a mountain village logs a claim on a phone with no signal:
the claim waits on the phone, the page still opens from the service worker's cache, and when
the signal returns the claim reaches the server exactly once."""

import datetime

import pytest

from tests import factories as f
from tests.browser import PHONE, fits_the_screen, open_page, shot
from volunteers.models import ServiceLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUED = "#me-queue li[data-state=queued]"


@pytest.fixture
def helper(regions, volunteer, zhang):
    """The ``volunteer-demo`` login linked to a volunteer of 板桥村 paired with 张大爷."""
    helper = f.VolunteerFactory(village=regions["banqiao"], user=volunteer, name="演示志愿者")
    f.PairingFactory(
        helper=helper, senior=zhang, mode="grid", visit_interval_days=30,
        started_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    return helper


def queued_on_the_phone(page) -> int:
    return page.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('me-claim-queue-'))"
        ".reduce((n, k) => n + JSON.parse(localStorage[k]).length, 0)"
    )


API_CLAIMS = "/api/v1/timebank/service-logs/"
NO_SIGNAL = "test-no-signal"  # set in localStorage while the test holds the phone offline
# The page's own fetch of the claims' endpoint fails at once while NO_SIGNAL is set, as a
# dropped connection does. Needed besides the offline mode: the page's requests pass through
# the service worker (it answers GETs only), and the offline emulation reaches a request the
# worker lets through a moment late on a loaded machine; Playwright's routes never see them.
CUT_THE_CLAIMS = f"""(() => {{
  if (window.__claimsCut) return;
  window.__claimsCut = true;
  const fetch = window.fetch;
  window.fetch = function (input, init) {{
    const url = typeof input === "string" ? input : input.url;
    if (localStorage.getItem("{NO_SIGNAL}") && url.includes("{API_CLAIMS}")) {{
      return Promise.reject(new TypeError("Failed to fetch"));
    }}
    return fetch.apply(this, arguments);
  }};
}})();"""


def go_offline(context, page):
    """No signal: the browser's offline mode, and the claims' endpoint failing at once for every
    page of the context (this one and those opened or reloaded later) until ``back_online``."""
    context.add_init_script(CUT_THE_CLAIMS)
    page.evaluate(CUT_THE_CLAIMS)
    page.evaluate(f"localStorage.setItem('{NO_SIGNAL}', '1')")
    context.set_offline(True)
    page.wait_for_function("!navigator.onLine")


def back_online(context, page):
    """The signal returns: the endpoint answers again, then the browser is online (its
    ``online`` event makes the page send the queue)."""
    page.evaluate(f"localStorage.removeItem('{NO_SIGNAL}')")
    context.set_offline(False)


@pytest.fixture
def phone(browser):
    """A phone's browser window (390x844, in Chinese), closed after the test."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    yield context
    context.close()


INSTALLED = """() => Promise.race([
  navigator.serviceWorker.ready.then(() => "active"),
  new Promise((done) => setTimeout(() => done("not active after 20 s"), 20000)),
])"""


def wait_for_the_service_worker(page):
    """Until the worker is active and controls the page (the first load is not controlled:
    the worker installs during it; one reload puts the page under it). A worker that fails to
    install never becomes ready: 20 seconds, then the test fails and says what sw.js answered."""
    state = page.evaluate(INSTALLED)
    sw = page.request.get(page.url.split("/me/")[0] + "/me/sw.js")
    assert state == "active", f"the service worker did not install: /me/sw.js {sw.status}"
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller", timeout=20000)


def test_a_claim_made_offline_arrives_once_when_the_signal_returns(
    phone, server, helper, zhang, today
):
    page = open_page(phone, server.url, "volunteer-demo")
    assert page.url == f"{server.url}/me/", "a volunteer lands on their own page"
    shot(page, "volunteer-home-phone")

    page.goto(f"{server.url}/me/claims/new/")
    wait_for_the_service_worker(page)
    # visit the other pages once, as a volunteer would, so that they are cached too
    page.goto(f"{server.url}/me/claims/")
    page.goto(f"{server.url}/me/claims/new/")
    assert fits_the_screen(page)

    go_offline(phone, page)
    page.select_option("#id_senior", str(zhang.pk))
    page.select_option("#id_service_type", "companionship")
    page.select_option("#id_duration", "60")
    page.fill("#id_started_at", "2026-11-29T08:00")
    page.fill("#id_notes", "陪老人聊天")
    page.click("#me-claim-form button[type=submit]")

    page.wait_for_selector(QUEUED)
    assert "张大爷" in page.inner_text("#me-queue")
    assert page.locator("#me-status").is_visible()
    shot(page, "volunteer-claim-queued-offline")
    assert ServiceLog.objects.count() == 0
    assert queued_on_the_phone(page) == 1

    # no signal, and the page still opens: from the service worker's cache
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector(QUEUED)
    assert page.locator(QUEUED).count() == 1
    assert ServiceLog.objects.count() == 0

    back_online(phone, page)
    page.wait_for_selector(QUEUED, state="detached", timeout=30000)
    shot(page, "volunteer-claim-sent")

    claim = ServiceLog.objects.get()
    assert (claim.volunteer, claim.senior, claim.service_type) == (helper, zhang, "companionship")
    assert claim.notes == "陪老人聊天" and claim.status == "submitted"

    # back online the page lists it from the server; nothing is left to send
    page.goto(f"{server.url}/me/claims/")
    assert "张大爷" in page.inner_text("#me-claims")
    assert queued_on_the_phone(page) == 0
    assert ServiceLog.objects.count() == 1

    # logging out on a shared phone takes this volunteer's pages out of the cache
    with page.expect_navigation():
        page.click("header form[action$='/logout/'] button")
    cached_pages = page.evaluate(
        """async () => {
            let n = 0;
            for (const name of await caches.keys()) {
                const keys = await (await caches.open(name)).keys();
                n += keys.filter((r) => new URL(r.url).pathname.startsWith("/me/")).length;
            }
            return n;
        }"""
    )
    assert cached_pages == 0


def test_a_claim_the_server_refuses_is_shown_and_not_kept(phone, server, helper, zhang, today):
    page = open_page(phone, server.url, "volunteer-demo", "/me/claims/new/")

    page.select_option("#id_senior", str(zhang.pk))
    page.select_option("#id_duration", "60")
    page.fill("#id_started_at", "2026-11-29T11:00")  # after "now" (10:00): in the future
    page.click("#me-claim-form button[type=submit]")

    page.wait_for_selector("#me-status.me-error")
    assert "张大爷" in page.inner_text("#me-status")
    assert page.locator(QUEUED).count() == 0
    assert queued_on_the_phone(page) == 0
    shot(page, "volunteer-claim-refused")
    assert ServiceLog.objects.count() == 0
