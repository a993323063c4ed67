"""A synthetic province for the coverage benchmark, written straight into the database.

``generate(on, townships=…, villages=…, seniors=…)`` fills a province under the code prefix
``51`` (Wulong is ``500156…``, so the two never meet) with regions, seniors, assessments,
visits, volunteers and pairings, placements, facilities with beds, staff, certificates,
quality checks, projects, operating funds, groups, assistants and trainings, in realistic
proportions. Every table is filled by one set-based ``INSERT … SELECT … FROM generate_series``
on PostgreSQL, so a million seniors take a minute or two, not hours. Nothing is random: every
attribute is a hash of the row number (``hashint8extended``), and every date is counted back
from ``on``, so the same arguments give the same data.

Shape (``T`` townships, ``V`` villages, ``S`` seniors):

* province ``510000000000``; a district per 25 townships, a city per 10 districts;
  township ``t`` (0-based) is number ``t % 25 + 1`` of district ``t // 25``; village ``j`` is
  number ``j // T + 1`` of township ``j % T``. Village ``j`` is a 社区 counted as a village
  when ``j % 20 == 9``, a 社区 not counted when ``j % 20 == 19``, a 村 otherwise; it has
  ``4 + j % 5`` villager groups.
* facilities: a care centre per district, a nursing home and a service centre per township
  (the township's code), a mutual-aid point in village ``j`` unless ``j % 10 == 7``; the point
  of village ``j`` is closed (100 days before ``on``) when ``j % 50 == 3``; village ``j`` with
  ``j % 20 == 7`` (merged, no point of its own) is served by the point of village ``j - 1``.
* village network: a volunteer team where ``j % 10 < 7``, an elders' association where
  ``j % 5 != 4``, an assistant where ``j % 7 != 3``; a mutual-aid group in villager group ``g``
  of village ``j`` where ``(j + g)`` is even (dissolved 10 days before ``on`` where
  ``(j + g) % 10 == 4``).
* senior ``i`` (1-based) lives in village ``(i - 1) % V``; about 30 % are assessed (10 % twice),
  3 visits a senior over the last year on average, 25 % paired (key people one to one every
  7 days, the others grid or area every 30), about 2 % placed, 3 % deceased, 1 % moved out.

``drop()`` removes everything under the prefix, following every foreign key to the regions
(and to the rows that point at those rows) with one ``DELETE … WHERE … IN (subquery)`` per
relation.
"""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from facilities.models import (
    BasicIndicator,
    Bed,
    Certificate,
    Facility,
    IndicatorCheck,
    OperatingFund,
    Placement,
    QualityCheck,
    StaffMember,
    TrainingAttendance,
    TrainingSession,
    UpgradeProject,
)
from regions.models import Region
from seniors.models import Assessment, CategoryPeriod, FamilyDoctorContract, Senior, Visit
from volunteers.models import ElderlyCareAssistant, Group, Pairing, Volunteer

PREFIX = "51"
PROVINCE = PREFIX + "0" * 10
PROVINCE_NAME = "合成省（基准测试）"
TOWNSHIPS_PER_DISTRICT = 25
DISTRICTS_PER_CITY = 10
VOLUNTEERS_PER_VILLAGE = 8
ID_PREFIX = "SYN"  # Senior.id_number: SYN + 15 digits of the row number


_PARAM = re.compile(r"(?<!:):(on|year|end_of_day|T|V|S)\b")


class SyntheticError(Exception):
    """The database cannot take (or does not hold) a synthetic province."""


@dataclass
class Generated:
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)  # table → rows inserted
    steps: dict[str, float] = field(default_factory=dict)  # table → seconds


def u(expr: str, salt: int) -> str:
    """A deterministic draw in 0 … 999 999 from an integer expression (per million)."""
    return f"(((hashint8extended(({expr})::bigint, {salt}) % 1000000) + 1000000) % 1000000)"


def ut(expr: str, salt: int) -> str:
    """The same from a text expression."""
    return f"(((hashtextextended(({expr})::text, {salt}) % 1000000) + 1000000) % 1000000)"


def _t(model) -> str:
    return model._meta.db_table


def check_database() -> None:
    if connection.vendor != "postgresql":
        raise SyntheticError(
            f"the synthetic province is written with PostgreSQL's SQL; this database is "
            f"{connection.vendor} (set DATABASE_URL to a PostgreSQL database)"
        )


def present() -> bool:
    return Region.objects.filter(code__startswith=PREFIX).exists()


def _check_ours() -> None:
    province = Region.objects.filter(code=PROVINCE).values_list("name", flat=True).first()
    if present() and province != PROVINCE_NAME:
        raise SyntheticError(
            f"regions under {PREFIX} exist and are not a synthetic province: refusing to touch them"
        )


def drop() -> dict[str, int]:
    """Delete the synthetic province: every region under the prefix and every row that points
    at one (or at such a row), children first. Returns rows deleted per table."""
    check_database()
    _check_ours()
    deleted: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        _delete(cursor, Region, "code LIKE %s", [PREFIX + "%"], deleted, (), tables)
    return deleted


def _reverse_relations(model):
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.concrete or not rel.auto_created or not (rel.one_to_many or rel.one_to_one):
            continue
        fk = rel.field
        if not getattr(fk, "db_constraint", True):
            continue  # history rows and the like: no constraint, nothing to clean up
        yield rel.related_model, fk


def _delete(cursor, model, where: str, params: list, deleted: dict, path: tuple, tables) -> None:
    table = _t(model)
    for child, fk in _reverse_relations(model):
        if child is model or child in path:
            continue  # a self-reference (region parents, lead centres) goes in the same DELETE
        if _t(child) not in tables or not child._meta.managed or child._meta.proxy:
            continue  # an app whose migrations have not run here holds nothing
        target = fk.target_field.column
        child_where = f"{fk.column} IN (SELECT {target} FROM {table} WHERE {where})"
        _delete(cursor, child, child_where, params, deleted, (*path, model), tables)
    cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
    if cursor.rowcount:
        deleted[table] = deleted.get(table, 0) + cursor.rowcount


def generate(
    on: datetime.date,
    *,
    townships: int = 1000,
    villages: int = 8000,
    seniors: int = 1_000_000,
    force: bool = False,
    replace: bool = False,
    log=None,
) -> Generated:
    """Write a synthetic province as of ``on``. ``replace`` drops an earlier one first;
    ``force`` allows a database that holds other seniors."""
    check_database()
    if townships < 1 or villages < townships or seniors < 1:
        raise SyntheticError("need at least one township, a village per township and a senior")
    if villages > townships * 999:
        raise SyntheticError("at most 999 villages per township")
    if townships > 99 * DISTRICTS_PER_CITY * TOWNSHIPS_PER_DISTRICT:
        raise SyntheticError("too many townships for the codes")
    out = Generated()
    started = time.perf_counter()
    if replace and present():
        step = time.perf_counter()
        deleted = drop()
        out.steps["drop"] = time.perf_counter() - step
        if log:
            log(
                f"dropped the earlier synthetic province ({sum(deleted.values()):,} rows, "
                f"{out.steps['drop']:.2f} s)"
            )
    if present():
        raise SyntheticError(
            "a synthetic province is already there: --drop to replace it, or --skip-generate"
        )
    if Senior.objects.exists() and not force:
        raise SyntheticError(
            "the database already holds seniors: refusing to add a synthetic province to it "
            "(use an empty database, or --force)"
        )
    gen = _Writer(on, townships, villages, seniors, out, log)
    with transaction.atomic():
        gen.run()
    out.seconds = time.perf_counter() - started
    return out


class _Writer:
    def __init__(self, on, townships, villages, seniors, out: Generated, log) -> None:
        self.on = on
        self.T, self.V, self.S = townships, villages, seniors
        self.districts = -(-townships // TOWNSHIPS_PER_DISTRICT)
        self.cities = -(-self.districts // DISTRICTS_PER_CITY)
        self.out = out
        self.log = log
        midnight = datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)

        # ":name" in the SQL below is replaced by these literals (all of them generated here)
        self.literals = {
            "on": f"'{on.isoformat()}'",
            "year": str(int(on.year)),
            "end_of_day": f"'{timezone.make_aware(midnight).isoformat()}'",
            "T": str(int(townships)),
            "V": str(int(villages)),
            "S": str(int(seniors)),
        }

    def sql(self, label: str, sql: str, table: str | None = None) -> int:
        step = time.perf_counter()
        sql = _PARAM.sub(lambda m: self.literals[m[1]], sql)
        with connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: "%" is SQL's modulo, not a placeholder
            count = cursor.rowcount
        seconds = time.perf_counter() - step
        if table:
            self.out.rows[table] = self.out.rows.get(table, 0) + max(count, 0)
            self.out.steps[table] = self.out.steps.get(table, 0.0) + seconds
        if self.log and table:
            self.log(f"  {label:<28} {count:>10,} rows {seconds:8.2f} s")
        return count

    def run(self) -> None:
        self.regions()
        self.seniors()
        self.facilities()
        self.people_in_facilities()
        self.village_network()
        for name in ("syn_village", "syn_senior", "syn_facility", "syn_township"):
            self.sql("drop " + name, f"DROP TABLE IF EXISTS {name}")

    # --- regions ----------------------------------------------------------------------------

    def regions(self) -> None:
        region = _t(Region)
        cols = (
            "(code, name, short_name, level, kind, urban_rural_code, parent_id, counts_as_village)"
        )
        # township t → its district d = t / 25 → city c = d / 10
        per_district, per_city = TOWNSHIPS_PER_DISTRICT, DISTRICTS_PER_CITY
        city = f"lpad((t / {per_district} / {per_city} + 1)::text, 2, '0')"
        district = f"lpad((t / {per_district} % {per_city} + 1)::text, 2, '0')"
        number = f"lpad((t % {per_district} + 1)::text, 3, '0')"
        self.sql(
            "syn_township",
            f"""
            CREATE TEMP TABLE syn_township AS
            SELECT t, t / {per_district} AS d,
                '{PREFIX}' || {city} || '00000000' AS city,
                '{PREFIX}' || {city} || {district} || '000000' AS district,
                '{PREFIX}' || {city} || {district} || {number} || '000' AS code
            FROM generate_series(0, :T - 1) t
            """,
        )
        self.sql(
            "syn_village",
            """
            CREATE TEMP TABLE syn_village AS
            SELECT j, left(tw.code, 9) || lpad((j / :T + 1)::text, 3, '0') AS code,
                   tw.code AS township, tw.district, 4 + j % 5 AS groups
            FROM generate_series(0, :V - 1) j JOIN syn_township tw ON tw.t = j % :T
            """,
        )
        self.sql("index syn_village", "CREATE UNIQUE INDEX ON syn_village (j)")
        # each level of the hierarchy, from the province down: (label, its rows)
        levels = (
            (
                "province",
                f"VALUES ('{PROVINCE}', '{PROVINCE_NAME}', '合成省', 'province', '省', '', NULL, "
                "false)",
            ),
            (
                "cities",
                f"""
                SELECT DISTINCT city, '合成市' || substr(city, 3, 2),
                    '合成市' || substr(city, 3, 2), 'city', '市', '', '{PROVINCE}', false
                FROM syn_township ORDER BY 1
                """,
            ),
            (
                "districts",
                """
                SELECT DISTINCT district, '合成区' || substr(district, 3, 4),
                    '合成区' || substr(district, 3, 4), 'district', '区', '', city, false
                FROM syn_township ORDER BY 1
                """,
            ),
            (
                "townships",
                """
                SELECT code, '合成镇' || t, '合成镇' || t, 'township',
                    CASE WHEN t % 2 = 0 THEN '镇' ELSE '乡' END, '', district, false
                FROM syn_township ORDER BY t
                """,
            ),
            (
                "villages",
                """
                SELECT code, '合成村' || j, '合成村' || j, 'village',
                    CASE WHEN j % 10 = 9 THEN '社区' ELSE '村' END,
                    CASE WHEN j % 10 = 9 THEN '111' ELSE '220' END, township, j % 20 = 9
                FROM syn_village ORDER BY j
                """,
            ),
            (
                "villager groups",
                """
                SELECT v.code || lpad(g::text, 3, '0'), '合成村' || v.j || '第' || g || '组',
                    '第' || g || '组', 'group', '村民小组', '', v.code, false
                FROM syn_village v CROSS JOIN LATERAL generate_series(1, v.groups) g
                ORDER BY v.j, g
                """,
            ),
        )
        for label, rows in levels:
            self.sql(label, f"INSERT INTO {region} {cols} {rows}", region)

    # --- seniors and what hangs on them ----------------------------------------------------

    def seniors(self) -> None:
        senior = _t(Senior)
        draws = ", ".join(f"{u('i', n)} AS u{n}" for n in range(1, 14))
        self.sql(
            "seniors",
            f"""
            INSERT INTO {senior} (
                id_number, name, sex, birth_date, phone, address, living_situation,
                extreme_poverty, subsistence_allowance, low_income, family_planning_special,
                disability_certificate, wants_centralised_care, wants_day_care,
                family_doctor_contract_on, wristband_device, wristband_on, family_care_bed_on,
                home_adaptation_on, family_caregiver, family_caregiver_trained_on,
                registered_on, status, status_on, status_note, notes, created_at, updated_at,
                village_id, villager_group_id
            )
            SELECT
                '{ID_PREFIX}' || lpad(i::text, 15, '0'), '长者' || i,
                CASE WHEN u1 % 2 = 0 THEN 'M' ELSE 'F' END,
                -- 60 to 100 years old, fewer the older
                :on::date - (21915 + u2 * u2 / 1000000 * 14600 / 1000000)::int,
                '', '',
                CASE WHEN u3 < 120000 THEN 'alone' WHEN u3 < 300000 THEN 'left_behind'
                     ELSE 'with_family' END,
                CASE WHEN u4 < 30000 THEN 'dispersed' WHEN u4 < 40000 THEN 'centralised'
                     ELSE '' END,
                u5 < 80000, u5 >= 80000 AND u5 < 130000, u6 < 10000,
                u6 >= 10000 AND u6 < 70000,
                CASE WHEN u4 < 40000 THEN u7 < 400000 ELSE u7 < 30000 END,
                u8 < 50000,
                -- 60 % signed a family doctor within four years (a few after the day)
                CASE WHEN u9 < 600000 THEN :on::date - (u9 % 1460)::int + 30 END,
                CASE WHEN u10 < 250000 THEN 'WB' || i ELSE '' END,
                CASE WHEN u10 < 250000 THEN :on::date - (u10 % 900)::int END,
                CASE WHEN u11 < 20000 THEN :on::date - (u11 % 700)::int END,
                CASE WHEN u11 >= 20000 AND u11 < 50000 THEN :on::date - (u11 % 700)::int END,
                '', NULL,
                :on::date - 30 - (u12 % 2500)::int,
                CASE WHEN u13 < 30000 THEN 'deceased' WHEN u13 < 40000 THEN 'moved_out'
                     ELSE 'active' END,
                CASE WHEN u13 < 40000 THEN :on::date - (u13 % 700)::int END,
                '', '', now(), now(),
                v.code, v.code || lpad(((i - 1) / :V % v.groups + 1)::text, 3, '0')
            FROM (SELECT i, {draws} FROM generate_series(1, :S) i) s
            JOIN syn_village v ON v.j = (s.i - 1) % :V
            ORDER BY s.i
            """,
            senior,
        )
        # the categories as one open period, the contract as a year from its signing day
        # (what the coverage engine reads as of the day: seniors.CategoryPeriod and
        # seniors.FamilyDoctorContract)
        period, contract = _t(CategoryPeriod), _t(FamilyDoctorContract)
        self.sql(
            "category periods",
            f"""
            INSERT INTO {period} (
                senior_id, valid_from, valid_to, extreme_poverty, subsistence_allowance,
                low_income, family_planning_special, living_situation, wants_centralised_care,
                wants_day_care, recorded_at, recorded_by_id
            )
            SELECT id, NULL, NULL, extreme_poverty, subsistence_allowance, low_income,
                family_planning_special, living_situation, wants_centralised_care,
                wants_day_care, now(), NULL
            FROM {senior} WHERE id_number LIKE '{ID_PREFIX}%'
            """,
            period,
        )
        self.sql(
            "family-doctor contracts",
            f"""
            INSERT INTO {contract} (senior_id, signed_on, ends_on, recorded_at)
            SELECT id, family_doctor_contract_on,
                (family_doctor_contract_on + interval '1 year')::date, now()
            FROM {senior}
            WHERE id_number LIKE '{ID_PREFIX}%' AND family_doctor_contract_on IS NOT NULL
            """,
            contract,
        )
        self.sql(
            "syn_senior",
            f"""
            CREATE TEMP TABLE syn_senior AS
            SELECT s.id, substr(s.id_number, 4)::bigint AS n, s.village_id, v.township,
                v.district, s.extreme_poverty,
                (s.extreme_poverty = 'dispersed' OR s.subsistence_allowance OR s.low_income)
                    AS key
            FROM {senior} s JOIN syn_village v ON v.code = s.village_id
            WHERE s.id_number LIKE '{ID_PREFIX}%'
            """,
        )
        self.sql("analyze syn_senior", "ANALYZE syn_senior")
        # Barthel profiles: (items …, total, level)
        profiles = """(VALUES
            (0, 10, 5, 5, 10, 10, 10, 10, 15, 15, 10, 100, 'independent'),
            (1, 10, 0, 5, 5, 10, 10, 5, 15, 10, 5, 75, 'mild'),
            (2, 5, 0, 5, 5, 10, 5, 5, 10, 5, 0, 50, 'moderate'),
            (3, 0, 0, 0, 0, 5, 5, 0, 5, 0, 0, 15, 'severe')
        ) p(profile, feeding, bathing, grooming, dressing, bowels, bladder, toilet_use,
            transfers, mobility, stairs, total, level)"""
        items = (
            "feeding, bathing, grooming, dressing, bowels, bladder, toilet_use, transfers, "
            "mobility, stairs, total, level"
        )
        pick = u("s.n * 2 + k", 22)
        self.sql(
            "assessments",
            f"""
            INSERT INTO {_t(Assessment)} (assessed_on, assessor, {items}, notes, created_at,
                senior_id)
            SELECT
                :on::date - CASE WHEN k = 1 THEN ({u("s.n * 2 + k", 21)} % 700)::int
                                    ELSE 700 + ({u("s.n * 2 + k", 21)} % 400)::int END,
                '', {", ".join("p." + c for c in items.split(", "))}, '', now(), s.id
            FROM syn_senior s CROSS JOIN generate_series(1, 2) k
            JOIN {profiles} ON p.profile = CASE WHEN {pick} < 350000 THEN 0
                WHEN {pick} < 650000 THEN 1 WHEN {pick} < 850000 THEN 2 ELSE 3 END
            WHERE {u("s.n", 20)} < 300000 AND (k = 1 OR {u("s.n", 20)} < 100000)
            ORDER BY s.id, k
            """,
            _t(Assessment),
        )
        # 0 to 6 visits a senior (3 on average) over the last year
        self.sql(
            "visits",
            f"""
            INSERT INTO {_t(Visit)} (visited_at, service_type, visitor_name, notes,
                follow_up_needed, client_uuid, created_at, senior_id, visitor_id)
            SELECT :end_of_day::timestamptz
                    - make_interval(secs => 1 + {u("s.n * 8 + k", 31)} * 31536 / 1000),
                CASE WHEN {u("s.n * 8 + k", 32)} < 700000 THEN 'inspection' ELSE 'meals' END,
                '', '', false, NULL, now(), s.id, NULL
            FROM syn_senior s CROSS JOIN generate_series(1, 6) k
            WHERE k <= {u("s.n", 30)} % 7
            """,
            _t(Visit),
        )
        self.sql(
            "volunteers",
            f"""
            INSERT INTO {_t(Volunteer)} (name, id_number, phone, kind, joined_on, left_on,
                user_id, village_id, villager_group_id)
            SELECT '志愿者' || k, '', '',
                (ARRAY['party_member', 'younger_senior', 'villager', 'village_cadre',
                       'village_doctor', 'other'])[k % 6 + 1],
                :on::date - 1000, NULL, NULL, v.code, NULL
            FROM syn_village v CROSS JOIN generate_series(0, {VOLUNTEERS_PER_VILLAGE - 1}) k
            ORDER BY v.j, k
            """,
            _t(Volunteer),
        )
        # 25 %: key people (特困 at home, 低保, 低收入) 80 %, one to one; the others 18 %
        mode = (
            f"CASE WHEN s.key THEN 'one_to_one' WHEN {u('s.n', 44)} % 2 = 0 THEN 'grid' "
            "ELSE 'area' END"
        )
        self.sql(
            "pairings",
            f"""
            INSERT INTO {_t(Pairing)} (mode, visit_interval_days, started_on, ended_on,
                senior_id, helper_id)
            SELECT x.mode, CASE WHEN x.mode = 'one_to_one' THEN 7 ELSE 30 END,
                :on::date - 30 - ({u("x.n", 41)} % 900)::int,
                CASE WHEN {u("x.n", 42)} < 100000 THEN :on::date - ({u("x.n", 42)} % 30)::int
                END,
                x.id, h.id
            FROM (
                SELECT s.id, s.n, s.village_id, {mode} AS mode
                FROM syn_senior s
                WHERE {u("s.n", 40)} < CASE WHEN s.key THEN 800000 ELSE 180000 END
            ) x
            JOIN {_t(Volunteer)} h ON h.village_id = x.village_id
                AND h.name = '志愿者' || ({u("x.n", 43)} % {VOLUNTEERS_PER_VILLAGE})
            ORDER BY x.id
            """,
            _t(Pairing),
        )

    # --- facilities -------------------------------------------------------------------------

    def facilities(self) -> None:
        facility = _t(Facility)
        cols = """(kind, name, region_id, status, status_on, opened_on, floor_area,
            has_dining_room, has_rest_room, has_activity_room, has_rehab_room, has_library,
            offers_day_care, offers_rehabilitation, offers_recreation, offers_emergency_rescue,
            model_happy_home, model_happy_canteen, model_happy_paradise, siting, large_village,
            lead_centre_id, retention, legal_person_registered_on, filed_on, operation_mode,
            operator_name, run_by_institution_since, notes, created_at, updated_at)"""
        # each kind of facility: (label, its rows)
        kinds = (
            (
                "care centres",
                """
                SELECT 'care_centre', '照护中心' || district, district, 'operating', NULL,
                    :on::date - 400 - (d % 200), 2000, true, true, true, true, true,
                    false, true, true, true, false, false, false, '', false, NULL, '',
                    :on::date - 600, :on::date - 600,
                    CASE WHEN d % 2 = 0 THEN 'socialised' ELSE 'public' END, '',
                    CASE WHEN d % 2 = 0 THEN :on::date - 300 END, '', now(), now()
                FROM (SELECT DISTINCT d, district FROM syn_township) x ORDER BY d
                """,
            ),
            (
                "nursing homes",
                f"""
                SELECT 'nursing_home', '敬老院' || t, code,
                    CASE WHEN {u("t", 60)} < 100000 THEN 'merged' ELSE 'operating' END,
                    CASE WHEN {u("t", 60)} < 100000 THEN :on::date - 200 END,
                    :on::date - 3000, 800, true, true, true, {u("t", 61)} < 500000, true,
                    false, false, true, false, false, false, false, '', false, NULL,
                    CASE WHEN {u("t", 60)} < 100000 THEN 'merged' ELSE 'retained' END,
                    CASE WHEN {u("t", 62)} < 800000 THEN :on::date - 500 END,
                    CASE WHEN {u("t", 62)} < 700000 THEN :on::date - 450 END,
                    CASE WHEN {u("t", 63)} < 400000 THEN 'socialised' ELSE 'public' END, '',
                    CASE WHEN {u("t", 63)} < 400000 THEN :on::date - 365 END, '', now(), now()
                FROM syn_township ORDER BY t
                """,
            ),
            (
                "service centres",
                f"""
                SELECT 'service_centre', '养老服务中心' || t, code, 'operating', NULL,
                    :on::date - 100 - ({u("t", 64)} % 700)::int, 900, true, true, true, true,
                    true, true, true, true, true, false, true, false, '', false, NULL, '',
                    NULL, NULL, 'public', '',
                    CASE WHEN {u("t", 65)} < 500000 THEN :on::date - 50 END, '', now(), now()
                FROM syn_township ORDER BY t
                """,
            ),
            (
                "mutual-aid points",
                f"""
                SELECT 'mutual_aid_point', '互助养老点' || j, code,
                    CASE WHEN j % 50 = 3 THEN 'closed' ELSE 'operating' END,
                    CASE WHEN j % 50 = 3 THEN :on::date - 100 END,
                    :on::date - 400 - (j % 300), 60 + ({u("j", 70)} % 150),
                    true, true, true, {u("j", 71)} < 600000, {u("j", 72)} < 700000,
                    true, true, true, true, {u("j", 73)} < 200000, true, true,
                    CASE WHEN {u("j", 74)} < 600000 THEN 'standalone' ELSE 'village_service_centre'
                    END,
                    {u("j", 75)} < 300000, NULL, '', NULL, NULL, 'public', '', NULL, '', now(),
                    now()
                FROM syn_village WHERE j % 10 <> 7 ORDER BY j
                """,
            ),
        )
        for label, rows in kinds:
            self.sql(label, f"INSERT INTO {facility} {cols} {rows}", facility)
        # the facilities with their place and size: beds and staff per facility
        self.sql(
            "syn_facility",
            f"""
            CREATE TEMP TABLE syn_facility AS
            SELECT f.id, f.n, f.kind, f.region_id,
                CASE f.kind WHEN 'care_centre' THEN 50 + {u("f.n", 80)} % 30
                    WHEN 'nursing_home' THEN 30 + {u("f.n", 80)} % 30
                    WHEN 'service_centre' THEN 10 + {u("f.n", 80)} % 10 ELSE 0 END AS beds,
                CASE f.kind WHEN 'care_centre' THEN 850000 WHEN 'nursing_home' THEN 300000
                    ELSE 200000 END AS nursing_share,
                CASE f.kind WHEN 'care_centre' THEN 20 + {u("f.n", 81)} % 10
                    WHEN 'nursing_home' THEN 3 + {u("f.n", 81)} % 6
                    WHEN 'service_centre' THEN 4 + {u("f.n", 81)} % 3 ELSE 0 END AS staff
            FROM (
                SELECT id, kind, region_id, row_number() OVER (ORDER BY kind, region_id) AS n
                FROM {facility} WHERE region_id LIKE '{PREFIX}%'
            ) f
            """,
        )
        self.sql(
            "served villages",
            f"""
            INSERT INTO {_t(Facility.served_regions.through)} (facility_id, region_id)
            SELECT f.id, v.code
            FROM syn_village v JOIN syn_village prev ON prev.j = v.j - 1
            JOIN syn_facility f ON f.region_id = prev.code AND f.kind = 'mutual_aid_point'
            WHERE v.j % 20 = 7
            """,
            _t(Facility.served_regions.through),
        )
        self.sql(
            "beds",
            f"""
            INSERT INTO {_t(Bed)} (label, kind, in_use_from, retired_on, facility_id)
            SELECT 'B' || k,
                CASE WHEN {u("f.n * 100 + k", 82)} < f.nursing_share THEN 'nursing'
                    ELSE 'ordinary' END,
                :on::date - 900,
                CASE WHEN {u("f.n * 100 + k", 83)} < 50000
                    THEN :on::date - ({u("f.n * 100 + k", 83)} % 100)::int END,
                f.id
            FROM syn_facility f CROSS JOIN generate_series(1, 80) k WHERE k <= f.beds
            ORDER BY f.id, k
            """,
            _t(Bed),
        )
        role = (
            "CASE k WHEN 1 THEN 'director' WHEN 2 THEN 'manager' WHEN 3 THEN 'nurse' "
            "WHEN 4 THEN 'cook' WHEN 5 THEN 'social_worker' "
            "ELSE CASE WHEN k % 7 = 0 THEN 'other' ELSE 'caregiver' END END"
        )
        self.sql(
            "staff",
            f"""
            INSERT INTO {_t(StaffMember)} (name, id_number, phone, role, full_time, started_on,
                ended_on, facility_id)
            SELECT '员工' || f.n || '-' || k, 'SYNS' || f.n || '-' || k, '',
                {role}, true,
                :on::date - 30 - ({u("f.n * 100 + k", 84)} % 1500)::int,
                CASE WHEN {u("f.n * 100 + k", 85)} < 100000
                    THEN :on::date - ({u("f.n * 100 + k", 85)} % 29)::int END,
                f.id
            FROM syn_facility f CROSS JOIN generate_series(1, 40) k WHERE k <= f.staff
            ORDER BY f.id, k
            """,
            _t(StaffMember),
        )
        self.sql(
            "certificates",
            f"""
            INSERT INTO {_t(Certificate)} (number, level, issued_on, expires_on, staff_id)
            SELECT 'C' || s.id_number, (ARRAY['5', '4', '3'])[{ut("s.id_number", 86)} % 3 + 1],
                :on::date - 30 - ({ut("s.id_number", 86)} % 2000)::int,
                :on::date - 30 - ({ut("s.id_number", 86)} % 2000)::int + 1095, s.id
            FROM {_t(StaffMember)} s JOIN syn_facility f ON f.id = s.facility_id
            WHERE s.role = 'caregiver' AND {ut("s.id_number", 87)} < 750000
            ORDER BY s.id
            """,
            _t(Certificate),
        )
        self.sql(
            "quality checks",
            f"""
            INSERT INTO {_t(QualityCheck)} (checked_on, passed, inspector, note, created_at,
                facility_id)
            SELECT :on::date - (k - 1) * 365 - ({u("f.n * 2 + k", 88)} % 300)::int,
                {u("f.n * 2 + k", 89)} < 800000, '质检员', '', now(), f.id
            FROM syn_facility f CROSS JOIN generate_series(1, 2) k
            WHERE f.kind <> 'mutual_aid_point' AND (k = 1 OR {u("f.n", 90)} < 500000)
            ORDER BY f.id, k
            """,
            _t(QualityCheck),
        )
        project = _t(UpgradeProject)
        self.sql(
            "upgrade projects",
            f"""
            INSERT INTO {project} (kind, title, budget, status, started_on, completed_on,
                award_amount, award_paid_on, notes, facility_id)
            SELECT 'upgrade', '提档升级' || f.n, 500000,
                CASE WHEN {u("f.n", 91)} < 700000 THEN 'completed' ELSE 'under_construction'
                END,
                :on::date - 700,
                CASE WHEN {u("f.n", 91)} < 700000
                    THEN :on::date - ({u("f.n", 91)} % 500)::int END,
                NULL::numeric, NULL::date, '', f.id
            FROM syn_facility f
            WHERE f.kind = 'nursing_home' AND {u("f.n", 92)} < 200000
            UNION ALL
            SELECT 'new', '新建' || f.n, 300000, 'accepted', :on::date - 800,
                :on::date - 400, 100000, :on::date - ({u("f.n", 93)} % 300)::int, '',
                f.id
            FROM syn_facility f
            WHERE (f.kind = 'service_centre' AND {u("f.n", 94)} < 100000)
                OR (f.kind = 'mutual_aid_point' AND {u("f.n", 94)} < 50000)
            """,
            project,
        )
        self.sql(
            "indicator checks",
            f"""
            INSERT INTO {_t(IndicatorCheck)} (met, checked_on, note, indicator_id, project_id)
            SELECT {ut("p.title || b.code", 95)} < 850000, p.completed_on, '', b.id, p.id
            FROM {project} p JOIN syn_facility f ON f.id = p.facility_id
            CROSS JOIN {_t(BasicIndicator)} b
            WHERE p.kind = 'upgrade' AND p.status = 'completed' AND b.active
            """,
            _t(IndicatorCheck),
        )
        self.sql(
            "operating funds",
            f"""
            INSERT INTO {_t(OperatingFund)} (year, operating_funds, residents_basic_allowance,
                facility_id)
            SELECT y, (100000 + {u("f.n * 10 + y", 96)} % 100000)
                    * (8 + {u("f.n * 10 + y", 97)} % 12) / 100,
                100000 + {u("f.n * 10 + y", 96)} % 100000, f.id
            FROM syn_facility f CROSS JOIN generate_series(:year - 2, :year) y
            WHERE f.kind IN ('nursing_home', 'care_centre')
            """,
            _t(OperatingFund),
        )

    def people_in_facilities(self) -> None:
        # about 2 %: most 集中供养 people, and 1.5 % of the others; the poor go to the
        # district's care centre or the township's nursing home, a tenth of the rest to day care
        self.sql(
            "placements",
            f"""
            INSERT INTO {_t(Placement)} (kind, admitted_on, admission_reason, discharged_on,
                discharge_reason, created_at, bed_id, facility_id, senior_id)
            SELECT x.kind, x.admitted, '',
                CASE WHEN {u("x.n", 53)} < 150000
                    THEN x.admitted + ({u("x.n", 53)} % 10)::int END,
                '', now(), NULL, f.id, x.id
            FROM (
                SELECT s.id, s.n,
                    :on::date - 10 - ({u("s.n", 52)} % 1200)::int AS admitted,
                    CASE WHEN s.extreme_poverty = 'centralised' THEN 'centralised_support'
                        WHEN s.extreme_poverty = '' AND {u("s.n", 51)} < 100000
                            THEN 'day_care'
                        ELSE 'residential' END AS kind,
                    CASE WHEN s.extreme_poverty <> '' AND {u("s.n", 51)} < 400000
                            THEN s.district
                        ELSE s.township END AS region,
                    CASE WHEN s.extreme_poverty <> '' AND {u("s.n", 51)} < 400000
                            THEN 'care_centre'
                        WHEN s.extreme_poverty = '' AND {u("s.n", 51)} < 100000
                            THEN 'service_centre'
                        ELSE 'nursing_home' END AS facility_kind
                FROM syn_senior s
                WHERE {u("s.n", 50)} < CASE WHEN s.extreme_poverty = 'centralised'
                    THEN 700000 ELSE 15000 END
            ) x
            JOIN syn_facility f ON f.region_id = x.region AND f.kind = x.facility_kind
            ORDER BY x.id
            """,
            _t(Placement),
        )
        session = _t(TrainingSession)
        self.sql(
            "training sessions",
            f"""
            INSERT INTO {session} (kind, title, held_on, organiser, hours, region_id)
            SELECT k, k || '培训' || district, :on::date - 200, '民政局', 16, district
            FROM (SELECT DISTINCT district FROM syn_township) d
            CROSS JOIN (VALUES ('director'), ('caregiver')) kinds(k)
            ORDER BY district, k
            """,
            session,
        )
        self.sql(
            "training attendances",
            f"""
            INSERT INTO {_t(TrainingAttendance)} (name, id_number, passed, staff_id, session_id)
            SELECT st.name, st.id_number, {ut("st.id_number", 98)} < 950000, st.id, ts.id
            FROM {_t(StaffMember)} st JOIN syn_facility f ON f.id = st.facility_id
            JOIN syn_township tw ON f.region_id IN (tw.code, tw.district)
            JOIN {session} ts ON ts.region_id = tw.district AND ts.kind = st.role
            WHERE st.role = 'director'
                OR (st.role = 'caregiver' AND {ut("st.id_number", 99)} < 600000)
            GROUP BY st.id, st.name, st.id_number, ts.id
            """,
            _t(TrainingAttendance),
        )

    # --- the village network ----------------------------------------------------------------

    def village_network(self) -> None:
        group = _t(Group)
        self.sql(
            "volunteer teams, associations",
            f"""
            INSERT INTO {group} (kind, name, region_id, founded_on, dissolved_on, leader)
            SELECT 'volunteer_team', '志愿服务队' || j, code, :on::date - 300 - j % 200,
                NULL::date, ''
            FROM syn_village WHERE j % 10 < 7
            UNION ALL
            SELECT 'elders_association', '老年协会' || j, code, :on::date - 500, NULL, ''
            FROM syn_village WHERE j % 5 <> 4
            """,
            group,
        )
        self.sql(
            "mutual-aid groups",
            f"""
            INSERT INTO {group} (kind, name, region_id, founded_on, dissolved_on, leader)
            SELECT 'mutual_aid_group', '互助小组' || v.j || '-' || g,
                v.code || lpad(g::text, 3, '0'), :on::date - 250,
                CASE WHEN (v.j + g) % 10 = 4 THEN :on::date - 10 END, ''
            FROM syn_village v CROSS JOIN LATERAL generate_series(1, v.groups) g
            WHERE (v.j + g) % 2 = 0
            ORDER BY v.j, g
            """,
            group,
        )
        self.sql(
            "assistants",
            f"""
            INSERT INTO {_t(ElderlyCareAssistant)} (name, full_time, started_on, ended_on,
                user_id, village_id, volunteer_id)
            SELECT '养老助理' || j, j % 3 = 0, :on::date - 365, NULL, NULL, code, NULL
            FROM syn_village WHERE j % 7 <> 3 ORDER BY j
            """,
            _t(ElderlyCareAssistant),
        )


def models_touched() -> list:
    """The models whose tables the generator fills (for the benchmark's ANALYZE)."""
    return [
        Region, Senior, Assessment, Visit, Volunteer, Pairing, Facility,
        apps.get_model("facilities", "Facility_served_regions"), Bed, StaffMember, Certificate,
        QualityCheck, UpgradeProject, IndicatorCheck, OperatingFund, Placement,
        TrainingSession, TrainingAttendance, Group, ElderlyCareAssistant,
    ]  # fmt: skip


LEVELS = ("province", "city", "district", "township", "village")
