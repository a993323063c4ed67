"""The coverage pages on the screens they are read on (Chromium, Playwright): the big screen
on the meeting-room wall at 1920x1080 — no scrolling, every text 20 px or more, the ranking by
the share of the applicable targets met, the columns that do not fit shown in turn — and the
overview's tiles at 1440x900 saying a staffing ratio in words and, prominently, when the
overall figure meets a target an institution fails. Screenshots in artifacts/screenshots/."""

import datetime
from decimal import Decimal

import pytest

from coverage.compute import compute
from coverage.models import Indicator, Judgement, Snapshot
from tests import factories as f
from tests.browser import SCREENSHOTS, controls_outside, log_in, new_screen, open_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2026, 11, 29)
DISTRICT = "500156000000"
WALL = {"width": 1920, "height": 1080}
# hand-made townships: (name, targets met, targets applicable); 丙 meets the most targets
# but the smallest share of those that apply to it, so it ranks after 甲 and 乙
HAND = [("甲镇", 3, 3), ("乙镇", 9, 10), ("丙镇", 12, 20)]
# every visible element with its own text, and every chart label, with its font size
SMALL_TEXT = """() => {
  const out = [];
  for (const e of document.querySelectorAll("body *")) {
    const own = Array.from(e.childNodes).some(
      (n) => n.nodeType === 3 && n.textContent.trim() !== "");
    if (!own || e.closest("script, style, noscript, [hidden]")) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (size < 20) out.push(`${e.tagName}:${e.textContent.trim().slice(0, 15)}=${size}px`);
  }
  return out;
}"""


def _judged(township, indicators, met, applicable):
    rows = []
    for n, indicator in enumerate(indicators):
        if n < met:
            judgement = Judgement.MET
        elif n < applicable:
            judgement = Judgement.NOT_MET
        else:
            judgement = Judgement.NOT_APPLICABLE
        rows.append(
            Snapshot(
                date=DAY, region=township, indicator=indicator, numerator=Decimal(1),
                value=Decimal(1), target=Decimal(1), judgement=judgement,
                met=judgement == Judgement.MET if judgement != "not_applicable" else None,
                reason="level" if judgement == Judgement.NOT_APPLICABLE else "",
            )
        )  # fmt: skip
    Snapshot.objects.bulk_create(rows)


@pytest.fixture
def wall(plan_rows, regions, bureau, today):
    f.FacilityFactory(kind="mutual_aid_point", region=regions["banqiao"], name="板桥互助点")
    f.SeniorFactory(village=regions["banqiao"], born=datetime.date(1955, 1, 1))
    compute(datetime.date(2026, 10, 31))
    compute(DAY)
    indicators = list(Indicator.objects.order_by("position"))
    district = regions["district"]
    for n, (name, met, applicable) in enumerate(HAND):
        _judged(f.township(district, f"500156{301 + n}000", name), indicators, met, applicable)
    # enough townships for the ranking not to fit on one page (Wulong has 26)
    for n in range(20):
        township = f.township(district, f"500156{401 + n}000", f"测试{n + 1:02d}乡")
        _judged(township, indicators, n % 4, 8)
    return regions


def test_the_big_screen_fits_the_wall_and_ranks_by_share(browser, server, wall):
    context = browser.new_context(viewport=WALL, locale="zh-CN")
    page = context.new_page()
    page.clock.install()
    log_in(page, server.url, "bureau")
    page.goto(f"{server.url}/coverage/{DISTRICT}/screen/")
    page.wait_for_selector("[data-chart=family_doctor_signed] svg")
    shot(page, "coverage-big-screen")

    size = page.evaluate(
        "[document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
    )
    assert size[0] <= 1080 and size[1] <= 1920, size
    assert page.evaluate(SMALL_TEXT) == []

    # the ranking: by share of the applicable targets met, best first
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll(".ranking li")).map((li) =>
             [li.querySelector(".rname").textContent, li.querySelector(".frac").textContent])"""
    )
    assert len(rows) == 2 + 3 + 20
    names = [name for name, _ in rows]
    assert names.index("甲镇") < names.index("乙镇") < names.index("丙镇")
    assert dict(rows)["丙镇"] == "12 / 20" and dict(rows)["甲镇"] == "3 / 3"
    shares = []
    for _name, fraction in rows:
        met, applicable = (int(x) for x in fraction.split(" / "))
        shares.append(met / applicable if applicable else -1)
    assert shares == sorted(shares, reverse=True)
    assert names[:2] == ["甲镇", "乙镇"]  # 100 %, 90 %: no computed township reaches them

    # one panel of each rotating column at a time; after 12 seconds the next one
    visible = "document.querySelectorAll('[data-rotate] [data-panel]:not([hidden])').length"
    assert page.evaluate(visible) == 2
    first = page.locator(".ranking li:visible").first.inner_text()
    page.clock.run_for(12_500)
    assert page.evaluate(visible) == 2
    assert page.locator(".ranking li:visible").first.inner_text() != first
    assert page.locator(".ranking li:visible").first.inner_text().startswith("21")
    shot(page, "coverage-big-screen-next")
    context.close()


def test_the_tiles_explain_ratios_and_institutions_that_fail(browser, server, wall):
    Snapshot.objects.filter(
        region_id=DISTRICT, date=DAY, indicator__code="care_centre_staffing"
    ).update(
        numerator=17, denominator=9, value=Decimal("1.8889"), target=3, met=True,
        judgement=Judgement.MET, facilities=2, facilities_meeting=2, failing=[],
    )  # fmt: skip
    Snapshot.objects.filter(
        region_id=DISTRICT, date=DAY, indicator__code="care_centre_nursing_bed_ratio"
    ).update(
        numerator=Decimal("60"), denominator=Decimal("74"), value=Decimal("81.0811"),
        target=80, met=False, judgement=Judgement.NOT_MET, facilities=3, facilities_meeting=2,
        failing=[{"id": 1, "name": "江口照护中心", "why": "below", "value": "62.5 %"}],
    )  # fmt: skip
    context = new_screen(browser, "office")
    page = open_page(context, server.url, "bureau")
    page.goto(f"{server.url}/coverage/{DISTRICT}/")

    staffing = page.locator("article[data-indicator=care_centre_staffing]")
    text = staffing.inner_text()
    assert "每名服务人员照护 1.9 人（目标：不超过 3 人）" in text
    assert "17 名老人 / 9 名服务人员" in text

    beds = page.locator("article[data-indicator=care_centre_nursing_bed_ratio]")
    note = beds.locator("[data-overall-meets]")
    assert note.is_visible()
    assert note.inner_text() == (
        "整体 81.1 % 达到 80.0 %，但 1 家机构未达标，按机构逐一判定为未达标。"
    )
    # as large as the target line and bold: not small print
    sizes = beds.evaluate(
        """(e) => [e.querySelector("[data-overall-meets]"), e.querySelector(".target")]
             .map((n) => [parseFloat(getComputedStyle(n).fontSize),
                          parseInt(getComputedStyle(n).fontWeight)])"""
    )
    assert sizes[0][0] >= sizes[1][0] and sizes[0][1] >= 600
    beds.scroll_into_view_if_needed()
    # every tile and the controls in it inside the window (the regions' table below scrolls
    # sideways in its own frame, so the page-wide assert_usable does not apply to it)
    outside = [
        c for c in controls_outside(page) if c.split("@")[0] not in page.inner_text("#drill")
    ]
    assert outside == []
    boxes = page.evaluate(
        """() => Array.from(document.querySelectorAll("article.tile"))
             .map((e) => e.getBoundingClientRect().right)"""
    )
    assert max(boxes) <= 1440
    shot(page, "coverage-tiles-explained")
    page.locator("section.tile-group").nth(2).screenshot(
        path=str(SCREENSHOTS / "coverage-tiles-explained-operation.png")
    )

    page.goto(f"{server.url}/coverage/{DISTRICT}/trends/")
    page.wait_for_selector("[data-chart=care_centre_staffing] svg")
    shot(page, "coverage-trends")
    # whole counts: no tick label repeated on the y axis
    labels = page.evaluate(
        """() => Array.from(document.querySelectorAll("[data-chart=care_centres] svg text"))
             .map((t) => t.textContent)"""
    )
    assert len(labels) == len(set(labels)), labels
    context.close()
