"""Reads of the snapshots for the dashboard, the big screen and the exports. Nothing here
computes an indicator: the values are the snapshots ``coverage.compute`` wrote."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from coverage.compute import VILLAGE_LEVEL
from coverage.models import (
    Comparison,
    Group,
    Indicator,
    Judgement,
    Plan,
    Reason,
    Snapshot,
    Target,
    Unit,
)
from regions.models import Level

HUNDRED = Decimal(100)
# what the pages say of an institution that fails (the engine stores the code)
WHY = {
    "below": gettext_lazy("below the target"),
    "no_staff": gettext_lazy("no staff counted"),
    "no_report": gettext_lazy("no report for the year"),
    "no_check": gettext_lazy("no quality check yet"),
    "check_failed": gettext_lazy("latest quality check failed"),
    "not_registered": gettext_lazy("not registered and filed"),
    "small_area": gettext_lazy("floor area below the threshold"),
    "missing_functions": gettext_lazy("lacks functions"),
    "paid_before_built": gettext_lazy("award paid before built and accepted"),
}
FUNCTIONS = {
    "day_care": gettext_lazy("day care"),
    "rehabilitation": gettext_lazy("rehabilitation"),
    "recreation": gettext_lazy("recreation"),
    "emergency_rescue": gettext_lazy("emergency rescue"),
}


def failing_text(item: dict) -> str:
    """「name: why value」 of an institution the snapshot lists as failing."""
    why, value = item.get("why", ""), item.get("value", "")
    if why == "missing_functions":
        value = "、".join(str(FUNCTIONS.get(code, code)) for code in value.split(",") if code)
    text = f"{item.get('name', '')}: {WHY.get(why, why)}"
    return f"{text} {value}" if value else text


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


@dataclass(frozen=True)
class Deadline:
    """Where a target stood at the plan's deadline: met by it, met late (the first day met
    after it), or still not met."""

    status: str  # on_time, late, open
    due: datetime.date
    first_met: datetime.date | None = None

    def __str__(self) -> str:
        if self.status == "on_time":
            return _("met by the deadline (%(due)s)") % {"due": self.due.isoformat()}
        if self.status == "late":
            return _("met late: %(month)s") % {"month": f"{self.first_met:%Y-%m}"}
        return _("not met by the deadline (%(due)s)") % {"due": self.due.isoformat()}


def deadlines(
    snapshots: QuerySet,
    region_codes: list[str],
    on: datetime.date,
    plan: Plan | None,
    current: list[Snapshot] | None = None,
) -> dict[tuple[str, int], Deadline]:
    """(region, indicator id) → its deadline status on ``on``, from the snapshot history, for
    the targets judged that day once the plan's deadline has passed: met on the last snapshot
    day at or before the deadline, else met late (the first day met after it), else not met.
    Two queries (three without the day's rows)."""
    if plan is None or on <= plan.due_on:
        return {}
    due = plan.due_on
    scoped = snapshots.filter(region_id__in=region_codes)
    due_day = scoped.filter(date__lte=due).order_by().values("region_id")
    due_day = due_day.annotate(d=Max("date")).values("d")
    on_time = set(
        scoped.filter(date__in=Subquery(due_day), judgement=Judgement.MET).values_list(
            "region_id", "indicator_id"
        )
    )
    first_met = {
        (row["region_id"], row["indicator_id"]): row["first"]
        for row in scoped.filter(date__gt=due, date__lte=on, judgement=Judgement.MET)
        .order_by()
        .values("region_id", "indicator_id")
        .annotate(first=Min("date"))
    }
    if current is None:
        current = list(scoped.filter(date=on).only("region_id", "indicator_id", "judgement"))
    out = {}
    for row in current:
        judgement = row.judgement
        if judgement not in (Judgement.MET, Judgement.NOT_MET):
            continue
        key = (row.region_id, row.indicator_id)
        if key in on_time:
            out[key] = Deadline("on_time", due)
        elif judgement == Judgement.MET:
            out[key] = Deadline("late", due, first_met.get(key, on))
        else:
            out[key] = Deadline("open", due)
    return out


@dataclass
class Tile:
    indicator: Indicator
    snapshot: Snapshot | None
    comparison: str
    target_row: Target | None = None
    level: str = ""
    deadline: Deadline | None = None

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
        if self.state not in ("met", "behind"):
            return None
        return progress(self.snapshot, self.comparison)

    @property
    def state(self) -> str:
        """met / behind / na (not applicable here) / tracked (no number in the plan) / missing
        (no snapshot)."""
        if self.snapshot is None:
            if self.level != Level.VILLAGE:
                return "missing"
            # a village has no row for the indicators counted for townships and above, nor
            # for its own indicators when it has nobody to count
            counted = self.indicator.code in VILLAGE_LEVEL
            if counted and (self.target_row is None or self.target_row.value is None):
                return "tracked"
            return "na"
        return {
            Judgement.MET: "met",
            Judgement.NOT_MET: "behind",
            Judgement.NOT_APPLICABLE: "na",
        }.get(self.snapshot.judgement, "tracked")

    @property
    def reason(self) -> str:
        """Why the target does not apply here, as the page says it."""
        if self.state != "na":
            return ""
        if self.snapshot is not None:
            reason = self.snapshot.reason
        else:
            counted = self.indicator.code in VILLAGE_LEVEL
            reason = Reason.NONE_COUNTED if counted else Reason.LEVEL
        if reason == Reason.NO_FACILITY:
            return _("not applicable (no such facility here)")
        if reason == Reason.NONE_COUNTED:
            return _("not applicable (nobody to count here)")
        if self.snapshot is not None and self.target_row and self.target_row.level == "district":
            return _("not applicable (district-level target)")
        return _("not applicable (township-level indicator)")

    @property
    def label(self) -> str:
        """The judgement in words: met, behind, not applicable (why), tracked."""
        if self.state == "na":
            return self.reason
        if self.state == "met":
            return _("met")
        if self.state == "behind":
            return _("behind")
        if self.state == "tracked":
            return _("tracked")
        return ""

    @property
    def failing(self) -> list[str]:
        return [failing_text(item) for item in (self.snapshot.failing if self.snapshot else ())]

    @property
    def judged_how(self) -> str:
        if self.indicator.each_facility:
            return _("each institution judged on its own: met when every one meets it")
        if self.target_row is not None and self.target_row.level:
            return _("judged for the %(level)s only") % {
                "level": dict(Level.choices).get(self.target_row.level, self.target_row.level)
            }
        return _("judged on the region's figure")

    @property
    def functions(self) -> str:
        return "、".join(str(FUNCTIONS.get(c, c)) for c in self.indicator.required_functions or ())

    @property
    def fraction(self) -> str:
        """Numerator of denominator, as counted; a staffing ratio in people."""
        s = self.snapshot
        if s is None or s.denominator is None:
            return ""
        if self.indicator.unit == Unit.RATIO:
            return _("%(residents)s residents / %(staff)s staff") % {
                "residents": _plain(s.numerator),
                "staff": _plain(s.denominator),
            }
        return f"{_plain(s.numerator)} / {_plain(s.denominator)}"

    @property
    def in_words(self) -> str:
        """A staffing ratio said in words, with its target: 每名服务人员照护 1.9 人（目标：不超过
        3 人）. Empty for the other units (their value and target read as they are)."""
        s = self.snapshot
        if self.indicator.unit != Unit.RATIO or s is None or s.value is None:
            return ""
        words = _("each staff member cares for %(n)s residents") % {"n": _one_place(s.value)}
        if s.target is None:
            return words
        if self.comparison == Comparison.AT_MOST:
            goal = _("target: at most %(n)s") % {"n": _one_place(s.target)}
        else:
            goal = _("target: at least %(n)s") % {"n": _one_place(s.target)}
        return f"{words}（{goal}）"

    @property
    def overall_meets(self) -> bool:
        """The region's own figure reaches the target although the tile is not met: each
        institution is judged on its own and at least one falls short."""
        s = self.snapshot
        if self.state != "behind" or s is None or s.value is None or s.target is None:
            return False
        if not self.indicator.each_facility:
            return False
        if self.comparison == Comparison.AT_MOST:
            return s.value <= s.target
        return s.value >= s.target

    @property
    def overall_note(self) -> str:
        """What the tile says prominently when the figure meets but an institution fails."""
        if not self.overall_meets:
            return ""
        s = self.snapshot
        failing = len(s.failing) or max(0, (s.facilities or 0) - (s.facilities_meeting or 0))
        return _(
            "The overall figure %(value)s reaches %(target)s, but %(n)s institution(s) fall "
            "short: judged institution by institution, the target is not met."
        ) % {
            "value": self.value,
            "target": format_value(self.indicator.unit, s.target),
            "n": failing,
        }


def _one_place(number: Decimal) -> str:
    """1.9, 3 (no trailing .0): a number of people as said aloud."""
    rounded = number.quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{rounded.normalize():f}" if rounded == rounded.to_integral() else f"{rounded}"


def _plain(number: Decimal) -> str:
    return f"{number.normalize():,f}" if number == number.to_integral() else f"{number:,}"


def comparisons() -> dict[int, str]:
    """indicator id → comparison of the target in the snapshots (the plan in force)."""
    return {pk: target.comparison for pk, target in targets_in_force().items()}


def targets_in_force(on: datetime.date | None = None) -> dict[int, Target]:
    """indicator id → the target of the plan in force on the day (today by default), each
    with its plan (the deadline)."""
    plan = Plan.for_day(on or timezone.localdate())
    targets = {t.indicator_id: t for t in Target.objects.filter(plan=plan)}
    for target in targets.values():
        target.plan = plan  # one plan object, no query per target
    return targets


def newest_date(snapshots: QuerySet, region_code: str) -> datetime.date | None:
    return snapshots.filter(region_id=region_code).aggregate(d=Max("date"))["d"]


def dates(snapshots: QuerySet, region_code: str) -> list[datetime.date]:
    return list(
        snapshots.filter(region_id=region_code)
        .order_by("-date")
        .values_list("date", flat=True)
        .distinct()
    )


def tiles(
    snapshots: QuerySet,
    region_code: str,
    on: datetime.date,
    *,
    level: str = "",
    targets: dict[int, Target] | None = None,
) -> list[tuple[str, list[Tile]]]:
    """One tile per indicator, grouped as the plan groups them: [(group label, tiles)]. A
    village (``level``) shows the indicators not counted for villages as not applicable."""
    indicators = list(Indicator.objects.order_by("position"))
    current = list(snapshots.filter(region_id=region_code, date=on).select_related(None))
    rows = {s.indicator_id: s for s in current}
    if targets is None:
        targets = targets_in_force(on)
    plan = next(iter(targets.values())).plan if targets else None
    due = deadlines(snapshots, [region_code], on, plan, current)
    groups: list[tuple[str, list[Tile]]] = []
    for value, label in Group.choices:
        members = [
            _tile(i, rows.get(i.pk), targets, level, due.get((region_code, i.pk)))
            for i in indicators
            if i.group == value
        ]
        if members:
            groups.append((str(label), members))
    return groups


def _tile(indicator, snapshot, targets, level, deadline=None) -> Tile:
    target = targets.get(indicator.pk)
    comparison = target.comparison if target else Comparison.AT_LEAST
    return Tile(indicator, snapshot, comparison, target, level, deadline)


@dataclass
class Row:
    code: str
    name: str
    level: str
    cells: list[Tile]
    met: int
    judged: int


def children_table(
    snapshots: QuerySet,
    regions: QuerySet,
    parent_code: str,
    on: datetime.date,
    targets: dict[int, Target] | None = None,
) -> tuple[list[Indicator], list[Row]]:
    """The child regions of ``parent_code`` (those the user sees), each with every indicator's
    tile of the day; indicators no child has a value for are left out (counts of facilities
    at village level, say)."""
    children = list(regions.filter(parent_id=parent_code).order_by("code"))
    indicators = list(Indicator.objects.order_by("position"))
    if targets is None:
        targets = targets_in_force(on)
    found = {
        (s.region_id, s.indicator_id): s
        for s in snapshots.filter(date=on, region__parent_id=parent_code)
    }
    used = [i for i in indicators if any((c.code, i.pk) in found for c in children)]
    rows = []
    for child in children:
        # no level: a child without a row for a column shows it as missing ("—")
        cells = [_tile(i, found.get((child.code, i.pk)), targets, "") for i in used]
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
    """Per indicator: the monthly series since the plan, with the target line and where it
    stood at the deadline (as of the newest day)."""
    indicators = list(Indicator.objects.order_by("position"))
    newest = newest_date(snapshots, region_code)
    due = deadlines(snapshots, [region_code], newest, Plan.for_day(newest)) if newest else {}
    series: dict[int, list] = {i.pk: [] for i in indicators}
    compared = {pk: t.comparison for pk, t in (targets_in_force(newest) if newest else {}).items()}
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
            "comparison": compared.get(i.pk, Comparison.AT_LEAST),
            "points": series[i.pk],
            "deadline": str(due[region_code, i.pk]) if (region_code, i.pk) in due else "",
        }
        for i in indicators
        if series[i.pk]
    ]


# The village-level indicators whose count of 0 is a gap of the village (a village without a
# point, an assistant, a volunteer team or an elders' association), with a short key each.
VILLAGE_GAPS = {
    "villages_with_point": "point",
    "villages_with_assistant": "assistant",
    "villages_with_volunteer_team": "team",
    "villages_with_elders_association": "association",
}


def village_gaps(snapshots: QuerySet, region, on: datetime.date) -> list[dict]:
    """The villages below ``region`` with a gap on ``on``, read from the villages' snapshots of
    the day (the gap lists of the page, their Excel and the monthly report):
    ``[{"region": Region, "missing": {key, …}}]`` in code order."""
    rows = (
        snapshots.filter(
            date=on,
            region__level=Level.VILLAGE,
            region__code__startswith=region.prefix,
            indicator__code__in=list(VILLAGE_GAPS),
            numerator=0,
        )
        .select_related("region__parent", "indicator")
        .order_by("region_id", "indicator__position")
    )
    found: dict[str, dict] = {}
    for row in rows:
        entry = found.setdefault(row.region_id, {"region": row.region, "missing": set()})
        entry["missing"].add(VILLAGE_GAPS[row.indicator.code])
    return list(found.values())
