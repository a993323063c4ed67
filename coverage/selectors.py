"""Reads of the snapshots for the dashboard, the big screen and the exports. Nothing here
computes an indicator: the values are the snapshots ``coverage.compute`` wrote."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, QuerySet
from django.utils.translation import get_language

from coverage.models import Comparison, Group, Indicator, Snapshot, Target, Unit

HUNDRED = Decimal(100)


def indicator_name(indicator: Indicator) -> str:
    """The indicator's name in the user's language."""
    return indicator.name_en if (get_language() or "").startswith("en") else indicator.name


def format_value(unit: str, value: Decimal | None) -> str:
    """As the bureau reads it: 92.9 %, 171, 1 : 1.8, ¥685,526."""
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP)} %"
    if unit == Unit.RATIO:
        return f"1 : {value.quantize(Decimal('0.1'), ROUND_HALF_UP)}"
    if unit == Unit.YUAN:
        return f"¥{value.quantize(Decimal('1'), ROUND_HALF_UP):,}"
    return f"{value.quantize(Decimal('1'), ROUND_HALF_UP):,}"


def format_target(target: Decimal | None, unit: str, comparison: str) -> str:
    if target is None:
        return ""
    sign = "≤" if comparison == Comparison.AT_MOST else "≥"
    return f"{sign} {format_value(unit, target)}"


def progress(snapshot: Snapshot | None, comparison: str) -> int | None:
    """How far along the target, 0–100, for the bar; None without a target."""
    if snapshot is None or snapshot.target is None or snapshot.value is None:
        return None
    if snapshot.met:
        return 100
    if comparison == Comparison.AT_MOST:  # residents per staff member: lower is better
        share = snapshot.target / snapshot.value if snapshot.value else Decimal(1)
    else:
        share = snapshot.value / snapshot.target if snapshot.target else Decimal(1)
    return max(0, min(99, int(share * HUNDRED)))


@dataclass
class Tile:
    indicator: Indicator
    snapshot: Snapshot | None
    comparison: str

    @property
    def name(self) -> str:
        return indicator_name(self.indicator)

    @property
    def value(self) -> str:
        return format_value(self.indicator.unit, self.snapshot.value if self.snapshot else None)

    @property
    def target(self) -> str:
        return format_target(
            self.snapshot.target if self.snapshot else None, self.indicator.unit, self.comparison
        )

    @property
    def progress(self) -> int | None:
        return progress(self.snapshot, self.comparison)

    @property
    def state(self) -> str:
        """met / behind / tracked (no target here) / missing (no snapshot)."""
        if self.snapshot is None:
            return "missing"
        if self.snapshot.met is None:
            return "tracked"
        return "met" if self.snapshot.met else "behind"

    @property
    def fraction(self) -> str:
        """Numerator of denominator, as counted."""
        s = self.snapshot
        if s is None or s.denominator is None:
            return ""
        return f"{_plain(s.numerator)} / {_plain(s.denominator)}"


def _plain(number: Decimal) -> str:
    return f"{number.normalize():,f}" if number == number.to_integral() else f"{number:,}"


def comparisons() -> dict[int, str]:
    """indicator id → comparison of the target in the snapshots (the plan in force)."""
    from django.utils import timezone

    from coverage.models import Plan

    plan = Plan.for_day(timezone.localdate())
    rows = Target.objects.filter(plan=plan).values_list("indicator_id", "comparison")
    return dict(rows)


def newest_date(snapshots: QuerySet, region_code: str) -> datetime.date | None:
    return snapshots.filter(region_id=region_code).aggregate(d=Max("date"))["d"]


def dates(snapshots: QuerySet, region_code: str) -> list[datetime.date]:
    return list(
        snapshots.filter(region_id=region_code)
        .order_by("-date")
        .values_list("date", flat=True)
        .distinct()
    )


def tiles(snapshots: QuerySet, region_code: str, on: datetime.date) -> list[tuple[str, list[Tile]]]:
    """One tile per indicator, grouped as the plan groups them: [(group label, tiles)]."""
    indicators = list(Indicator.objects.order_by("position"))
    rows = {
        s.indicator_id: s
        for s in snapshots.filter(region_id=region_code, date=on).select_related(None)
    }
    compare = comparisons()
    groups: list[tuple[str, list[Tile]]] = []
    for value, label in Group.choices:
        members = [
            Tile(i, rows.get(i.pk), compare.get(i.pk, Comparison.AT_LEAST))
            for i in indicators
            if i.group == value
        ]
        if members:
            groups.append((str(label), members))
    return groups


@dataclass
class Row:
    code: str
    name: str
    level: str
    cells: list[Tile]
    met: int
    judged: int


def children_table(
    snapshots: QuerySet, regions: QuerySet, parent_code: str, on: datetime.date
) -> tuple[list[Indicator], list[Row]]:
    """The child regions of ``parent_code`` (those the user sees), each with every indicator's
    tile of the day; indicators no child has a value for are left out (counts of facilities
    at village level, say)."""
    children = list(regions.filter(parent_id=parent_code).order_by("code"))
    indicators = list(Indicator.objects.order_by("position"))
    compare = comparisons()
    found = {
        (s.region_id, s.indicator_id): s
        for s in snapshots.filter(date=on, region__parent_id=parent_code)
    }
    used = [i for i in indicators if any((c.code, i.pk) in found for c in children)]
    rows = []
    for child in children:
        cells = [
            Tile(i, found.get((child.code, i.pk)), compare.get(i.pk, Comparison.AT_LEAST))
            for i in used
        ]
        judged = [c for c in cells if c.state in ("met", "behind")]
        rows.append(
            Row(
                child.code,
                child.short_name,
                child.level,
                cells,
                sum(c.state == "met" for c in judged),
                len(judged),
            )
        )
    return used, rows


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """Sort by an indicator's value (its code), by name, or by targets met."""
    if key == "name":
        return sorted(rows, key=lambda r: r.code, reverse=descending)
    if key == "met":
        return sorted(rows, key=lambda r: (r.met, -r.judged), reverse=descending)

    def value(row: Row):
        for cell in row.cells:
            if cell.indicator.code == key:
                v = cell.snapshot.value if cell.snapshot else None
                return (v is not None, v if v is not None else Decimal(0))
        return (False, Decimal(0))

    return sorted(rows, key=value, reverse=descending)


def trend(snapshots: QuerySet, region_code: str) -> list[dict]:
    """Per indicator: the monthly series since the plan, with the target line."""
    indicators = list(Indicator.objects.order_by("position"))
    series: dict[int, list] = {i.pk: [] for i in indicators}
    for indicator_id, day, value, target in (
        snapshots.filter(region_id=region_code)
        .order_by("date")
        .values_list("indicator_id", "date", "value", "target")
    ):
        series[indicator_id].append(
            (day.isoformat(), None if value is None else float(value),
             None if target is None else float(target))
        )  # fmt: skip
    return [
        {
            "code": i.code,
            "name": indicator_name(i),
            "unit": i.unit,
            "points": series[i.pk],
        }
        for i in indicators
        if series[i.pk]
    ]
