"""Helpers of the browser tests (Debian's Chromium driven by Playwright); the ``browser``
fixture itself is in conftest.py."""

from pathlib import Path

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def log_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def open_page(context, base_url, username, path=""):
    """A new page of the browser context, logged in as ``username``, then at ``path`` if given."""
    page = context.new_page()
    log_in(page, base_url, username)
    if path:
        page.goto(f"{base_url}{path}")
    return page


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


OFFICE = {"width": 1440, "height": 900}
SIZES = {"phone": PHONE, "office": OFFICE}
# every control a person can tap or type into, as /work/shared/tools/screens finds them
_CONTROLS = "a, button, input:not([type=hidden]), select, textarea"
_MEASURE = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter((e) => e.offsetParent !== null)
  .map((e) => {
    const r = e.getBoundingClientRect();
    const text = (e.innerText || e.value || e.getAttribute("aria-label") || e.name || e.tagName);
    return {text: text.trim().slice(0, 20), left: r.left, right: r.right, height: r.height,
            width: r.width};
  })"""


def new_screen(browser, size: str):
    """A context as the device of that size: a touch phone (390x844) or an office PC."""
    phone = size == "phone"
    return browser.new_context(
        viewport=SIZES[size], locale="zh-CN", is_mobile=phone, has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )  # fmt: skip


def controls_outside(page) -> list[str]:
    """Controls that stick out of the window sideways (to reach them one scrolls, or cannot)."""
    width = page.evaluate("window.innerWidth")
    return [
        f"{c['text']}@x={round(c['left'])}..{round(c['right'])}"
        for c in page.evaluate(_MEASURE, _CONTROLS)
        if c["right"] > width + 1 or c["left"] < -1
    ]


def small_tap_targets(page, minimum: int = 44) -> list[str]:
    """Controls less than a finger's height (44 px) on a phone (textareas are tall anyway)."""
    return [
        f"{c['text']}({round(c['height'])}px)"
        for c in page.evaluate(_MEASURE, "a, button, input:not([type=hidden]), select")
        if 0 < c["height"] < minimum
    ]


def assert_usable(page, size: str) -> None:
    """Nothing outside the window; on a phone every tap target at least 44 px high."""
    outside = controls_outside(page)
    assert outside == [], f"{page.url} at {size}: outside the window {outside}"
    if size == "phone":
        small = small_tap_targets(page)
        assert small == [], f"{page.url} at {size}: under 44 px {small}"
