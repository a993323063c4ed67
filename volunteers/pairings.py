"""The pairing rule of plan 二(七) as querysets, as of a date.

Key targets (重点对象) need a one-to-one pairing; other 高龄 (80+), 独居 and 留守 seniors need at
least grid or area coverage (a one-to-one pairing covers them too). Who is a key target, and
which Barthel grades count as 失能, are the choices of the one-to-one indicator
(``coverage.definitions.pairing_rule``); the person-level rules live in ``seniors.selectors``
and read each person's categories as of the day. Everything here is a filter or an
annotation evaluated by the database: no loop over people in Python.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate

from coverage.definitions import pairing_rule
from seniors.models import Visit
from seniors.selectors import (
    PeopleRule,
    in_ledger_q,
    key_target_q,
    other_target_q,
    with_facts_on,
)
from volunteers.models import Pairing, PairingMode, Policy

# the coverage a senior who is not a key target needs: any open pairing
GRID_OR_AREA = "grid_or_area"
active_on_q = in_ledger_q


def _rule(rule: PeopleRule | None) -> PeopleRule:
    if rule is not None:
        return rule

    return pairing_rule()


def open_pairings_on(on: datetime.date) -> QuerySet:
    """Pairings running on ``on``: started by then and not ended by then."""
    return Pairing.objects.filter(started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )


def with_required_pairing(
    queryset: QuerySet, on: datetime.date, rule: PeopleRule | None = None
) -> QuerySet:
    """Annotate ``required_mode`` (``one_to_one``, ``grid_or_area`` or null when the rule asks
    nothing), ``has_one_to_one`` and ``has_pairing`` (open pairings on ``on``). ``rule``: the
    choices of the one-to-one indicator unless given."""
    rule = _rule(rule)
    open_for = open_pairings_on(on).filter(senior=OuterRef("pk"))
    return (
        with_facts_on(queryset, on)
        .annotate(
            required_mode=Case(
                When(key_target_q(on, rule), then=Value(PairingMode.ONE_TO_ONE.value)),
                When(other_target_q(on, rule), then=Value(GRID_OR_AREA)),
                default=Value(None),
                output_field=CharField(),
            )
        )
        .annotate(
            has_one_to_one=Exists(open_for.filter(mode=PairingMode.ONE_TO_ONE)),
            has_pairing=Exists(open_for),
        )
    )


def seniors_lacking_pairing(
    queryset: QuerySet, on: datetime.date, rule: PeopleRule | None = None
) -> QuerySet:
    """The seniors of ``queryset`` without the pairing the rule asks for on ``on``, annotated
    with ``required_mode``. Engine twin: ``d_key_seniors_paired_one_to_one = 1 AND
    n_… = 0`` (and the same for ``other_seniors_grid_covered``) of
    ``coverage.compute._person_sql``."""
    return with_required_pairing(queryset, on, rule).filter(
        Q(required_mode=PairingMode.ONE_TO_ONE, has_one_to_one=False)
        | Q(required_mode=GRID_OR_AREA, has_pairing=False)
    )


def with_helper_load(queryset: QuerySet, on: datetime.date, cap: int | None = None) -> QuerySet:
    """Annotate ``helper_one_to_one`` (the open one-to-one pairings the pairing's helper holds
    on ``on``), ``helper_cap`` (the bureau's ``Policy.one_to_one_per_helper`` unless ``cap``
    is given) and ``over_cap``: an open one-to-one pairing whose helper holds more than the
    cap. "一对一" means one helper for one key target: more is allowed, shown as a warning."""
    if cap is None:
        cap = Policy.current().one_to_one_per_helper
    held = (
        open_pairings_on(on)
        .filter(helper=OuterRef("helper_id"), mode=PairingMode.ONE_TO_ONE)
        .order_by()
        .values("helper")
        .annotate(n=Count("pk"))
        .values("n")
    )
    is_open = Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    return queryset.annotate(
        helper_one_to_one=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)),
        helper_cap=Value(cap, output_field=IntegerField()),
    ).annotate(
        over_cap=Case(
            When(
                is_open & Q(mode=PairingMode.ONE_TO_ONE, helper_one_to_one__gt=cap),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def pairings_with_status(queryset: QuerySet, on: datetime.date, cap: int | None = None) -> QuerySet:
    """Annotate ``last_visit`` (the senior's latest visit on or before ``on``, by anyone: the
    registry's visits, verified service logs included) and ``overdue``.

    A pairing is overdue when it is open on ``on`` and more than ``visit_interval_days`` days
    have passed since the later of the last visit and the start of the pairing. Counting from
    the start gives a new pairing one full interval before it can be overdue, and a visit made
    before the pairing began does not count for it. A visit on day d keeps a 7-day pairing
    current through d + 7; on d + 8 it is overdue.

    Dates cannot be shifted by a per-row number of days portably (SQLite and PostgreSQL), so
    the test is written once per distinct interval in ``queryset`` (a handful: the policy's
    defaults and the bureau's edits) — one small query, no loop over rows.
    """
    last = (
        Visit.objects.filter(senior=OuterRef("senior_id"), visited_at__date__lte=on)
        .order_by("-visited_at")
        .annotate(day=TruncDate("visited_at"))
    )
    annotated = (
        with_helper_load(queryset, on)
        .annotate(
            last_visit=Subquery(last.values("visited_at")[:1]),
            last_visit_on=Subquery(last.values("day")[:1], output_field=DateField()),
        )
        .annotate(
            counted_from=Greatest(
                Coalesce("last_visit_on", "started_on"), "started_on", output_field=DateField()
            )
        )
    )
    intervals = sorted(
        set(queryset.order_by().values_list("visit_interval_days", flat=True).distinct())
    )
    late = Q(pk__in=[])
    for days in intervals:
        late |= Q(visit_interval_days=days, counted_from__lt=on - datetime.timedelta(days=days))
    is_open = Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    return annotated.annotate(
        overdue=Case(
            When(is_open & late, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def gap_counts(
    seniors: QuerySet,
    pairings: QuerySet,
    on: datetime.date,
    rule: PeopleRule | None = None,
    cap: int | None = None,
) -> list[dict]:
    """Per village: how many seniors lack a one-to-one pairing, how many lack any coverage,
    how many open pairings are overdue and how many one-to-one pairings belong to a helper
    holding more than the policy allows (``over_cap``); villages with nothing to report are
    left out."""
    lacking = (
        seniors_lacking_pairing(seniors, on, rule)
        .order_by()
        .values("village_id", "village__short_name")
        .annotate(
            lacking_one_to_one=Count("pk", filter=Q(required_mode=PairingMode.ONE_TO_ONE)),
            lacking_coverage=Count("pk", filter=Q(required_mode=GRID_OR_AREA)),
        )
    )
    overdue = (
        pairings_with_status(pairings, on, cap)
        .filter(Q(overdue=True) | Q(over_cap=True))
        .order_by()
        .values("senior__village_id", "senior__village__short_name")
        .annotate(
            n=Count("pk", filter=Q(overdue=True)), over_cap=Count("pk", filter=Q(over_cap=True))
        )
    )
    rows: dict[str, dict] = {}
    for row in lacking:
        rows[row["village_id"]] = {
            "village": row["village_id"],
            "township": row["village_id"][:9] + "000",
            "village_name": row["village__short_name"],
            "lacking_one_to_one": row["lacking_one_to_one"],
            "lacking_coverage": row["lacking_coverage"],
            "overdue": 0,
            "over_cap": 0,
        }
    for row in overdue:
        code = row["senior__village_id"]
        entry = rows.setdefault(
            code,
            {
                "village": code,
                "township": code[:9] + "000",
                "village_name": row["senior__village__short_name"],
                "lacking_one_to_one": 0,
                "lacking_coverage": 0,
                "overdue": 0,
                "over_cap": 0,
            },
        )
        entry["overdue"] = row["n"]
        entry["over_cap"] = row["over_cap"]
    return [rows[code] for code in sorted(rows)]


def pairings_due(queryset: QuerySet, on: datetime.date, *, within_days: int) -> QuerySet:
    """Open pairings whose senior must be visited by ``on + within_days`` and is not overdue
    yet on ``on``: the visits of the coming days, by the same rule as ``overdue``."""
    overdue_now = pairings_with_status(queryset, on).filter(overdue=True).values("pk")
    later = on + datetime.timedelta(days=within_days)
    return pairings_with_status(queryset, later).filter(overdue=True).exclude(pk__in=overdue_now)
