"""Every indicator for every region as of a day, written as snapshots.

How it runs (``compute(on)``):

1. *Leaves.* A handful of set-based queries read the records once each and return tallies per
   village (seniors, villages, groups) or per facility: the seniors' query joins each person's
   latest assessment, open pairings (with the last visit) and open placements as derived tables
   and aggregates by village; the facilities' query annotates each facility with its figures
   (``facilities.selectors.with_figures``); groups, assistants, villager groups, awards, funds
   and training are grouped by region in the database. The number of queries does not grow
   with the number of regions or people, and Python never loops over people: it loops over the
   aggregated rows (one per village or facility).
2. *Roll-up.* Each leaf's numerator and denominator are added to the village, township,
   district (and city, province) whose prefix its code starts with. Trained people are
   counted distinct per region by the database (a person trained in two townships counts once
   in the district), so they are not added up.
3. *Snapshot.* Value, target and met are derived per region and written in one transaction:
   the day's earlier snapshot is replaced (a rerun is idempotent) and a failure leaves it whole.

As of a day: every record is read by its dates (registration and status dates, assessments,
placements, pairings, visits, facility opening and closing, beds, staff, certificates, quality
checks, projects, groups, assistants), so a past day gives what was true then.

``compute(on, townships=[...])`` recomputes only those townships (the dirty ones): their
villages and themselves from the records, the regions above from the other townships'
snapshot of the same day plus theirs.
"""

from __future__ import annotations

import datetime
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from coverage.definitions import rule_of
from coverage.models import (
    FUNCTION_FIELDS,
    Indicator,
    Judgement,
    Plan,
    Reason,
    Snapshot,
    Target,
    Unit,
)
from coverage.models import (
    Group as IndicatorGroup,
)
from eldercare.querycount import QueryCounter
from facilities.models import (
    BasicIndicator,
    Facility,
    IndicatorCheck,
    Kind,
    Milestone,
    OperatingFund,
    Placement,
    ProjectKind,
    ProjectStatus,
    QualityCheck,
    Retention,
    Siting,
    Status,
    TrainingAttendance,
    TrainingKind,
    UpgradeProject,
)
from facilities.selectors import FUNDED_KINDS, with_figures
from regions.models import PREFIX_LENGTH, Level, Region
from regions.models import Kind as RegionKind
from seniors.models import (
    Assessment,
    CategoryPeriod,
    FamilyDoctorContract,
    Senior,
    Visit,
    years_before,
)
from seniors.models import Level as AssessmentLevel
from seniors.selectors import KeyReading, PeopleRule
from volunteers.models import ElderlyCareAssistant, Group, GroupKind, Pairing

HUNDRED = Decimal(100)
DONE = (ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED)
STOPPED = (Status.CLOSED, Status.MERGED, Status.SUSPENDED)
# the lowest level each indicator is written for; every level above it gets a row too
VILLAGE_LEVEL = frozenset(
    {
        "mutual_aid_points",
        "villages_with_point",
        "large_points_min_area",
        "villages_with_assistant",
        "villages_with_volunteer_team",
        "villages_with_elders_association",
        "groups_with_mutual_aid_group",
        "disabled_poor_in_care",
        "poor_in_institution",
        "disabled_seniors_placed",
        "key_seniors_paired_one_to_one",
        "other_seniors_grid_covered",
        "paired_seniors_visited_on_time",
        "family_doctor_signed",
        "family_care_beds",
        "home_adaptations",
        "key_seniors_with_wristband",
        "points_led_by_centre",
    }
)
# indicators whose village rows are written for every counted village, data or not
EVERY_VILLAGE = frozenset(
    {
        "villages_with_point",
        "villages_with_assistant",
        "villages_with_volunteer_team",
        "villages_with_elders_association",
        "groups_with_mutual_aid_group",
    }
)
NOT_ADDITIVE = frozenset({"directors_trained", "caregivers_trained"})
LEVEL_RANK = {level: rank for rank, level in enumerate(PREFIX_LENGTH)}  # province 0 … group 5


class Tally:
    """Sums of a region: ints for counts, Decimal where money is summed (they mix), and the
    institutions that fail (each one once, from the leaf it sits in)."""

    __slots__ = ("denominator", "facilities", "facilities_meeting", "failing", "numerator")
    numerator: int | Decimal
    denominator: int | Decimal
    facilities: int
    facilities_meeting: int
    failing: list[dict]

    def __init__(
        self, numerator=0, denominator=0, facilities=0, facilities_meeting=0, failing=None
    ):
        self.numerator = numerator
        self.denominator = denominator
        self.facilities = facilities
        self.facilities_meeting = facilities_meeting
        self.failing = list(failing or ())

    def add(self, other: Tally) -> None:
        self.numerator += other.numerator
        self.denominator += other.denominator
        self.facilities += other.facilities
        self.facilities_meeting += other.facilities_meeting
        self.failing.extend(other.failing)


@dataclass
class Result:
    date: datetime.date
    rows: int
    regions: int
    queries: int
    seconds: float
    townships: list[str] = field(default_factory=list)


class IncompleteDay(Exception):
    """A partial recomputation needs the other townships' snapshot of the same day."""


def _date(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _datetime(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _region_q(lookup: str, prefixes: list[str] | None) -> Q:
    q = Q()
    for prefix in prefixes or ():
        q |= Q(**{f"{lookup}__startswith": prefix})
    return q


class _Leaves:
    """Tallies per (indicator code, region code) before the roll-up."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)

    def add(
        self,
        indicator: str,
        code: str,
        numerator=0,
        denominator=0,
        facilities: int = 0,
        facilities_meeting: int = 0,
        failing: dict | None = None,
    ) -> None:
        tally = self.tallies[indicator, code]
        tally.numerator += numerator or 0
        tally.denominator += denominator or 0
        tally.facilities += facilities
        tally.facilities_meeting += facilities_meeting
        if failing is not None:
            tally.failing.append(failing)

    def judged(
        self,
        indicator: str,
        code: str,
        facility,
        meets: bool,
        numerator=0,
        denominator=0,
        *,
        why: str = "below",
        value: str = "",
    ) -> None:
        """One institution judged on its own: counted, and named when it fails."""
        failing = None if meets else _failing(facility, why, value)
        self.add(indicator, code, numerator, denominator, 1, int(meets), failing)


def _failing(facility, why: str, value: str = "") -> dict:
    """An institution that fails, as the tile lists it: why is a code the pages translate
    (below, no_staff, no_report, no_check, check_failed, not_registered, small_area,
    missing_functions, paid_before_built)."""
    return {"id": facility.pk, "name": facility.name, "why": why, "value": value}


def _pct(numerator, denominator) -> str:
    share = HUNDRED * Decimal(numerator) / Decimal(denominator)
    return f"{share.quantize(Decimal('0.1'))} %"


# --- the seniors: one pass over the ledger --------------------------------------------------

SENIOR_COLUMNS = (
    # indicator code, denominator condition, numerator condition (SQL over a person's facts
    # ``p``, see ``_person_sql``); every denominator also asks ``{place}``
    (
        "disabled_poor_in_care",
        "{poor} AND {disabled} AND p.wants_centralised_care",
        "p.care_centre = 1",
    ),
    (
        "poor_in_institution",
        "(p.extreme_poverty = 'centralised'"
        " OR (p.extreme_poverty = 'dispersed' AND p.wants_centralised_care))",
        "p.residential = 1",
    ),
    (
        "disabled_seniors_placed",
        "p.extreme_poverty = '' AND {disabled} AND (p.wants_centralised_care OR p.wants_day_care)",
        "p.placed = 1",
    ),
    ("key_seniors_paired_one_to_one", "{key}", "p.one_to_one = 1"),
    ("other_seniors_grid_covered", "{other}", "p.paired = 1"),
    ("paired_seniors_visited_on_time", "p.paired = 1", "p.overdue = 0"),
    ("family_doctor_signed", "1 = 1", "p.doctor = 1"),
    ("family_care_beds", "1 = 1", "p.family_care_bed_on <= %(on)s"),
    ("home_adaptations", "1 = 1", "p.home_adaptation_on <= %(on)s"),
    ("key_seniors_with_wristband", "{wristband}", "p.wristband_on <= %(on)s"),
)  # fmt: skip


PAIRING_CODE = "key_seniors_paired_one_to_one"


def _predicates(code: str, rule: PeopleRule, params: dict) -> dict[str, str]:
    """The person-level rules as SQL over ``p``, with ``rule``'s choices. Each is the twin of a
    queryset filter in ``seniors.selectors`` (named beside it); the parity test
    (``tests/test_people_parity.py``) holds the pairs equal on generated people."""
    marks = []
    for i, level in enumerate(rule.disabled_levels):
        if level not in AssessmentLevel.values:
            continue  # Indicator.clean refuses it; never put an unknown word in the SQL
        params[f"{code}_level{i}"] = level
        marks.append(f"%({code}_level{i})s")
    # seniors.selectors.disabled_q
    disabled = f"p.level IN ({', '.join(marks)})" if marks else "1 = 0"
    low = "(p.subsistence_allowance OR p.low_income)"
    # seniors.selectors.key_target_q
    if rule.key_reading == KeyReading.DISABLED_OF_HOUSEHOLDS:
        key = (
            f"(p.extreme_poverty = 'dispersed'"
            f" OR (({low} OR p.family_planning_special) AND {disabled}))"
        )
    else:
        key = (
            f"(p.extreme_poverty = 'dispersed' OR {low}"
            f" OR (p.family_planning_special AND {disabled}))"
        )
    return {
        "poor": "p.extreme_poverty <> ''",
        "disabled": disabled,
        "key": key,
        # seniors.selectors.other_target_q
        "other": (
            f"(NOT {key} AND (p.birth_date <= %(eighty)s"
            " OR p.living_situation IN ('alone', 'left_behind')))"
        ),
        "wristband": (
            f"(p.extreme_poverty = 'dispersed' OR {low} OR p.birth_date <= %(eighty)s"
            " OR p.living_situation = 'alone' OR p.family_planning_special)"
        ),
        # seniors.selectors.counted_place_q
        "place": "1 = 1" if rule.count_communities else "p.counted_place = 1",
    }


def people_rules() -> dict[str, PeopleRule]:
    """Each people indicator's choices (``coverage.definitions``), from its parameters."""
    stored = dict(
        Indicator.objects.filter(code__in=[c for c, _d, _n in SENIOR_COLUMNS]).values_list(
            "code", "parameters"
        )
    )
    return {code: rule_of(code, stored.get(code)) for code, _d, _n in SENIOR_COLUMNS}


def _person_sql(
    on: datetime.date, prefixes: list[str] | None, rules: dict[str, PeopleRule]
) -> tuple[str, dict]:
    """One row per person in the ledger on ``on``: ``id``, ``village_id``, the person-level
    rules on their own (``is_disabled``, ``is_key``, ``is_other``, ``is_counted_place``,
    ``has_doctor``, ``is_paired``, ``has_one_to_one``, ``is_overdue``) and, per indicator,
    ``d_<code>`` / ``n_<code>`` (1 when the person is in its denominator / numerator).

    The facts ``p`` are read as of the day: the level of the latest assessment (``lv``; twin
    of ``seniors.selectors.with_facts_on``), the category period in force (``c``; twin of
    ``seniors.selectors.periods_on``), a family-doctor contract in force (``fd``; twin of
    ``seniors.selectors.contracts_on``), open pairings with the last visit (``pr``; twins of
    ``volunteers.pairings.open_pairings_on`` and ``pairings_with_status``) and open
    placements (``pl``)."""
    tables = {
        "senior": Senior._meta.db_table,
        "region": Region._meta.db_table,
        "assessment": Assessment._meta.db_table,
        "period": CategoryPeriod._meta.db_table,
        "contract": FamilyDoctorContract._meta.db_table,
        "visit": Visit._meta.db_table,
        "pairing": Pairing._meta.db_table,
        "placement": Placement._meta.db_table,
        "facility": Facility._meta.db_table,
    }
    params: dict = {
        "on": _date(on),
        "eighty": _date(years_before(on, 80)),
        "visits_before": _datetime(_local_midnight(on + datetime.timedelta(days=1))),
        "village_kind": RegionKind.VILLAGE.value,
    }
    # overdue (as volunteers.pairings.pairings_with_status): more than the interval has passed
    # since the later of the last visit and the pairing's start. One WHEN per distinct interval.
    intervals = sorted(
        Pairing.objects.order_by().values_list("visit_interval_days", flat=True).distinct()
    )
    whens = []
    for i, days in enumerate(intervals):
        cut = on - datetime.timedelta(days=days)
        params[f"days{i}"] = days
        params[f"cut{i}"] = _date(cut)
        params[f"cutat{i}"] = _datetime(_local_midnight(cut))
        whens.append(
            f"WHEN p.visit_interval_days = %(days{i})s AND p.started_on < %(cut{i})s"
            f" AND (v.last_at IS NULL OR v.last_at < %(cutat{i})s) THEN 1"
        )
    overdue = f"CASE {' '.join(whens)} ELSE 0 END" if whens else "0"
    # the person-level rules on their own, with the one-to-one indicator's choices: what the
    # parity test compares with the querysets of seniors.selectors and volunteers.pairings
    facts = _predicates("facts", rules.get(PAIRING_CODE, PeopleRule()), params)
    flags = [
        f"CASE WHEN {facts['disabled']} THEN 1 ELSE 0 END AS is_disabled",
        f"CASE WHEN {facts['key']} THEN 1 ELSE 0 END AS is_key",
        f"CASE WHEN {facts['other']} THEN 1 ELSE 0 END AS is_other",
        f"CASE WHEN {facts['place']} THEN 1 ELSE 0 END AS is_counted_place",
        "p.doctor AS has_doctor",
        "p.paired AS is_paired",
        "p.one_to_one AS has_one_to_one",
        "p.overdue AS is_overdue",
    ]
    for code, denominator, numerator in SENIOR_COLUMNS:
        predicates = _predicates(code, rules.get(code, PeopleRule()), params)
        den = f"({denominator.format(**predicates)}) AND {predicates['place']}"
        num = numerator.format(**predicates)
        flags.append(f"CASE WHEN {den} THEN 1 ELSE 0 END AS d_{code}")
        flags.append(f"CASE WHEN ({den}) AND {num} THEN 1 ELSE 0 END AS n_{code}")
    region_sql = ""
    if prefixes:
        for i, prefix in enumerate(prefixes):
            params[f"prefix{i}"] = f"{prefix}%"
        region_sql = (
            "AND ("
            + " OR ".join(f"s.village_id LIKE %(prefix{i})s" for i in range(len(prefixes)))
            + ")"
        )
    categories = ", ".join(
        f"COALESCE(c.{name}, {default}) AS {name}"
        for name, default in (
            ("extreme_poverty", "''"),
            ("subsistence_allowance", "FALSE"),
            ("low_income", "FALSE"),
            ("family_planning_special", "FALSE"),
            ("living_situation", "'with_family'"),
            ("wants_centralised_care", "FALSE"),
            ("wants_day_care", "FALSE"),
        )
    )
    sql = f"""
        SELECT p.id, p.village_id, {", ".join(flags)}
        FROM (
        SELECT s.id, s.village_id, s.birth_date, s.family_care_bed_on, s.home_adaptation_on,
            s.wristband_on,
            CASE WHEN r.kind = %(village_kind)s OR r.counts_as_village THEN 1 ELSE 0 END
                AS counted_place,
            COALESCE(lv.level, '') AS level,
            {categories},
            CASE WHEN fd.senior_id IS NULL THEN 0 ELSE 1 END AS doctor,
            COALESCE(pr.one_to_one, 0) AS one_to_one,
            COALESCE(pr.paired, 0) AS paired,
            COALESCE(pr.overdue, 0) AS overdue,
            COALESCE(pl.care_centre, 0) AS care_centre,
            COALESCE(pl.residential, 0) AS residential,
            COALESCE(pl.placed, 0) AS placed
        FROM {tables["senior"]} s
        JOIN {tables["region"]} r ON r.code = s.village_id
        LEFT JOIN (
            SELECT senior_id, level FROM (
                SELECT senior_id, level, ROW_NUMBER() OVER (
                    PARTITION BY senior_id ORDER BY assessed_on DESC, id DESC
                ) AS n
                FROM {tables["assessment"]} WHERE assessed_on <= %(on)s
            ) latest WHERE n = 1
        ) lv ON lv.senior_id = s.id
        LEFT JOIN {tables["period"]} c ON c.senior_id = s.id
            AND (c.valid_from IS NULL OR c.valid_from <= %(on)s)
            AND (c.valid_to IS NULL OR c.valid_to > %(on)s)
        LEFT JOIN (
            SELECT DISTINCT senior_id FROM {tables["contract"]}
            WHERE signed_on <= %(on)s AND ends_on > %(on)s
        ) fd ON fd.senior_id = s.id
        LEFT JOIN (
            SELECT p.senior_id,
                MAX(CASE WHEN p.mode = 'one_to_one' THEN 1 ELSE 0 END) AS one_to_one,
                1 AS paired,
                MAX({overdue}) AS overdue
            FROM {tables["pairing"]} p
            LEFT JOIN (
                SELECT senior_id, MAX(visited_at) AS last_at FROM {tables["visit"]}
                WHERE visited_at < %(visits_before)s AND senior_id IN (
                    SELECT senior_id FROM {tables["pairing"]}
                    WHERE started_on <= %(on)s AND (ended_on IS NULL OR ended_on > %(on)s)
                )
                GROUP BY senior_id
            ) v ON v.senior_id = p.senior_id
            WHERE p.started_on <= %(on)s AND (p.ended_on IS NULL OR p.ended_on > %(on)s)
            GROUP BY p.senior_id
        ) pr ON pr.senior_id = s.id
        LEFT JOIN (
            SELECT pl.senior_id,
                MAX(CASE WHEN pl.kind <> 'day_care' AND f.kind = 'care_centre' THEN 1 ELSE 0 END)
                    AS care_centre,
                MAX(CASE WHEN pl.kind <> 'day_care' THEN 1 ELSE 0 END) AS residential,
                1 AS placed
            FROM {tables["placement"]} pl JOIN {tables["facility"]} f ON f.id = pl.facility_id
            WHERE pl.admitted_on <= %(on)s
                AND (pl.discharged_on IS NULL OR pl.discharged_on > %(on)s)
            GROUP BY pl.senior_id
        ) pl ON pl.senior_id = s.id
        -- seniors.selectors.in_ledger_q
        WHERE s.registered_on <= %(on)s AND (s.status = 'active' OR s.status_on > %(on)s)
            {region_sql}
        ) p
    """
    return sql, params


def _senior_sql(
    on: datetime.date, prefixes: list[str] | None, rules: dict[str, PeopleRule] | None = None
) -> tuple[str, dict]:
    """The people indicators' tallies per village: ``_person_sql`` summed."""
    person, params = _person_sql(on, prefixes, rules if rules is not None else people_rules())
    sums = ", ".join(
        f"SUM(d_{code}) AS d_{code}, SUM(n_{code}) AS n_{code}" for code, _d, _n in SENIOR_COLUMNS
    )
    sql = f"SELECT village_id, {sums} FROM ({person}) persons GROUP BY village_id"
    return sql, params


def _seniors(leaves: _Leaves, on: datetime.date, prefixes: list[str] | None) -> None:
    sql, params = _senior_sql(on, prefixes)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            village, values = row[0], row[1:]
            for i, (code, _den, _num) in enumerate(SENIOR_COLUMNS):
                denominator, numerator = values[2 * i], values[2 * i + 1]
                if denominator:
                    leaves.add(code, village, numerator, denominator)


# --- the facilities: one annotated query, judged facility by facility ------------------------


def _operating(facility, on: datetime.date) -> bool:
    if facility.opened_on is None or facility.opened_on > on:
        return False
    return not (facility.status in STOPPED and facility.status_on and facility.status_on <= on)


def _township_code(code: str) -> str:
    return code[:9] + "000"


def _facilities(
    leaves: _Leaves,
    on: datetime.date,
    prefixes: list[str] | None,
    targets: dict[str, Target],
    indicators: dict[str, Indicator],
    villages_served: set[str],
) -> None:
    last_check = QualityCheck.objects.filter(facility=OuterRef("pk"), checked_on__lte=on).order_by(
        "-checked_on", "-id"
    )
    upgraded = UpgradeProject.objects.filter(
        facility=OuterRef("pk"), kind=ProjectKind.UPGRADE, status__in=DONE, completed_on__lte=on
    )
    active_indicators = BasicIndicator.objects.filter(active=True).count()
    indicators_met = (
        IndicatorCheck.objects.filter(
            project__facility=OuterRef("pk"),
            project__status__in=DONE,
            project__completed_on__lte=on,
            indicator__active=True,
            met=True,
            checked_on__lte=on,
        )
        .order_by()
        .values("project__facility")
        .annotate(n=Count("indicator", distinct=True))
        .values("n")
    )
    facilities = (
        with_figures(Facility.objects.filter(_region_q("region__code", prefixes)), on)
        .annotate(
            last_check_passed=Subquery(last_check.values("passed")[:1]),
            upgraded=Exists(upgraded),
            indicators_met=Coalesce(
                Subquery(indicators_met, output_field=IntegerField()), Value(0)
            ),
            lead_region=F("lead_centre__region_id"),
            lead_opened_on=F("lead_centre__opened_on"),
        )
        .order_by()
    )
    # 三(三): each home and centre, each year — the day's year's row only (no older year's)
    funds = {
        row["facility_id"]: row
        for row in OperatingFund.objects.filter(
            _region_q("facility__region__code", prefixes), year=on.year
        ).values("facility_id", "operating_funds", "residents_basic_allowance")
    }
    _awards(leaves, on, prefixes)
    min_area = indicators["service_centres"].min_area if "service_centres" in indicators else None
    functions = _required_functions(indicators)
    funds_target = targets.get("operating_funds_ratio")

    for f in facilities:
        kind, region = f.kind, f.region_id
        operating = _operating(f, on)
        if kind == Kind.NURSING_HOME and f.upgraded:
            leaves.add("nursing_homes_upgraded", region, 1, 0)
        if not operating:
            continue
        township = _township_code(region)
        if kind == Kind.CARE_CENTRE:
            leaves.add("care_centres", region, 1, 0)
            by_operator = bool(f.run_by_institution_since and f.run_by_institution_since <= on)
            leaves.add("care_centres_run_by_operator", region, int(by_operator), 1)
            _quality(leaves, "care_centres_quality", region, f)
            if f.beds_count:
                target = targets.get("care_centre_nursing_bed_ratio")
                share = HUNDRED * f.nursing_beds_count / f.beds_count
                meets = bool(target.is_met(share)) if target else False
                leaves.judged(
                    "care_centre_nursing_bed_ratio", region, f, meets,
                    f.nursing_beds_count, f.beds_count,
                    value=_pct(f.nursing_beds_count, f.beds_count),
                )  # fmt: skip
            if f.residents_count:
                _staffing(leaves, "care_centre_staffing", region, f, f.residents_count,
                          f.service_staff_count, targets)  # fmt: skip
        elif kind == Kind.NURSING_HOME:
            socialised = (
                f.operation_mode == "socialised"
                and f.run_by_institution_since is not None
                and f.run_by_institution_since <= on
            )
            leaves.add("nursing_homes_socialised", region, int(socialised), 1)
            _quality(leaves, "homes_and_centres_quality", region, f)
            registered = bool(
                f.legal_person_registered_on
                and f.legal_person_registered_on <= on
                and f.filed_on
                and f.filed_on <= on
            )
            leaves.judged(
                "nursing_homes_registered", region, f, registered, int(registered), 1,
                why="not_registered",
            )  # fmt: skip
            if f.retention == Retention.RETAINED:
                meets = active_indicators > 0 and f.indicators_met >= active_indicators
                leaves.add("nursing_homes_meeting_basic_indicators", region, int(meets), 1)
            if f.residents_count:
                _staffing(leaves, "nursing_home_staffing", region, f, f.residents_count,
                          f.management_and_service_staff_count, targets)  # fmt: skip
        elif kind == Kind.SERVICE_CENTRE:
            # 二(三): 面积原则上不低于800平方米 — smaller (or unmeasured) centres are not counted
            big = min_area is None or (f.floor_area is not None and f.floor_area >= min_area)
            area = "" if f.floor_area is None else f"{f.floor_area.normalize():f} ㎡"
            leaves.add(
                "service_centres", region, int(big), 0, 1, int(big),
                None if big else _failing(f, "small_area", area),
            )  # fmt: skip
            by_operator = bool(f.run_by_institution_since and f.run_by_institution_since <= on)
            leaves.add("service_centres_run_by_operator", region, int(by_operator), 1)
            _quality(leaves, "homes_and_centres_quality", region, f)
            leaves.add("township_award", township, 0, 1)
        elif kind == Kind.MUTUAL_AID_POINT:
            leaves.add("mutual_aid_points", region, 1, 0)
            # 中心带点: led by an operating service centre of the point's own township
            led = bool(
                f.lead_region
                and f.lead_region[:9] == region[:9]
                and f.lead_opened_on is not None
                and f.lead_opened_on <= on
            )
            leaves.add("points_led_by_centre", region, int(led), 1)
            if f.large_village:
                fit = (
                    f.siting == Siting.STANDALONE
                    and f.floor_area is not None
                    and f.floor_area >= 100
                    and f.has_dining_room
                    and f.has_rest_room
                    and f.has_activity_room
                    and f.has_rehab_room
                    and f.has_library
                )
                leaves.add("large_points_min_area", region, int(fit), 1)
        if len(region) == 12:
            if kind == Kind.SERVICE_CENTRE:
                villages_served.add(region)  # the village hosting a centre
            elif kind == Kind.MUTUAL_AID_POINT:
                missing = [code for code in functions if not getattr(f, FUNCTION_FIELDS[code])]
                if missing:  # a point without the plan's functions does not make a village's
                    leaves.add(
                        "villages_with_point", region,
                        failing=_failing(f, "missing_functions", ",".join(missing)),
                    )  # fmt: skip
                else:
                    villages_served.add(region)
        if kind in (Kind.NURSING_HOME, Kind.CARE_CENTRE):
            leaves.add("caregivers_certified", region, f.certified_caregivers_count,
                       f.caregivers_count)  # fmt: skip
        if kind in FUNDED_KINDS:  # the same rule as facilities.selectors.funds_report_missing
            fund = funds.get(f.pk)
            if fund is None:
                leaves.judged("operating_funds_ratio", region, f, False, why="no_report",
                              value=str(on.year))  # fmt: skip
            else:
                paid, allowance = fund["operating_funds"], fund["residents_basic_allowance"]
                # no centrally supported resident that year: 15 % of nothing is met
                share = HUNDRED * paid / allowance if allowance else None
                meets = share is None or bool(funds_target and funds_target.is_met(share))
                leaves.judged(
                    "operating_funds_ratio", region, f, meets, paid, allowance,
                    value=_pct(paid, allowance) if allowance else "",
                )  # fmt: skip
    # villages served by an operating point or centre elsewhere (merged villages, the host);
    # a point serving another village must offer the functions too
    offers = Q()
    for code in functions:
        offers &= Q(**{f"facility__{FUNCTION_FIELDS[code]}": True})
    served = (
        Facility.served_regions.through.objects.filter(
            Q(facility__kind=Kind.SERVICE_CENTRE)
            | (Q(facility__kind=Kind.MUTUAL_AID_POINT) & offers),
            facility__opened_on__lte=on,
        )
    ).exclude(facility__status__in=STOPPED, facility__status_on__lte=on)
    if prefixes:
        served = served.filter(_region_q("region__code", prefixes))
    villages_served.update(served.values_list("region_id", flat=True))


def _required_functions(indicators: dict[str, Indicator]) -> list[str]:
    indicator = indicators.get("villages_with_point")
    codes = indicator.required_functions if indicator is not None else []
    return [code for code in codes or () if code in FUNCTION_FIELDS]


def _quality(leaves: _Leaves, code: str, region: str, f) -> None:
    """Judged as a share; the institutions whose latest check failed (or that have none) are
    named."""
    passed = bool(f.last_check_passed)
    why = "no_check" if f.last_check_passed is None else "check_failed"
    leaves.judged(code, region, f, passed, int(passed), 1, why=why)


def _awards(leaves: _Leaves, on: datetime.date, prefixes: list[str] | None) -> None:
    """三(二) 先建后补: every award paid by the day, to the township of its centre or point, and
    whether the project was built and accepted before it was paid (completed and accepted, no
    acceptance milestone done after the payment)."""
    accepted_late = Milestone.objects.filter(project=OuterRef("pk"), name__contains="验收").filter(
        Q(done_on__isnull=True) | Q(done_on__gt=OuterRef("award_paid_on"))
    )
    awards = (
        UpgradeProject.objects.filter(
            _region_q("facility__region__code", prefixes),
            facility__kind__in=[Kind.SERVICE_CENTRE, Kind.MUTUAL_AID_POINT],
            award_paid_on__lte=on,
            award_amount__isnull=False,
        )
        .annotate(accepted_late=Exists(accepted_late))
        .order_by()
        .values(
            "pk", "facility_id", "facility__name", "facility__region_id", "title", "status",
            "completed_on", "award_paid_on", "award_amount", "accepted_late",
        )
    )  # fmt: skip
    for row in awards:
        built_first = (
            row["status"] == ProjectStatus.ACCEPTED
            and row["completed_on"] is not None
            and row["completed_on"] <= row["award_paid_on"]
            and not row["accepted_late"]
        )
        failing = None
        if not built_first:
            failing = {
                "id": row["facility_id"],
                "name": f"{row['facility__name']} · {row['title']}",
                "why": "paid_before_built",
                "value": row["award_paid_on"].isoformat(),
            }
        township = _township_code(row["facility__region_id"])
        leaves.add("township_award", township, row["award_amount"], 0, 1, int(built_first), failing)


def _staffing(leaves, code, region, facility, residents, staff, targets) -> None:
    """1:3 or 1:10: residents per counted staff member, at most the target."""
    target = targets.get(code)
    value = Decimal(residents) / staff if staff else None
    meets = bool(staff) and bool(target.is_met(value) if target else False)
    shown = f"1 : {value.quantize(Decimal('0.1'))}" if value is not None else ""
    leaves.judged(code, region, facility, meets, residents, staff,
                  why="below" if staff else "no_staff", value=shown)  # fmt: skip


# --- the village network --------------------------------------------------------------------


def _village_network(
    leaves: _Leaves,
    on: datetime.date,
    prefixes: list[str] | None,
    villages: list[str],
    villages_served: set[str],
) -> None:
    active_group = Q(founded_on__lte=on) & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
    groups = (
        Group.objects.filter(active_group, _region_q("region__code", prefixes))
        .order_by()
        .values_list("kind", "region_id")
        .distinct()
    )
    with_team, with_association, groups_covered = set(), set(), defaultdict(int)
    for kind, region in groups:
        if kind == GroupKind.VOLUNTEER_TEAM:
            with_team.add(region[:12])
        elif kind == GroupKind.ELDERS_ASSOCIATION:
            with_association.add(region[:12])
        elif kind == GroupKind.MUTUAL_AID_GROUP and len(region) == 15:
            groups_covered[region[:12]] += 1
    with_assistant = set(
        ElderlyCareAssistant.objects.filter(
            _region_q("village__code", prefixes), started_on__lte=on
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .order_by()
        .values_list("village_id", flat=True)
        .distinct()
    )
    villager_groups = dict(
        Region.objects.filter(level=Level.GROUP)
        .filter(_region_q("code", prefixes))
        .order_by()
        .values("parent_id")
        .annotate(n=Count("code"))
        .values_list("parent_id", "n")
    )
    for village in villages:
        leaves.add("villages_with_point", village, int(village in villages_served), 1)
        leaves.add("villages_with_assistant", village, int(village in with_assistant), 1)
        leaves.add("villages_with_volunteer_team", village, int(village in with_team), 1)
        leaves.add("villages_with_elders_association", village, int(village in with_association), 1)
        groups_there = villager_groups.get(village, 0)
        leaves.add(
            "groups_with_mutual_aid_group",
            village,
            min(groups_covered.get(village, 0), groups_there),
            groups_there,
        )


# --- trained people: distinct per region, counted by the database ---------------------------


def _trained(on: datetime.date, region_prefixes: dict[str, str]) -> dict[tuple[str, str], Tally]:
    codes = {
        TrainingKind.DIRECTOR: "directors_trained",
        TrainingKind.CAREGIVER: "caregivers_trained",
    }
    out: dict[tuple[str, str], Tally] = {}
    base = TrainingAttendance.objects.filter(
        passed=True, session__held_on__lte=on, session__kind__in=list(codes)
    )
    lengths = sorted({len(p) for p in region_prefixes if len(p) < 12})
    for length in lengths:
        rows = (
            base.annotate(prefix=Substr("session__region_id", 1, length))
            .order_by()
            .values("session__kind", "prefix")
            .annotate(n=Count("id_number", distinct=True))
        )
        for row in rows:
            region = region_prefixes.get(row["prefix"])
            if region is not None:
                out[codes[row["session__kind"]], region] = Tally(numerator=row["n"])
    return out


# --- the whole computation ------------------------------------------------------------------


def counted_villages(prefixes: list[str] | None = None) -> list[str]:
    """The villages the village indicators count: every 村, and the communities (社区) the
    bureau counts as villages."""
    return list(
        Region.objects.filter(level=Level.VILLAGE)
        .filter(Q(kind=RegionKind.VILLAGE) | Q(counts_as_village=True))
        .filter(_region_q("code", prefixes))
        .values_list("code", flat=True)
    )


def _value(unit: str, tally: Tally) -> Decimal | None:
    if unit == Unit.COUNT:
        return Decimal(tally.numerator)
    if not tally.denominator:
        return None
    share = Decimal(tally.numerator) / Decimal(tally.denominator)
    if unit == Unit.PERCENT:
        share *= HUNDRED
    return share.quantize(Decimal("0.0001"))


def compute(on: datetime.date, *, townships: list[str] | None = None, run=None) -> Result:
    """Compute every indicator for every region as of ``on`` and write the snapshots."""
    started = time.perf_counter()
    counter = QueryCounter()
    outermost = not connection.in_atomic_block
    with connection.execute_wrapper(counter), transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:  # every read sees the same moment
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # the planner's JIT costs more than it saves on these short aggregations
                # (measured: 1.6 s of the facilities' 2.0 s at a province's scale)
                cursor.execute("SET LOCAL jit = off")
        snapshots, prefixes = _snapshots(on, townships, run)
        old = Snapshot.objects.filter(date=on)
        if prefixes:
            old = old.filter(
                _region_q("region__code", prefixes)
                | Q(region__level__in=[Level.PROVINCE, Level.CITY, Level.DISTRICT])
            )
        old.delete()
        _insert(snapshots)
    return Result(
        date=on,
        rows=len(snapshots),
        regions=len({row[1] for row in snapshots}),
        queries=counter.count,
        seconds=time.perf_counter() - started,
        townships=[p + "000" for p in prefixes or ()],
    )


COLUMNS = (
    "date", "region_id", "indicator_id", "numerator", "denominator", "value", "target", "met",
    "facilities", "facilities_meeting", "run_id", "judgement", "reason", "failing",
)  # fmt: skip


def _insert(rows: list[tuple]) -> None:
    """Write the rows in one statement: PostgreSQL's COPY, or one executemany elsewhere (a
    constant number of queries however many regions there are)."""
    table = Snapshot._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row[:-1], json.dumps(row[-1], ensure_ascii=False)))
            return
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})",
            [
                (
                    _date(row[0]),
                    *row[1:3],
                    *(_decimal(v) for v in row[3:7]),
                    *row[7:-1],
                    json.dumps(row[-1], ensure_ascii=False),
                )
                for row in rows
            ],
        )


def _decimal(value):
    return None if value is None else connection.ops.adapt_decimalfield_value(value)


def _snapshots(on: datetime.date, townships: list[str] | None, run) -> tuple[list, list | None]:
    prefixes = sorted({code[:9] for code in townships}) if townships else None
    indicators = {i.code: i for i in Indicator.objects.all()}
    plan = Plan.for_day(on)
    targets = (
        {t.indicator.code: t for t in Target.objects.filter(plan=plan).select_related("indicator")}
        if plan
        else {}
    )
    regions = list(
        Region.objects.exclude(level=Level.GROUP).values_list("code", "level").order_by()
    )
    level_of = dict(regions)
    prefix_to_region = {code[: PREFIX_LENGTH[level]]: code for code, level in regions}
    lengths = sorted({PREFIX_LENGTH[level] for _, level in regions}, reverse=True)

    leaves = _Leaves()
    villages = counted_villages(prefixes)
    villages_served: set[str] = set()
    _seniors(leaves, on, prefixes)
    _facilities(leaves, on, prefixes, targets, indicators, villages_served)
    _village_network(leaves, on, prefixes, villages, villages_served)

    # roll up: each leaf into every region whose prefix its code starts with
    totals: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for (code, leaf), tally in leaves.tallies.items():
        for length in lengths:
            region = prefix_to_region.get(leaf[:length])
            if region is not None:
                totals[code, region].add(tally)
    if prefixes:
        _add_other_townships(totals, on, prefixes, prefix_to_region, lengths, level_of)
    totals.update(_trained(on, prefix_to_region))
    # every count and share is written for the townships and above, zero or not
    for code in indicators:
        for region, level in regions:
            if LEVEL_RANK[level] > LEVEL_RANK[Level.TOWNSHIP]:
                continue
            if _in_scope(region, level, prefixes):
                totals.setdefault((code, region), Tally())

    snapshots = []
    for (code, region), tally in totals.items():
        indicator = indicators.get(code)
        level = level_of.get(region)
        if indicator is None or level is None:
            continue
        if level == Level.VILLAGE and code not in VILLAGE_LEVEL:
            continue
        if not _in_scope(region, level, prefixes):
            continue  # a township not recomputed keeps its rows
        if (
            level == Level.VILLAGE
            and code not in EVERY_VILLAGE
            and not (tally.numerator or tally.denominator)
        ):
            continue
        target = targets.get(code)
        applies = target is not None and target.applies_to(level)
        value = _value(indicator.unit, tally)
        judgement, reason = _judge(indicator, target, level, value, tally)
        met = {Judgement.MET: True, Judgement.NOT_MET: False}.get(judgement)
        judged_facilities = indicator.each_facility or tally.facilities > 0
        snapshots.append(
            (
                on,
                region,
                indicator.pk,
                Decimal(tally.numerator),
                Decimal(tally.denominator)
                if indicator.unit != Unit.COUNT or tally.denominator
                else None,
                value,
                target.value if applies else None,
                met,
                tally.facilities if judged_facilities else None,
                tally.facilities_meeting if judged_facilities else None,
                run.pk if run is not None else None,
                judgement,
                reason,
                sorted(tally.failing, key=lambda item: (item["name"], item["id"])),
            )
        )
    return snapshots, prefixes


# facility indicators: a region without the kind of facility counted has nothing to judge
FACILITY_GROUPS = frozenset(
    {IndicatorGroup.FACILITIES, IndicatorGroup.OPERATION, IndicatorGroup.MONEY}
)


def _judge(indicator: Indicator, target: Target | None, level: str, value, tally: Tally):
    """(judgement, reason): tracked where the plan sets no number; not applicable where the
    target is set for another level, or the region has nothing of the kind counted (no care
    centre to judge 1:3 by); else met or not met — every institution, for the indicators judged
    institution by institution."""
    if target is None or target.value is None:
        return Judgement.TRACKED, ""
    if not target.applies_to(level):
        return Judgement.NOT_APPLICABLE, Reason.LEVEL
    empty = Reason.NO_FACILITY if indicator.group in FACILITY_GROUPS else Reason.NONE_COUNTED
    if indicator.each_facility:
        if not tally.facilities:
            return Judgement.NOT_APPLICABLE, empty
        every = tally.facilities == tally.facilities_meeting
        return (Judgement.MET if every else Judgement.NOT_MET), ""
    if value is None:  # a share of nothing
        return Judgement.NOT_APPLICABLE, empty
    return (Judgement.MET if target.is_met(value) else Judgement.NOT_MET), ""


def _in_scope(region: str, level: str, prefixes: list[str] | None) -> bool:
    if not prefixes or LEVEL_RANK[level] < LEVEL_RANK[Level.TOWNSHIP]:
        return True
    return region[:9] in prefixes


def _add_other_townships(totals, on, prefixes, prefix_to_region, lengths, level_of) -> None:
    """The regions above the recomputed townships: the other townships' rows of the same day
    are added in as they stand (they have not changed)."""
    townships = [code for code, level in level_of.items() if level == Level.TOWNSHIP]
    others = [code for code in townships if code[:9] not in prefixes]
    rows = Snapshot.objects.filter(date=on, region_id__in=others).exclude(
        indicator__code__in=NOT_ADDITIVE
    )
    found = set(rows.values_list("region_id", flat=True).distinct())
    if set(others) - found:
        raise IncompleteDay(on)
    for code, region, numerator, denominator, facilities, meeting, failing in rows.values_list(
        "indicator__code", "region_id", "numerator", "denominator", "facilities",
        "facilities_meeting", "failing",
    ):  # fmt: skip
        tally = Tally(numerator, denominator or 0, facilities or 0, meeting or 0, failing)
        for length in lengths:
            if length >= 9:
                continue
            above = prefix_to_region.get(region[:length])
            if above is not None:
                totals[code, above].add(tally)
