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
import uuid
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
    Comparison,
    Indicator,
    Judgement,
    Leaf,
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
    """Tallies per (indicator code, region code) before the roll-up. With ``flush``, they are
    handed on (to the staging table) every ``FLUSH_EVERY`` tallies, so that memory does not
    grow with the number of institutions and villages: the roll-up adds the rows up anyway."""

    FLUSH_EVERY = 5000

    def __init__(self, flush=None) -> None:
        self.tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
        self.flush = flush
        self.flushed = 0

    def _tally(self, indicator: str, code: str) -> Tally:
        if self.flush is not None and len(self.tallies) >= self.FLUSH_EVERY:
            self.close()
        return self.tallies[indicator, code]

    def close(self) -> None:
        """Hand on what is tallied."""
        if self.flush is not None and self.tallies:
            self.flushed += self.flush(self.tallies)
            self.tallies = defaultdict(Tally)

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
        tally = self._tally(indicator, code)
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
    for level in rule.disabled_levels:
        if level not in AssessmentLevel.values:
            continue  # Indicator.clean refuses it; never put an unknown word in the SQL
        params[f"level_{level}"] = level  # named by its value: the same rule, the same SQL
        marks.append(f"%(level_{level})s")
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
    pairings = Pairing.objects.filter(_region_q("senior__village__code", prefixes))
    intervals = sorted(pairings.order_by().values_list("visit_interval_days", flat=True).distinct())
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
    # only the visits since the earliest cut can decide it (an older last visit is as overdue
    # as none): the window the database reads, rather than every visit ever made
    longest = max(intervals, default=0)
    params["visits_from"] = _datetime(_local_midnight(on - datetime.timedelta(days=longest)))
    # the person-level rules on their own, with the one-to-one indicator's choices: what the
    # parity test compares with the querysets of seniors.selectors and volunteers.pairings
    # each distinct rule is computed once a person, as a column of its own (``k0``, ``k1``, …)
    # that the indicators' conditions name: most indicators share their choices
    shared: dict[str, str] = {}

    def computed_once(predicates: dict[str, str]) -> dict[str, str]:
        return {
            name: f"p.{shared.setdefault(sql, f'k{len(shared)}')}"
            for name, sql in predicates.items()
        }

    facts = computed_once(_predicates("facts", rules.get(PAIRING_CODE, PeopleRule()), params))
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
        predicates = computed_once(_predicates(code, rules.get(code, PeopleRule()), params))
        den = f"({denominator.format(**predicates)}) AND {predicates['place']}"
        num = numerator.format(**predicates)
        flags.append(f"CASE WHEN {den} THEN 1 ELSE 0 END AS d_{code}")
        flags.append(f"CASE WHEN ({den}) AND {num} THEN 1 ELSE 0 END AS n_{code}")
    region_sql = only = ""
    if prefixes:
        for i, prefix in enumerate(prefixes):
            params[f"prefix{i}"] = f"{prefix}%"
        like = " OR ".join(f"{{c}}.village_id LIKE %(prefix{i})s" for i in range(len(prefixes)))
        region_sql = f"AND ({like.format(c='s')})"
        # the records of the region's people only, so that a township costs its own rows
        only = (
            f"AND senior_id IN (SELECT o.id FROM {tables['senior']} o WHERE {like.format(c='o')})"
        )
    columns = ", ".join(f"({sql}) AS {name}" for sql, name in shared.items())
    # keeps the database from folding the columns back into every condition that names them
    fence = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
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
        FROM (SELECT p.*, {columns} FROM (
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
                FROM {tables["assessment"]} WHERE assessed_on <= %(on)s {only}
            ) latest WHERE n = 1
        ) lv ON lv.senior_id = s.id
        LEFT JOIN (
            SELECT * FROM {tables["period"]}
            WHERE (valid_from IS NULL OR valid_from <= %(on)s)
                AND (valid_to IS NULL OR valid_to > %(on)s) {only}
        ) c ON c.senior_id = s.id
        LEFT JOIN (
            SELECT DISTINCT senior_id FROM {tables["contract"]}
            WHERE signed_on <= %(on)s AND ends_on > %(on)s {only}
        ) fd ON fd.senior_id = s.id
        LEFT JOIN (
            SELECT p.senior_id,
                MAX(CASE WHEN p.mode = 'one_to_one' THEN 1 ELSE 0 END) AS one_to_one,
                1 AS paired,
                MAX({overdue}) AS overdue
            FROM {tables["pairing"]} p
            LEFT JOIN (
                SELECT senior_id, MAX(visited_at) AS last_at FROM {tables["visit"]}
                WHERE visited_at >= %(visits_from)s AND visited_at < %(visits_before)s {only}
                    AND senior_id IN (
                    SELECT senior_id FROM {tables["pairing"]}
                    WHERE started_on <= %(on)s AND (ended_on IS NULL OR ended_on > %(on)s)
                )
                GROUP BY senior_id
            ) v ON v.senior_id = p.senior_id
            WHERE p.started_on <= %(on)s AND (p.ended_on IS NULL OR p.ended_on > %(on)s)
                {only.replace("senior_id", "p.senior_id")}
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
                {only.replace("senior_id", "pl.senior_id")}
            GROUP BY pl.senior_id
        ) pl ON pl.senior_id = s.id
        -- seniors.selectors.in_ledger_q
        WHERE s.registered_on <= %(on)s AND (s.status = 'active' OR s.status_on > %(on)s)
            {region_sql}
        ) p {fence}) p
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


def _stage_seniors(
    batch: str, on: datetime.date, prefixes: list[str] | None, ids: dict[str, int], table: str
) -> int:
    """The people indicators' tallies per village, written as staged leaves by the database
    (``_senior_sql`` turned into one row per village and indicator with a denominator)."""
    sql, params = _senior_sql(on, prefixes)
    columns = [(i, code) for i, (code, _d, _n) in enumerate(SENIOR_COLUMNS) if code in ids]
    if not columns:
        return 0
    pick = " ".join(f"WHEN {i} THEN v.{{kind}}_{code}" for i, code in columns)
    numerator, denominator = (f"CASE k.column1 {pick.format(kind=kind)} END" for kind in "nd")
    keys = ", ".join(f"({i}, {int(ids[code])})" for i, code in columns)
    with connection.cursor() as cursor:
        # the sums per village first, into a temporary table: PostgreSQL may read the people
        # with parallel workers for CREATE TABLE … AS, never for an INSERT
        cursor.execute(f"CREATE TEMPORARY TABLE {SENIOR_SUMS} AS {sql}", params)
        cursor.execute(
            f"""
            INSERT INTO {table} ({", ".join(LEAF_COLUMNS)})
            SELECT %s, k.column2, v.village_id, {numerator}, {denominator}, 0, 0, NULL, TRUE
            FROM {SENIOR_SUMS} v CROSS JOIN (VALUES {keys}) k
            WHERE {denominator} > 0
            """,
            [batch],
        )
        staged = cursor.rowcount
        cursor.execute(f"DROP TABLE {SENIOR_SUMS}")
    return staged


SENIOR_SUMS = "coverage_senior_sums"


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

    for f in facilities.iterator(chunk_size=2000):
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


LEAF_COLUMNS = (
    "batch", "indicator_id", "code", "numerator", "denominator", "facilities",
    "facilities_meeting", "failing", "rolls_up",
)  # fmt: skip
COLUMNS = (
    "date", "region_id", "indicator_id", "numerator", "denominator", "value", "target", "met",
    "facilities", "facilities_meeting", "run_id", "judgement", "reason", "failing",
)  # fmt: skip
ABOVE_TOWNSHIP = (Level.DISTRICT, Level.CITY, Level.PROVINCE)  # bottom up


def new_batch(run=None) -> str:
    """The key of one computation's staged leaves: the run's own (a run sent again stages
    under the same key, and a run given up can be cleaned up after), or a fresh one."""
    return f"run-{run.pk}" if run is not None else uuid.uuid4().hex


def compute(on: datetime.date, *, townships: list[str] | None = None, run=None) -> Result:
    """Compute every indicator for every region as of ``on`` (or only ``townships``, their
    villages and the regions above them) and write the snapshots, in one transaction: stage
    the leaves, roll them up in the database."""
    started = time.perf_counter()
    counter = QueryCounter()
    outermost = not connection.in_atomic_block
    with connection.execute_wrapper(counter), transaction.atomic():
        _session(outermost)
        context = _Context.of(on)
        context.leaves = _temporary_leaves()
        scope = Scope.of(townships)
        batch = new_batch()
        _stage(on, batch, scope.stage_prefixes, context, fresh=True)
        if connection.vendor == "postgresql":  # a new table has no statistics for the planner
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {context.leaves}")
        rows, regions = _roll_up(on, batch, scope, run, context)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {context.leaves}")
    return Result(
        date=on,
        rows=rows,
        regions=regions,
        queries=counter.count,
        seconds=time.perf_counter() - started,
        townships=scope.townships,
    )


TEMPORARY_LEAVES = "coverage_leaf_run"


def _temporary_leaves() -> str:
    """A temporary table shaped as the staging table, for a computation that stages and rolls
    up in one transaction: it is written without the database's log and dropped at the end
    (or with the transaction when it fails), and leaves no dead rows behind."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TEMPORARY_LEAVES} AS SELECT {', '.join(LEAF_COLUMNS)}"
            f" FROM {Leaf._meta.db_table} WHERE 1 = 0"
        )
    return TEMPORARY_LEAVES


@dataclass
class _Context:
    """What every stage of a computation reads first: the indicators, the plan in force and
    its targets."""

    indicators: dict[str, Indicator]
    plan: Plan | None
    targets: dict[str, Target]
    # where the leaves are staged: the shared (unlogged) table, or a computation's own
    # temporary table when it stages and rolls up in one transaction
    leaves: str = Leaf._meta.db_table

    @classmethod
    def of(cls, on: datetime.date) -> _Context:
        indicators = {i.code: i for i in Indicator.objects.all()}
        plan = Plan.for_day(on)
        targets = {}
        if plan is not None:
            targets = {t.indicator_id: t for t in Target.objects.filter(plan=plan)}
            by_id = {i.pk: code for code, i in indicators.items()}
            targets = {by_id[pk]: t for pk, t in targets.items() if pk in by_id}
        return cls(indicators, plan, targets)

    @property
    def ids(self) -> dict[str, int]:
        return {code: indicator.pk for code, indicator in self.indicators.items()}


# The planner settings of a computation's transaction (PostgreSQL):
# - JIT costs more than it saves on these short aggregations (1.6 s of the facilities' 2.0 s at
#   a province's scale);
# - the roll-up groups and joins a few hundred thousand rows: in memory, not spilled to disk;
# - the seniors' joins of five tables of a million rows are worth PostgreSQL's parallel workers,
#   which its default costs (tuned for many short queries) do not start for them (1 M seniors,
#   2 cores: 4.4 → 3.1 s). The benchmark's baseline runs with the same settings.
SESSION_SETTINGS = (
    ("jit", "off"),
    ("work_mem", "128MB"),
    ("parallel_setup_cost", "10"),
    ("parallel_tuple_cost", "0.001"),
)


def session_settings() -> None:
    """``SESSION_SETTINGS`` for the rest of the transaction."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, value in SESSION_SETTINGS:
            cursor.execute(f"SET LOCAL {name} = '{value}'")


def _session(outermost: bool) -> None:
    if connection.vendor != "postgresql":
        return
    if outermost:  # every read sees the same moment
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    session_settings()


@dataclass
class Scope:
    """What a computation writes: every region (``prefixes`` None), or the townships whose
    subtree prefixes are given, their villages and the regions above them (``ancestors``)."""

    prefixes: list[str] | None = None
    ancestors: dict[str, list[str]] = field(default_factory=dict)  # level → codes

    @classmethod
    def of(cls, townships: list[str] | None) -> Scope:
        if not townships:
            return cls()
        prefixes = sorted({code[:9] for code in townships})
        ancestors: dict[str, list[str]] = {}
        above = Region.objects.filter(level__in=ABOVE_TOWNSHIP).values_list("code", "level")
        for code, level in above:
            prefix = code[: PREFIX_LENGTH[level]]
            if any(p.startswith(prefix) for p in prefixes):
                ancestors.setdefault(level, []).append(code)
        return cls(prefixes, ancestors)

    @property
    def stage_prefixes(self) -> list[str] | None:
        """The leaves to stage: the townships' subtrees and the records held by the regions
        above them themselves (a district's care centre; a full code is its own prefix)."""
        if self.prefixes is None:
            return None
        return self.prefixes + [code for codes in self.ancestors.values() for code in codes]

    @property
    def townships(self) -> list[str]:
        return [p + "000" for p in self.prefixes or ()]


def stage(on: datetime.date, *, batch: str, prefixes: list[str] | None = None) -> int:
    """Compute the leaves of the regions whose code starts with one of ``prefixes`` (None:
    all) into the staging table under ``batch``, in the caller's transaction (or one of its
    own); the batch's earlier leaves there are deleted first, so a retried stage is
    idempotent. Returns the number of leaves staged."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        _session(outermost)
        return _stage(on, batch, prefixes, _Context.of(on))


def _stage(
    on: datetime.date,
    batch: str,
    prefixes: list[str] | None,
    context: _Context,
    *,
    fresh: bool = False,
) -> int:
    if not fresh:
        Leaf.objects.filter(batch=batch).filter(_region_q("code", prefixes)).delete()
    ids = context.ids
    staged = _stage_seniors(batch, on, prefixes, ids, context.leaves)
    leaves = _Leaves(lambda tallies: _write_leaves(batch, tallies, ids, context.leaves))
    villages_served: set[str] = set()
    _facilities(leaves, on, prefixes, context.targets, context.indicators, villages_served)
    _village_network(leaves, on, prefixes, counted_villages(prefixes), villages_served)
    leaves.close()
    return staged + leaves.flushed


def discard(batch: str) -> None:
    """Delete a batch's staged leaves (a computation that failed part-way)."""
    Leaf.objects.filter(batch=batch).delete()


def roll_up(
    on: datetime.date, *, batch: str, townships: list[str] | None = None, run=None
) -> Result:
    """Write the day's snapshots from the leaves staged under ``batch`` (every region, or
    ``townships``, their villages and the regions above them), in one transaction, and delete
    the batch's leaves."""
    started = time.perf_counter()
    counter = QueryCounter()
    scope = Scope.of(townships)
    outermost = not connection.in_atomic_block
    with connection.execute_wrapper(counter), transaction.atomic():
        _session(outermost)
        rows, regions = _roll_up(on, batch, scope, run, _Context.of(on))
    return Result(on, rows, regions, counter.count, time.perf_counter() - started,
                  scope.townships)  # fmt: skip


def _write_leaves(
    batch: str, tallies: dict[tuple[str, str], Tally], ids: dict[str, int], table: str
) -> int:
    """The leaves tallied in Python (institutions, villages' networks) into the staging
    table: one row per tally, and one more per failing institution after the first."""
    rows = []
    for (code, region), tally in tallies.items():
        indicator = ids.get(code)
        if indicator is None:
            continue
        failing = tally.failing or [None]
        rows.append((batch, indicator, region, tally.numerator, tally.denominator,
                     tally.facilities, tally.facilities_meeting, failing[0], True))  # fmt: skip
        rows.extend((batch, indicator, region, 0, 0, 0, 0, item, True) for item in failing[1:])
    _copy(table, LEAF_COLUMNS, rows)
    return len(rows)


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows into a table in one statement: PostgreSQL's COPY, one executemany elsewhere; the
    last column but one is JSON (or None)."""
    json_at = columns.index("failing")

    def encoded(row):
        value = row[json_at]
        return (*row[:json_at], None if value is None else json.dumps(value, ensure_ascii=False),
                *row[json_at + 1 :])  # fmt: skip

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(encoded(row))
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            [
                tuple(_decimal(v) if isinstance(v, Decimal) else v for v in encoded(row))
                for row in rows
            ],
        )


def _decimal(value):
    return None if value is None else connection.ops.adapt_decimalfield_value(value)


# --- the roll-up, in the database -----------------------------------------------------------


def _prefix_sql(alias: str) -> str:
    """A region's subtree prefix (``Region.prefix``) in SQL: its code cut at its level's
    length."""
    whens = " ".join(f"WHEN '{level}' THEN {length}" for level, length in PREFIX_LENGTH.items())
    return f"substr({alias}.code, 1, CASE {alias}.level {whens} END)"


def _json_sql() -> dict[str, str]:
    """The few JSON spellings that differ between PostgreSQL and SQLite."""
    if connection.vendor == "postgresql":
        return {
            # PostgreSQL sorts the failing institutions as Python would (code points)
            "agg": "jsonb_agg(p.item ORDER BY p.item->>'name' COLLATE \"C\","
            " (p.item->>'id')::bigint) FILTER (WHERE p.item IS NOT NULL)",
            "empty": "'[]'::jsonb",
            "items": "CROSS JOIN LATERAL jsonb_array_elements(s.failing) AS e(item)",
            "item": "e.item",
        }
    return {
        "agg": "json_group_array(json(p.item)) FILTER (WHERE p.item IS NOT NULL)",
        "empty": "'[]'",
        "items": "CROSS JOIN json_each(s.failing) AS e",
        "item": "e.value",
    }


def _roll_up(
    on: datetime.date, batch: str, scope: Scope, run, context: _Context
) -> tuple[int, int]:
    """Replace the day's snapshots of the scope from the staged leaves; returns (rows,
    regions) written. Every statement runs in the database: Python issues them."""
    snapshot, region = Snapshot._meta.db_table, Region._meta.db_table
    plan = context.plan
    params: dict = {"on": _date(on), "batch": batch, "plan": plan.pk if plan else None}
    if scope.prefixes:
        _check_day_complete(on, scope)
    # trained people: each region's own total (distinct people), never added up
    prefixes = dict(
        Region.objects.exclude(level__in=[Level.VILLAGE, Level.GROUP])
        .filter(_scope_q(scope))
        .values_list("code", "level")
    )
    trained = _trained(on, {code[: PREFIX_LENGTH[level]]: code for code, level in prefixes.items()})
    ids = context.ids
    _copy(
        context.leaves,
        LEAF_COLUMNS,
        [
            (batch, ids[code], code_of_region, tally.numerator, 0, 0, 0, None, False)
            for (code, code_of_region), tally in trained.items()
            if code in ids
        ],
    )
    # the day's rows of the scope go; a failure later rolls this back with the rest
    # (the scope's regions first, from the region table's prefix index, then their rows by
    # the snapshots' day-and-region index)
    old = Snapshot.objects.filter(date=on)
    if scope.prefixes:
        old = old.filter(region_id__in=Region.objects.filter(_scope_q(scope)).values("code"))
    old.delete()
    # villages and townships (every region on a full run) from their subtrees' leaves
    where = f"r.level <> '{Level.GROUP}'"
    if scope.prefixes:
        likes = []
        for i, prefix in enumerate(scope.prefixes):
            params[f"prefix{i}"] = f"{prefix}%"
            likes.append(f"r.code LIKE %(prefix{i})s")
        where = f"r.level IN ('{Level.VILLAGE}', '{Level.TOWNSHIP}') AND ({' OR '.join(likes)})"
    regions = f"SELECT r.code, r.level, {_prefix_sql('r')} AS prefix FROM {region} r WHERE {where}"
    # a leaf counts in each region whose prefix its code starts with (a group is no region
    # here): the sums by each prefix length are hashed in one pass each, and the few failing
    # institutions listed apart (an ordered list would make the database sort every leaf)
    lengths = [n for level, n in PREFIX_LENGTH.items() if level != Level.GROUP]
    leaves = f"{context.leaves} l WHERE l.batch = %(batch)s"
    numbers = " UNION ALL ".join(
        f"""SELECT l.indicator_id, substr(l.code, 1, {n}) AS prefix, SUM(l.numerator) AS n,
            SUM(l.denominator) AS d, SUM(l.facilities) AS f, SUM(l.facilities_meeting) AS fm
        FROM {leaves} AND l.rolls_up GROUP BY l.indicator_id, substr(l.code, 1, {n})"""
        for n in lengths
    )
    failing = " UNION ALL ".join(
        f"""SELECT l.indicator_id, substr(l.code, 1, {n}) AS prefix, l.failing AS item
        FROM {leaves} AND l.rolls_up AND l.failing IS NOT NULL"""
        for n in lengths
    )
    json_sql = _json_sql()
    rolled = f"""
        SELECT nb.indicator_id, m.code AS region_id, nb.n, nb.d, nb.f, nb.fm, fl.failing
        FROM ({numbers}) nb JOIN m ON m.prefix = nb.prefix
        LEFT JOIN (
            SELECT p.indicator_id, p.prefix, {json_sql["agg"]} AS failing
            FROM ({failing}) p GROUP BY p.indicator_id, p.prefix
        ) fl ON fl.indicator_id = nb.indicator_id AND fl.prefix = nb.prefix
        UNION ALL
        SELECT l.indicator_id, l.code, l.numerator, 0, 0, 0, NULL
        FROM {leaves} AND NOT l.rolls_up AND l.code IN (SELECT code FROM m)
    """
    written = _write(regions, rolled, params, run)
    # on a partial run, the regions above, level by level: their own leaves and their
    # children's rows of the day (the children recomputed just now and the others as they stand)
    for level in ABOVE_TOWNSHIP:
        codes = scope.ancestors.get(level) if scope.prefixes else None
        if not codes:
            continue
        marks = []
        for i, code in enumerate(codes):
            params[f"{level}{i}"] = code
            marks.append(f"%({level}{i})s")
        inside = ", ".join(marks)
        additive = ", ".join(f"'{code}'" for code in sorted(NOT_ADDITIVE))
        parts = f"""
            SELECT s.indicator_id, r.parent_id AS region_id, s.numerator AS n,
                COALESCE(s.denominator, 0) AS d, COALESCE(s.facilities, 0) AS f,
                COALESCE(s.facilities_meeting, 0) AS fm, NULL AS item
            FROM {snapshot} s JOIN {region} r ON r.code = s.region_id
            JOIN {Indicator._meta.db_table} i ON i.id = s.indicator_id
            WHERE s.date = %(on)s AND r.parent_id IN ({inside}) AND i.code NOT IN ({additive})
            UNION ALL
            SELECT s.indicator_id, r.parent_id, 0, 0, 0, 0, {json_sql["item"]}
            FROM {snapshot} s JOIN {region} r ON r.code = s.region_id
            {json_sql["items"]}
            WHERE s.date = %(on)s AND r.parent_id IN ({inside})
            UNION ALL
            SELECT l.indicator_id, l.code, l.numerator, l.denominator, l.facilities,
                l.facilities_meeting, l.failing
            FROM {context.leaves} l WHERE l.batch = %(batch)s AND l.code IN ({inside})
        """
        regions = (
            f"SELECT r.code, r.level, r.code AS prefix FROM {region} r WHERE r.code IN ({inside})"
        )
        rolled = f"""
            SELECT p.indicator_id, p.region_id, SUM(p.n) AS n, SUM(p.d) AS d, SUM(p.f) AS f,
                SUM(p.fm) AS fm, {json_sql["agg"]} AS failing
            FROM ({parts}) p GROUP BY p.indicator_id, p.region_id
        """
        written += _write(regions, rolled, params, run)
    if context.leaves == Leaf._meta.db_table:
        discard(batch)
    if connection.vendor != "postgresql":
        _sort_failing(on, scope)
    return written, _regions_written(on, scope)


def _write(regions: str, rolled: str, params: dict, run) -> int:
    """One ``INSERT … SELECT``: the tallies of ``rolled`` (indicator, region, numerator,
    denominator, institutions judged and meeting, the failing institutions as a JSON list)
    for the regions of ``regions`` (code, level, prefix; the CTE ``m``), judged against the
    plan's targets and written. Townships and above get every indicator, zero or not; villages
    the village indicators they have something for (and those written for every village)."""
    snapshot = Snapshot._meta.db_table
    indicator, target = Indicator._meta.db_table, Target._meta.db_table
    json_sql = _json_sql()
    village_codes = ", ".join(f"'{c}'" for c in sorted(VILLAGE_LEVEL))
    every_village = ", ".join(f"'{c}'" for c in sorted(EVERY_VILLAGE))
    upper = "', '".join([Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.TOWNSHIP])
    facility_groups = "', '".join(sorted(FACILITY_GROUPS))
    params = {**params, "run": run.pk if run is not None else None}
    sql = f"""
        INSERT INTO {snapshot} ({", ".join(COLUMNS)})
        WITH m AS ({regions}),
        rolled AS ({rolled}),
        x AS (
            SELECT m.code AS region_id, m.level, i.id AS indicator_id,
                COALESCE(r.n, 0) AS n, COALESCE(r.d, 0) AS d, COALESCE(r.f, 0) AS f,
                COALESCE(r.fm, 0) AS fm, r.failing
            FROM m CROSS JOIN {indicator} i
            LEFT JOIN rolled r ON r.region_id = m.code AND r.indicator_id = i.id
            WHERE m.level IN ('{upper}')
            UNION ALL
            SELECT r.region_id, m.level, r.indicator_id, r.n, r.d, r.f, r.fm, r.failing
            FROM rolled r JOIN m ON m.code = r.region_id AND m.level = '{Level.VILLAGE}'
            JOIN {indicator} i ON i.id = r.indicator_id
            WHERE i.code IN ({village_codes})
                AND (r.n <> 0 OR r.d <> 0 OR i.code IN ({every_village}))
        ),
        v AS (
            SELECT x.*, i.unit, i.each_facility, i."group" AS grp, t.value AS t_value,
                t.comparison, t.level AS t_level,
                CASE WHEN i.unit = '{Unit.COUNT}' THEN x.n
                    WHEN x.d = 0 THEN NULL
                    WHEN i.unit = '{Unit.PERCENT}' THEN ROUND(100.0 * x.n / x.d, 4)
                    ELSE ROUND(1.0 * x.n / x.d, 4) END AS value
            FROM x JOIN {indicator} i ON i.id = x.indicator_id
            LEFT JOIN {target} t ON t.indicator_id = i.id AND t.plan_id = %(plan)s
        ),
        j AS (
            SELECT v.*,
                CASE WHEN v.t_value IS NULL THEN '{Judgement.TRACKED}'
                    WHEN v.t_level <> '' AND v.t_level <> v.level
                        THEN '{Judgement.NOT_APPLICABLE}'
                    WHEN v.each_facility THEN CASE WHEN v.f = 0 THEN '{Judgement.NOT_APPLICABLE}'
                        WHEN v.f = v.fm THEN '{Judgement.MET}' ELSE '{Judgement.NOT_MET}' END
                    WHEN v.value IS NULL THEN '{Judgement.NOT_APPLICABLE}'
                    WHEN v.comparison = '{Comparison.AT_MOST}' THEN CASE
                        WHEN v.value <= v.t_value THEN '{Judgement.MET}'
                        ELSE '{Judgement.NOT_MET}' END
                    WHEN v.value >= v.t_value THEN '{Judgement.MET}'
                    ELSE '{Judgement.NOT_MET}' END AS judgement,
                CASE WHEN v.t_value IS NULL THEN ''
                    WHEN v.t_level <> '' AND v.t_level <> v.level THEN '{Reason.LEVEL}'
                    WHEN (v.each_facility AND v.f = 0) OR (NOT v.each_facility AND v.value IS NULL)
                        THEN CASE WHEN v.grp IN ('{facility_groups}') THEN '{Reason.NO_FACILITY}'
                            ELSE '{Reason.NONE_COUNTED}' END
                    ELSE '' END AS reason
            FROM v
        )
        SELECT %(on)s, j.region_id, j.indicator_id, j.n,
            CASE WHEN j.unit <> '{Unit.COUNT}' OR j.d <> 0 THEN j.d END, j.value,
            CASE WHEN j.t_value IS NOT NULL AND (j.t_level = '' OR j.t_level = j.level)
                THEN j.t_value END,
            CASE j.judgement WHEN '{Judgement.MET}' THEN TRUE
                WHEN '{Judgement.NOT_MET}' THEN FALSE END,
            CASE WHEN j.each_facility OR j.f > 0 THEN j.f END,
            CASE WHEN j.each_facility OR j.f > 0 THEN j.fm END,
            %(run)s, j.judgement, j.reason, COALESCE(j.failing, {json_sql["empty"]})
        FROM j
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _scope_q(scope: Scope, lookup: str = "code") -> Q:
    """The regions a computation writes, as a filter on ``lookup`` (a region code)."""
    if not scope.prefixes:
        return Q()
    above = [code for codes in scope.ancestors.values() for code in codes]
    return _region_q(lookup, scope.prefixes) | Q(**{f"{lookup}__in": above})


def _check_day_complete(on: datetime.date, scope: Scope) -> None:
    """A partial run adds the other townships' (and districts', cities') rows of the day: each
    of them must have its rows."""
    parents = [code for codes in scope.ancestors.values() for code in codes]
    siblings = (
        Region.objects.filter(parent_id__in=parents)
        .exclude(_region_q("code", scope.prefixes))
        .exclude(code__in=parents)
        .exclude(level__in=[Level.VILLAGE, Level.GROUP])
    )
    missing = siblings.exclude(Exists(Snapshot.objects.filter(date=on, region_id=OuterRef("code"))))
    if missing.exists():
        raise IncompleteDay(on)


def _sort_failing(on: datetime.date, scope: Scope) -> None:
    """SQLite (3.40) cannot order inside an aggregate: the lists of more than one institution
    are put in the order PostgreSQL writes them (name, then id; code points), in one
    statement."""
    table = Snapshot._meta.db_table
    where, params = "", [_date(on)]
    if scope.prefixes:
        above = [code for codes in scope.ancestors.values() for code in codes]
        likes = " OR ".join(["region_id LIKE %s"] * len(scope.prefixes))
        marks = ", ".join(["%s"] * len(above)) or "NULL"
        where = f"AND ({likes} OR region_id IN ({marks}))"
        params += [f"{prefix}%" for prefix in scope.prefixes] + above
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET failing = (
                SELECT json_group_array(json(value)) FROM (
                    SELECT value FROM json_each({table}.failing)
                    ORDER BY json_extract(value, '$.name'), json_extract(value, '$.id')
                )
            )
            WHERE date = %s AND json_array_length(failing) > 1 {where}
            """,
            params,
        )


def _regions_written(on: datetime.date, scope: Scope) -> int:
    """The regions in the scope that have rows of the day (one index probe each)."""
    return (
        Region.objects.filter(_scope_q(scope))
        .filter(Exists(Snapshot.objects.filter(date=on, region_id=OuterRef("code"))))
        .count()
    )


# facility indicators: a region without the kind of facility counted has nothing to judge
FACILITY_GROUPS = frozenset(
    {IndicatorGroup.FACILITIES, IndicatorGroup.OPERATION, IndicatorGroup.MONEY}
)
