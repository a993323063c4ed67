"""One definition per rule: the coverage engine's SQL (``coverage.compute._person_sql``) and
the domain querysets (``seniors.selectors``, ``volunteers.pairings``) pick the same people.

For several seeds, several hundred seniors with random categories (some changed on a random
day), assessments, family-doctor contracts, pairings and visits are generated with the
factories; on random days, under the default choices and under the other ones, both sides'
sets of ids are compared (not counts): in the ledger, 失能, key target, other target, living
in a counted place, a contract in force, paired, one-to-one, lacking the required pairing,
and overdue."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef

from coverage.compute import PAIRING_CODE, _operating, _person_sql, compute
from coverage.models import Snapshot
from facilities.models import Bed, Facility
from facilities.selectors import funds_report_missing, with_figures
from seniors.models import Senior
from seniors.selectors import (
    KeyReading,
    PeopleRule,
    counted_place_q,
    disabled_q,
    in_ledger_q,
    key_target_q,
    other_target_q,
    with_facts_on,
)
from tests import factories as f
from volunteers.models import Pairing
from volunteers.pairings import open_pairings_on, pairings_with_status, seniors_lacking_pairing

pytestmark = pytest.mark.django_db

d = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
FIRST, LAST = d(2021, 1, 1), d(2024, 12, 31)
# Barthel items lowered from the full 100 to reach each level
LOWERED = {
    "independent": {},
    "mild": {"transfers": 5, "mobility": 5},  # 80
    "moderate": {"transfers": 0, "mobility": 0, "stairs": 0, "feeding": 10, "bathing": 0},  # 50
    "severe": {
        "transfers": 0,
        "mobility": 0,
        "stairs": 0,
        "feeding": 0,
        "bathing": 0,
        "dressing": 0,
        "bowels": 5,
    },  # 30
}
RULES = {
    "default": PeopleRule(),
    "other choices": PeopleRule(
        disabled_levels=("moderate", "severe"),
        key_reading=KeyReading.DISABLED_OF_HOUSEHOLDS,
        count_communities=True,
    ),
}


def day_between(rng, first, last):
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def categories(rng):
    poverty = rng.choices(["", "dispersed", "centralised"], [8, 2, 1])[0]
    return {
        "extreme_poverty": poverty,
        "subsistence_allowance": not poverty and rng.random() < 0.25,
        "low_income": not poverty and rng.random() < 0.15,
        "family_planning_special": rng.random() < 0.15,
        "living_situation": rng.choice(["alone", "left_behind", "with_family", "with_family"]),
        "wants_centralised_care": rng.random() < 0.2,
        "wants_day_care": rng.random() < 0.2,
    }


def generate(seed, regions, size=300):
    rng = random.Random(seed)
    villages = [regions["banqiao"], regions["wenfeng"], regions["tiefosi"]]
    helpers = [f.VolunteerFactory(village=rng.choice(villages)) for _ in range(12)]
    for i in range(size):
        registered = day_between(rng, FIRST, d(2023, 6, 30))
        status, status_on = "active", None
        if rng.random() < 0.15:
            status = rng.choice(["deceased", "moved_out"])
            status_on = day_between(rng, registered, LAST)
        person = f.SeniorFactory(
            village=rng.choice(villages),
            born=day_between(rng, d(1925, 1, 1), d(1960, 12, 31)),
            sequence=(2 * i + 1) % 1000,
            registered_on=registered,
            status=status,
            status_on=status_on,
            **categories(rng),
        )
        if rng.random() < 0.3:  # a change of categories on a random day
            for name, value in categories(rng).items():
                setattr(person, name, value)
            person._categories_from = day_between(rng, registered + datetime.timedelta(1), LAST)
            person.save()
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            level = rng.choice(list(LOWERED))
            f.AssessmentFactory(
                senior=person, assessed_on=day_between(rng, registered, LAST), **LOWERED[level]
            )
        if rng.random() < 0.5:
            signed = day_between(rng, FIRST, LAST)
            f.FamilyDoctorContractFactory(senior=person, signed_on=signed)
            if rng.random() < 0.5:  # renewed
                f.FamilyDoctorContractFactory(
                    senior=person, signed_on=signed.replace(year=signed.year + 1)
                )
        for helper in rng.sample(helpers, rng.choice([0, 0, 1, 1, 2])):
            started = day_between(rng, FIRST, LAST)
            f.PairingFactory(
                helper=helper,
                senior=person,
                mode=rng.choice(["one_to_one", "grid", "area"]),
                visit_interval_days=rng.choice([7, 14, 30]),
                started_on=started,
                ended_on=rng.choice(
                    [
                        None,
                        day_between(
                            rng, started + datetime.timedelta(1), LAST + datetime.timedelta(200)
                        ),
                    ]
                ),
            )
        for _ in range(rng.choice([0, 1, 2, 4])):
            day = day_between(rng, FIRST, LAST)
            # any hour, the small ones included: a visit at 00:30 in Wulong is the day's
            moment = datetime.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
            f.VisitFactory(
                senior=person, visited_at=moment + datetime.timedelta(minutes=rng.randint(0, 1439))
            )
    return rng


def engine_sets(on, rule):
    sql, params = _person_sql(on, None, {PAIRING_CODE: rule})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def having(*flags, absent=()):
        return {r["id"] for r in rows if all(r[f] for f in flags) and not any(r[a] for a in absent)}

    return {
        "ledger": {r["id"] for r in rows},
        "disabled": having("is_disabled"),
        "key": having("is_key"),
        "other": having("is_other"),
        "place": having("is_counted_place"),
        "doctor": having("has_doctor"),
        "paired": having("is_paired"),
        "one_to_one": having("has_one_to_one"),
        "lacking": having("is_key", absent=["has_one_to_one"])
        | having("is_other", absent=["is_paired"]),
        "overdue": having("is_overdue"),
    }


def domain_sets(on, rule):
    def ids(queryset):
        return set(queryset.values_list("pk", flat=True))

    ledger = Senior.objects.filter(in_ledger_q(on))
    facts = with_facts_on(ledger, on)
    open_for = open_pairings_on(on).filter(senior=OuterRef("pk"))
    overdue = pairings_with_status(Pairing.objects.all(), on).filter(overdue=True)
    return {
        "ledger": ids(ledger),
        "disabled": ids(facts.filter(disabled_q(rule))),
        "key": ids(facts.filter(key_target_q(on, rule))),
        "other": ids(facts.filter(other_target_q(on, rule))),
        "place": ids(ledger.filter(counted_place_q(rule))),
        "doctor": ids(facts.filter(doctor_on=True)),
        "paired": ids(ledger.filter(Exists(open_for))),
        "one_to_one": ids(ledger.filter(Exists(open_for.filter(mode="one_to_one")))),
        "lacking": ids(seniors_lacking_pairing(Senior.objects.all(), on, rule)),
        "overdue": set(overdue.values_list("senior_id", flat=True)) & ids(ledger),
    }


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_the_engine_and_the_querysets_pick_the_same_people(regions, seed):
    rng = generate(seed, regions)
    days = [day_between(rng, d(2021, 6, 1), LAST) for _ in range(3)] + [d(2022, 12, 31)]
    seen = dict.fromkeys(("disabled", "key", "other", "lacking", "overdue", "doctor"), 0)
    for on in days:
        for name, rule in RULES.items():
            engine, domain = engine_sets(on, rule), domain_sets(on, rule)
            for rule_name in engine:
                assert engine[rule_name] == domain[rule_name], (on, name, rule_name)
            for rule_name in seen:
                seen[rule_name] += len(engine[rule_name])
    assert all(seen.values()), seen  # the comparison was not between empty sets


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_operating_on_a_day_is_the_same_for_the_engine_and_the_queryset(regions, seed):
    rng = random.Random(seed)
    places = [regions["baima"], regions["houping"], regions["banqiao"]]
    for _ in range(60):
        opened = rng.choice([None, day_between(rng, FIRST, LAST)])
        status = rng.choice(["planned", "operating", "operating", "suspended", "closed", "merged"])
        stopped = status in ("suspended", "closed", "merged")
        if status == "operating" and opened is None:
            opened = day_between(rng, FIRST, LAST)
        facility = f.FacilityFactory(
            kind=rng.choice(["nursing_home", "care_centre", "service_centre", "mutual_aid_point"]),
            region=rng.choice(places),
            opened_on=opened,
            status=status,
            status_on=day_between(rng, opened or FIRST, LAST) if stopped else None,
        )
        for n in range(rng.randint(0, 4)):
            in_use = day_between(rng, FIRST, LAST)
            f.BedFactory(
                facility=facility,
                label=f"{n:03d}",
                kind="ordinary",
                in_use_from=in_use,
                retired_on=rng.choice([None, day_between(rng, in_use, LAST)]),
            )
    seen = 0
    for on in [day_between(rng, FIRST, LAST) for _ in range(4)]:
        figures = with_figures(Facility.objects.all(), on)
        engine = {facility.pk for facility in figures if _operating(facility, on)}
        domain = set(Facility.objects.operating_on(on).values_list("pk", flat=True))
        assert engine == domain, on
        seen += len(engine)
        # beds in use: the engine's count is the queryset's (with_figures reads in_use_on)
        counted = {facility.pk: facility.beds_count for facility in figures if facility.beds_count}
        in_use = Bed.objects.in_use_on(on).values_list("facility_id", flat=True)
        assert counted == {pk: list(in_use).count(pk) for pk in set(in_use)}, on
    assert seen


@pytest.mark.parametrize("seed", [11, 22])
def test_a_missing_funds_report_is_the_same_for_the_engine_and_the_queryset(regions, seed):
    """The township clerk's list of 未填报 institutions (``funds_report_missing``) and the
    institutions the engine names as failing the 15 % rule for want of a report."""
    rng = random.Random(seed)
    places = [regions["baima"], regions["houping"], regions["banqiao"]]
    for _ in range(40):
        opened = day_between(rng, FIRST, LAST)
        status = rng.choice(["operating", "operating", "operating", "closed", "planned"])
        facility = f.FacilityFactory(
            kind=rng.choice(["nursing_home", "care_centre", "service_centre", "mutual_aid_point"]),
            region=rng.choice(places),
            opened_on=opened if status != "planned" else None,
            status=status,
            status_on=day_between(rng, opened, LAST) if status == "closed" else None,
        )
        for year in rng.sample(range(2021, 2025), rng.randint(0, 3)):
            f.OperatingFundFactory(
                facility=facility,
                year=year,
                operating_funds=rng.randint(0, 50_000),
                residents_basic_allowance=rng.randint(50_000, 200_000),
            )
    seen = 0
    for on in [day_between(rng, FIRST, LAST) for _ in range(3)]:
        compute(on)
        failing = Snapshot.objects.get(
            date=on, region=regions["district"], indicator__code="operating_funds_ratio"
        ).failing
        engine = {row["id"] for row in failing if row["why"] == "no_report"}
        domain = set(funds_report_missing(Facility.objects.all(), on).values_list("pk", flat=True))
        assert engine == domain, on
        seen += len(engine)
    assert seen
