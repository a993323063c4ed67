"""The monthly progress report's content, as plain data: what the bureau sends upward each
month, for the district and for each township. Every figure is a snapshot's, read through the
selectors the coverage page and its Excel use (nothing is counted again here); the PDF
(``dashboard/coverage_report_pdf.py``) only lays it out.

The report is a Chinese government work report (标题、一、二、三 sections): its headings and
sentences are written in Chinese here, and the labels it borrows from the page (judgements,
deadline statuses, reasons) are rendered with Chinese active (``coverage.services``).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from coverage import selectors
from coverage.models import Plan, Unit
from regions.models import Level, Region

# the village-level indicators whose zero is a gap: a village without a point, an assistant,
# a volunteer team or an elders' association (the gap lists of the coverage page)
VILLAGE_GAPS = (
    ("villages_with_point", "无互助点"),
    ("villages_with_assistant", "无养老服务助理"),
    ("villages_with_volunteer_team", "无志愿服务队"),
    ("villages_with_elders_association", "无老年协会"),
)
LEVEL_WORDS = {Level.DISTRICT: "乡镇（街道）", Level.TOWNSHIP: "村（社区）"}


@dataclass
class Line:
    """One indicator's row of section 二."""

    code: str
    name: str
    value: str
    target: str
    judgement: str
    state: str  # met / behind / na / tracked / missing, as the page's tile
    change: str
    fraction: str = ""


@dataclass
class Child:
    code: str
    name: str
    met: int
    judged: int

    @property
    def share(self) -> str:
        if not self.judged:
            return "—"
        return f"{Decimal(self.met * 100) / self.judged:.1f} %"


@dataclass
class Content:
    region_code: str
    region_name: str
    month: datetime.date
    title: str
    on: datetime.date | None  # the snapshot day the report is made from
    before: datetime.date | None  # the previous month-end snapshot day
    due: datetime.date | None
    met: int = 0
    judged: int = 0
    newly_met: list[str] = field(default_factory=list)
    newly_behind: list[str] = field(default_factory=list)
    deadline: dict[str, int] = field(default_factory=dict)  # on_time / late / open → count
    groups: list[tuple[str, list[Line]]] = field(default_factory=list)
    children_heading: str = ""
    children: list[Child] = field(default_factory=list)
    village_gaps: list[tuple[str, str, list[str]]] = field(default_factory=list)
    failing: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


# a month as the report's address writes it: four ASCII digits, a hyphen, 01 to 12; nothing
# else (no sign, no space, no single-digit month, no other script's digits)
MONTH = re.compile(r"\A([0-9]{4})-(0[1-9]|1[0-2])\Z")


def parse_month(text: str) -> datetime.date | None:
    """``YYYY-MM`` → the first day of that month; None for anything written otherwise."""
    match = MONTH.match(text)
    if match is None:
        return None
    return datetime.date(int(match[1]), int(match[2]), 1)


def report_span(today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The months a report can be made for (their first days): from the month the first plan
    was issued to the last month that has ended by ``today``, whose month-end snapshot can
    exist. The month still running has none, so it has no report yet. None without a plan."""
    issued = Plan.objects.order_by("issued_on").values_list("issued_on", flat=True).first()
    last = previous_month(today)
    if issued is None or issued.replace(day=1) > last:
        return None
    return issued.replace(day=1), last


def in_report_span(month: datetime.date, today: datetime.date) -> bool:
    span = report_span(today)
    return span is not None and span[0] <= month.replace(day=1) <= span[1]


def report_month_for(day: datetime.date, today: datetime.date) -> datetime.date | None:
    """The month whose report goes with a snapshot day: the day's month once it has ended, else
    the month before (the last one ended); None when that is outside the plan's span."""
    month = min(day.replace(day=1), previous_month(today))
    return month if in_report_span(month, today) else None


def snapshot_day(snapshots: QuerySet, region_code: str, month: datetime.date):
    """The newest snapshot day of the region in the month (its month-end snapshot, or the
    newest so far while the month runs); None when the month has none."""
    days = snapshots.filter(
        region_id=region_code, date__gte=month.replace(day=1), date__lte=month_end(month)
    )
    return selectors.newest_date(days, region_code)


def change(unit: str, now: Decimal | None, before: Decimal | None) -> str:
    """The change of a value since the previous month, in the value's own terms."""
    if now is None:
        return "—"
    if before is None:
        return "上月无数据"
    delta = now - before
    if unit in (Unit.PERCENT, Unit.RATIO):  # shown to one decimal: a smaller change is none
        delta = delta.quantize(Decimal("0.1"))
    if not delta:
        return "持平"
    # an ASCII minus: the PDF's Chinese font (STSong-Light) has no U+2212
    sign = "+" if delta > 0 else "-"
    size = abs(delta)
    if unit == Unit.PERCENT:
        return f"{sign}{size} 个百分点"
    if unit == Unit.RATIO:
        return f"{sign}{size}"
    text = selectors.format_value(unit, size)
    return f"{sign}{text}"


def build(snapshots: QuerySet, regions: QuerySet, region: Region, month: datetime.date) -> Content:
    """The report of ``region`` for ``month`` from the snapshots the caller may read."""
    month = month.replace(day=1)
    on = snapshot_day(snapshots, region.code, month)
    before = snapshot_day(snapshots, region.code, previous_month(month))
    targets = selectors.targets_in_force(on or month_end(month))
    plan = next(iter(targets.values())).plan if targets else None
    year = plan.due_on.year if plan else month.year
    content = Content(
        region_code=region.code,
        region_name=region.short_name,
        month=month,
        title=(
            f"{region.short_name}农村养老服务体系建设 {year} 年目标进展月报"
            f"（{month.year} 年 {month.month} 月）"
        ),
        on=on,
        before=before,
        due=plan.due_on if plan else None,
    )
    if on is None:
        content.notes = [
            f"{month.year} 年 {month.month} 月没有{region.short_name}的快照，无法成文。"
        ]
        return content
    groups = selectors.tiles(snapshots, region.code, on, level=region.level, targets=targets)
    previous = {}
    if before is not None:
        for _label, tiles in selectors.tiles(
            snapshots, region.code, before, level=region.level, targets=targets
        ):
            previous.update({t.indicator.pk: t for t in tiles})
    deadline = {"on_time": 0, "late": 0, "open": 0}
    for label, tiles in groups:
        lines = []
        for tile in tiles:
            old = previous.get(tile.indicator.pk)
            now_value = tile.snapshot.value if tile.snapshot else None
            old_value = old.snapshot.value if old and old.snapshot else None
            text = change(tile.indicator.unit, now_value, old_value) if before else "—"
            if old is not None and old.state == "behind" and tile.state == "met":
                content.newly_met.append(tile.name)
                text += "（新达标）"
            elif old is not None and old.state == "met" and tile.state == "behind":
                content.newly_behind.append(tile.name)
                text += "（转为未达标）"
            lines.append(
                Line(
                    code=tile.indicator.code,
                    name=tile.name,
                    value=tile.value,
                    target=tile.target or "—",
                    judgement=tile.label or "—",
                    state=tile.state,
                    change=text,
                    fraction=tile.fraction,
                )
            )
            if tile.state in ("met", "behind"):
                content.judged += 1
                content.met += tile.state == "met"
            if tile.deadline is not None:
                deadline[tile.deadline.status] += 1
            if tile.failing:
                content.failing.append((tile.name, tile.failing))
        content.groups.append((label, lines))
    content.deadline = deadline
    if region.level in LEVEL_WORDS:
        content.children_heading = LEVEL_WORDS[region.level]
        _columns, rows = selectors.children_table(snapshots, regions, region.code, on, targets)
        children = [Child(r.code, r.name, r.met, r.judged) for r in rows]
        content.children = sorted(
            children,
            key=lambda c: (-(Decimal(c.met) / c.judged if c.judged else Decimal(-1)), c.code),
        )
    content.village_gaps = village_gaps(snapshots, region, on)
    content.notes = notes(content)
    return content


def village_gaps(snapshots: QuerySet, region: Region, on: datetime.date):
    """[(township, village, [what it lacks])] from the villages' snapshots of the day (the
    same rows as the gap list of the page: ``selectors.village_gaps``)."""
    labels = dict(VILLAGE_GAPS)
    out = []
    for entry in selectors.village_gaps(snapshots, region, on):
        village = entry["region"]
        parent = village.parent.short_name if village.parent else ""
        lacking = [labels[code] for code, key in selectors.VILLAGE_GAPS.items()
                   if key in entry["missing"]]  # fmt: skip
        out.append((parent, village.short_name, lacking))
    return out


def notes(content: Content) -> list[str]:
    out = [
        f"本报告数据取自 {content.on:%Y-%m-%d} 的指标快照：系统每晚依据台账记录计算各区域各项指标，"
        "本报告不另行统计，数字与“目标覆盖”页面及其 Excel 导出一致。",
        "“达标 x / 适用 y”中，适用指标指本区域有明确目标值且可判断是否达标的指标；"
        "不适用（如本区域无此类机构、无统计对象或目标设于其他层级）及仅跟踪的指标不计入。",
        "逐机构判断的指标（如护理型床位占比、人员配备），须每一家机构均达到目标方为达标，"
        "未达标机构列入第四部分。",
    ]
    if content.before is not None:
        out.append(f"“较上月”为与上月末快照（{content.before:%Y-%m-%d}）相比的变化。")
    else:
        out.append("上月无快照，本期不列变化。")
    return out
