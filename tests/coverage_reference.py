"""The coverage engine's roll-up as it was written in Python before it moved into the
database: each staged leaf added into every region whose prefix its code starts with, trained
people counted per region, every indicator written for the townships and above, the value
rounded to four places (half up) and judged against the plan's target. The tests compare the
database's snapshots with these rows, row by row."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from coverage import compute as engine
from coverage.models import Judgement, Leaf, Reason, Unit
from regions.models import PREFIX_LENGTH, Level, Region

UPPER = (Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.TOWNSHIP)
FIELDS = (
    "numerator", "denominator", "value", "target", "met", "judgement", "reason", "facilities",
    "facilities_meeting", "failing",
)  # fmt: skip


def snapshot_rows(queryset) -> dict[tuple[str, str], tuple]:
    """(region, indicator code) → the fields a reader sees, from stored snapshots."""
    return {
        (row[0], row[1]): tuple(row[2:])
        for row in queryset.values_list("region_id", "indicator__code", *FIELDS)
    }


def expected_rows(on: datetime.date) -> dict[tuple[str, str], tuple]:
    """Stage the day's leaves, roll them up and judge them in Python."""
    context = engine._Context.of(on)
    batch = engine.new_batch()
    engine._stage(on, batch, None, context, fresh=True)
    code_of = {indicator.pk: code for code, indicator in context.indicators.items()}
    leaves = list(
        Leaf.objects.filter(batch=batch).values_list(
            "indicator_id", "code", "numerator", "denominator", "facilities",
            "facilities_meeting", "failing",
        )
    )  # fmt: skip
    engine.discard(batch)
    levels = dict(Region.objects.exclude(level=Level.GROUP).values_list("code", "level"))
    region_of = {code[: PREFIX_LENGTH[level]]: code for code, level in levels.items()}
    totals: dict = defaultdict(lambda: [Decimal(0), Decimal(0), 0, 0, []])
    for indicator, code, n, d, facilities, meeting, item in leaves:
        for length in (2, 4, 6, 9, 12):
            region = region_of.get(code[:length])
            if region is None:
                continue
            tally = totals[code_of[indicator], region]
            tally[0] += n
            tally[1] += d
            tally[2] += facilities
            tally[3] += meeting
            if item is not None:
                tally[4].append(item)
    for (code, region), tally in engine._trained(on, region_of).items():
        totals[code, region] = [Decimal(tally.numerator), Decimal(0), 0, 0, []]
    for code in context.indicators:
        for region, level in levels.items():
            if level in UPPER:
                totals.setdefault((code, region), [Decimal(0), Decimal(0), 0, 0, []])
    rows = {}
    for (code, region), (n, d, facilities, meeting, failing) in totals.items():
        indicator, level = context.indicators[code], levels[region]
        if level == Level.VILLAGE and (
            code not in engine.VILLAGE_LEVEL or not (n or d or code in engine.EVERY_VILLAGE)
        ):
            continue
        target = context.targets.get(code)
        value = _value(indicator.unit, n, d)
        judgement, reason = _judge(indicator, target, level, value, facilities, meeting)
        judged = indicator.each_facility or facilities > 0
        rows[region, code] = (
            n,
            d if indicator.unit != Unit.COUNT or d else None,
            value,
            target.value if target is not None and target.applies_to(level) else None,
            {Judgement.MET: True, Judgement.NOT_MET: False}.get(judgement),
            judgement,
            reason,
            facilities if judged else None,
            meeting if judged else None,
            sorted(failing, key=lambda item: (item["name"], item["id"])),
        )
    return rows


def _value(unit: str, n: Decimal, d: Decimal) -> Decimal | None:
    if unit == Unit.COUNT:
        return n
    if not d:
        return None
    share = n / d * (100 if unit == Unit.PERCENT else 1)
    return share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _judge(indicator, target, level, value, facilities, meeting):
    if target is None or target.value is None:
        return Judgement.TRACKED, ""
    if not target.applies_to(level):
        return Judgement.NOT_APPLICABLE, Reason.LEVEL
    empty = Reason.NO_FACILITY if indicator.group in engine.FACILITY_GROUPS else Reason.NONE_COUNTED
    if indicator.each_facility:
        if not facilities:
            return Judgement.NOT_APPLICABLE, empty
        return (Judgement.MET if facilities == meeting else Judgement.NOT_MET), ""
    if value is None:
        return Judgement.NOT_APPLICABLE, empty
    return (Judgement.MET if target.is_met(value) else Judgement.NOT_MET), ""
