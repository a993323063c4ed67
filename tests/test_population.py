"""The demo population: deterministic, plausible, consistent over time, and never added twice."""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from demo.population import (
    ANCHOR,
    PopulationError,
    VillageInfo,
    categories_of,
    population_generate,
    population_plan,
    village_infos,
    visit_programme,
)
from seniors.idnumber import age_on, parse_id_number
from seniors.models import BARTHEL_ITEMS, DISABLED_LEVELS, Assessment, Senior, Visit, barthel_level

TODAY = datetime.date(2026, 11, 29)  # the suite's "today" (tests/conftest.py)
# The shared cast's villages, as the planner sees them: 板桥村 with three groups, 铁佛寺社区 of
# 白马镇's centre, and 文凤村 without groups.
CAST = (
    VillageInfo(
        "500156101201",
        "板桥村",
        "村",
        "220",
        tuple((f"500156101201{n:03d}", f"{n}组") for n in (1, 2, 3)),
    ),
    VillageInfo("500156101006", "铁佛寺社区", "社区", "121"),
    VillageInfo("500156208200", "文凤村", "村", "220"),
)


def plan(size=300, seed=2021, today=TODAY):
    return population_plan(seed=seed, size=size, today=today, villages=CAST)


@pytest.fixture(scope="module")
def big():
    """4,000 people: enough for the proportions to show, planned once for the module."""
    return plan(4000)


def share(people, condition):
    return sum(1 for p in people if condition(p)) / len(people)


# --- the plan --------------------------------------------------------------------------------


def test_the_same_seed_and_size_plan_the_same_records():
    assert plan() == plan()
    assert [p.id_number for p in plan(seed=7)] != [p.id_number for p in plan()]


def test_a_smaller_population_is_the_start_of_a_larger_one():
    assert plan(150) == plan(300)[:150]


def test_who_the_people_are_does_not_depend_on_the_day_it_runs():
    now = {p.id_number: p for p in plan()}
    later = {p.id_number: p for p in plan(today=TODAY + datetime.timedelta(days=60))}

    common = now.keys() & later.keys()
    assert len(common) >= 0.95 * len(now)
    for number in common:
        a, b = now[number], later[number]
        assert (a.name, a.sex, a.village, a.villager_group, a.extreme_poverty) == (
            b.name,
            b.sex,
            b.village,
            b.villager_group,
            b.extreme_poverty,
        )


def test_every_id_number_is_valid_unique_and_agrees_with_sex_and_birth_date(big):
    assert len({p.id_number for p in big}) == len(big) == 4000
    for person in big:
        parsed = parse_id_number(person.id_number)
        assert (parsed.sex, parsed.birth_date) == (person.sex, person.birth_date)
        assert person.id_number[:6] in ("500232", "500156")
    assert share(big, lambda p: p.id_number.startswith("500232")) > 0.9


def test_everyone_is_60_or_over_on_the_day_they_were_registered(big):
    for person in big:
        assert ANCHOR <= person.registered_on <= TODAY
        assert age_on(person.birth_date, person.registered_on) >= 60
    # most were registered in the drive after the plan was issued, some later
    assert 0.5 < share(big, lambda p: p.registered_on < datetime.date(2021, 9, 30)) < 0.8
    assert share(big, lambda p: p.registered_on.year >= 2024) > 0.1


def test_the_ages_today_look_like_a_rural_population(big):
    active = [p for p in big if p.status == "active"]
    decade = Counter(min(age_on(p.birth_date, TODAY) // 10 * 10, 90) for p in active)

    assert decade[60] > decade[70] > decade[80] > decade[90] > 0
    assert 0.10 < decade[80] / len(active) < 0.18


@pytest.mark.parametrize(
    ("category", "expected", "tolerance"),
    [
        ("extreme_poverty", 0.03, 0.01),
        ("subsistence_allowance", 0.08, 0.015),
        ("low_income", 0.04, 0.012),
        ("family_planning_special", 0.01, 0.006),
        ("disability_certificate", 0.06, 0.015),
        ("alone", 0.12, 0.02),
        ("left_behind", 0.35, 0.03),
        ("family_doctor", 0.70, 0.04),
        ("wants_centralised_care", 0.025, 0.015),
        ("wants_day_care", 0.03, 0.015),
    ],
)
def test_categories_come_in_the_stated_proportions(big, category, expected, tolerance):
    def has(person):
        categories = categories_of(person, today=TODAY)
        if category == "extreme_poverty":
            return "extreme_poverty_centralised" in categories or (
                "extreme_poverty_dispersed" in categories
            )
        return category in categories

    assert share(big, has) == pytest.approx(expected, abs=tolerance)


def test_extreme_poverty_is_mostly_dispersed_and_excludes_the_allowances(big):
    poor = [p for p in big if p.extreme_poverty]

    assert 0.65 < share(poor, lambda p: p.extreme_poverty == "dispersed") < 0.95
    assert not any(p.subsistence_allowance or p.low_income for p in poor)
    assert not any(p.subsistence_allowance and p.low_income for p in big)


def test_wishes_are_commoner_among_the_poor_and_the_disabled(big):
    vulnerable = [p for p in big if p.extreme_poverty or p.disability_certificate]
    others = [p for p in big if not (p.extreme_poverty or p.disability_certificate)]

    assert share(vulnerable, lambda p: p.wants_centralised_care) > 3 * share(
        others, lambda p: p.wants_centralised_care
    )


def test_most_are_assessed_and_about_a_tenth_are_dependent_more_among_the_80_plus(big):
    assessed = [p for p in big if p.assessments]
    old = [p for p in assessed if age_on(p.birth_date, p.assessments[-1].assessed_on) >= 80]

    assert share(big, lambda p: p.assessments) > 0.75
    dependent = share(assessed, lambda p: p.latest_level in DISABLED_LEVELS)
    assert 0.08 <= dependent <= 0.12
    assert share(old, lambda p: p.latest_level in DISABLED_LEVELS) > 2 * dependent
    # most are independent or mildly dependent
    assert share(assessed, lambda p: p.latest_level in ("independent", "mild")) > 0.85


def test_some_are_assessed_twice_and_a_later_assessment_may_change_the_level(big):
    twice = [p for p in big if len(p.assessments) == 2]

    assert len(twice) > 0.1 * len(big)
    assert all(p.assessments[0].assessed_on < p.assessments[1].assessed_on for p in twice)
    assert 0.2 < share(twice, lambda p: p.assessments[0].level != p.assessments[1].level) < 0.7


def test_barthel_items_are_allowed_scores_adding_up_to_the_total_and_level(big):
    for assessment in (a for p in big for a in p.assessments):
        for score, allowed in zip(assessment.items, BARTHEL_ITEMS.values(), strict=True):
            assert score in allowed
        assert assessment.total == sum(assessment.items)
        assert assessment.level == barthel_level(assessment.total)


def test_visits_go_to_most_of_the_vulnerable_and_inspection_is_the_commonest(big):
    vulnerable = [
        p
        for p in big
        if p.status == "active"
        and p.living_situation == "alone"
        and p.extreme_poverty != "centralised"
    ]
    visits = [v for p in big for v in p.visits]

    assert share(vulnerable, lambda p: p.visits) > 0.75
    assert len(visits) > 2.5 * len(big)
    services = Counter(v.service_type for v in visits)
    assert services.most_common(1)[0][0] == "inspection"
    assert 0.5 < services["inspection"] / len(visits) < 0.75
    assert 0.03 < share(visits, lambda v: v.follow_up_needed) < 0.15
    assert all(v.visitor_name for v in visits)
    # nobody in an institution is visited at home
    assert not any(p.visits for p in big if p.extreme_poverty == "centralised")


def test_nothing_is_dated_in_the_future_before_registration_or_after_a_death_or_move(big):
    left = [p for p in big if p.status != "active"]
    assert 0.08 < len(left) / len(big) < 0.3  # about 2.8 % die and 0.5 % move away a year
    for person in big:
        if person.status == "active":
            assert person.status_on is None
        else:
            assert person.registered_on <= person.status_on <= TODAY
        end = person.status_on or TODAY
        for assessment in person.assessments:
            assert person.registered_on <= assessment.assessed_on <= end
        for visit in person.visits:
            assert person.registered_on <= visit.visited_at.date() < end
            assert visit.visited_at.date() < TODAY
        for day in (
            person.family_doctor_contract_on,
            person.family_care_bed_on,
            person.home_adaptation_on,
            person.family_caregiver_trained_on,
        ):
            assert day is None or datetime.date(2021, 1, 1) <= day <= end


def test_most_people_live_in_villages_and_in_one_of_their_groups(big):
    groups = dict(CAST[0].groups)

    assert share(big, lambda p: p.village != "500156101006") > 0.75
    for person in big:
        if person.village == "500156101201":
            assert person.villager_group in groups
        else:
            assert person.villager_group is None


def test_a_plan_needs_villages_and_a_day_after_the_ledger_started():
    with pytest.raises(PopulationError):
        population_plan(seed=1, size=10, today=TODAY, villages=[])
    with pytest.raises(PopulationError):
        plan(today=ANCHOR)


# --- the ledger ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_writes_the_plan_into_the_ledger_with_history(regions, today):
    result = population_generate(size=300)

    planned = population_plan(seed=2021, size=300, today=today, villages=village_infos())
    assert sorted(Senior.objects.values_list("id_number", flat=True)) == sorted(
        p.id_number for p in planned
    )
    assert (result.seniors, result.assessments, result.visits) == (
        300,
        Assessment.objects.count(),
        Visit.objects.count(),
    )
    assert result.assessments == sum(len(p.assessments) for p in planned)
    assert result.visits == sum(len(p.visits) for p in planned) > 300
    assert sum(result.by_status.values()) == 300
    left = Senior.objects.exclude(status="active").count()
    assert Senior.history.count() == 300 + left
    assert Assessment.history.count() == result.assessments
    assert Visit.history.count() == result.visits


@pytest.mark.django_db
def test_the_records_keep_the_ledger_rules(regions, today):
    population_generate(size=200)

    for senior in Senior.objects.all():
        parsed = parse_id_number(senior.id_number)
        assert (parsed.sex, parsed.birth_date) == (senior.sex, senior.birth_date)
        assert senior.age_on(senior.registered_on) >= 60
        if senior.status != "active":
            assert senior.registered_on <= senior.status_on <= today
        if senior.villager_group_id:
            assert senior.villager_group.parent_id == senior.village_id
    for assessment in Assessment.objects.select_related("senior"):
        assert assessment.total == sum(getattr(assessment, item) for item in BARTHEL_ITEMS)
        assert assessment.level == barthel_level(assessment.total)
        assert assessment.assessed_on <= (assessment.senior.status_on or today)
    now = timezone.now()
    for visit in Visit.objects.select_related("senior"):
        assert visit.visited_at <= now
        assert visit.visitor_id is None and visit.visitor_name
        if visit.senior.status_on:
            assert timezone.localtime(visit.visited_at).date() < visit.senior.status_on


@pytest.mark.django_db
def test_a_death_is_in_the_history_on_its_own_date(regions, today):
    population_generate(size=150)

    senior = Senior.objects.filter(status="deceased").first()
    history = list(senior.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert [h.status for h in history] == ["active", "deceased"]
    assert timezone.localtime(history[0].history_date).date() == senior.registered_on
    assert timezone.localtime(history[1].history_date).date() == senior.status_on


@pytest.mark.django_db
def test_a_rerun_adds_nothing_and_says_so(regions, today):
    population_generate(size=100)
    counts = (Senior.objects.count(), Assessment.objects.count(), Visit.objects.count())

    out = StringIO()
    call_command("generate_population", "--size", "100", stdout=out)

    assert (Senior.objects.count(), Assessment.objects.count(), Visit.objects.count()) == counts
    assert "already in the ledger (100 of its 100 people found): nothing added" in out.getvalue()


@pytest.mark.django_db
def test_a_bigger_size_adds_the_rest_and_another_seed_a_second_population(regions, today):
    population_generate(size=60)

    out = StringIO()
    call_command("generate_population", "--size", "150", stdout=out)
    other = population_generate(seed=7, size=60)

    assert re.search(r"seniors +90 ", out.getvalue())
    assert "60 planned people were already in the ledger and were left out" in out.getvalue()
    assert other.seniors + other.already_present == 60 and other.seniors >= 55
    assert Senior.objects.count() == 150 + other.seniors


@pytest.mark.django_db
def test_the_command_prints_the_counts(regions, today):
    out = StringIO()
    call_command("generate_population", "--size", "60", "--seed", "3", stdout=out)

    text = out.getvalue()
    assert "Demo population, seed 3, as on 2026-11-29" in text
    assert re.search(r"seniors +60 ", text)
    assert re.search(rf"visits +{Visit.objects.count():,}\n", text)
    assert "家庭医生 family-doctor contract" in text
    assert "Done in" in text


@pytest.mark.django_db
def test_without_villages_the_command_refuses():
    with pytest.raises(CommandError, match="load the regions first"):
        call_command("generate_population", "--size", "10")


def test_visits_are_there_every_year_and_rise_with_the_plans_ramp_up(big):
    years = Counter(v.visited_at.year for p in big for v in p.visits)
    assert set(years) == {2021, 2022, 2023, 2024, 2025, 2026}
    # the cast's villages start their regular visits in 2022-06 and 2023-05/06: before that
    # only the key groups get the odd visit
    assert years[2021] < years[2022] < years[2023] < years[2024]
    assert years[2021] < 0.1 * years[2024]
    # once every village's programme runs, about the same number each year
    assert 0.85 < years[2025] / years[2024] < 1.15
    for person in big:
        for visit in person.visits:
            if visit.visited_at.date() < visit_programme(2021, person.village):
                assert person.key_group


def test_villages_start_their_regular_visits_from_2021_most_by_the_end_of_2022():
    starts = [
        visit_programme(2021, f"500156{township}{village}")
        for township in range(101, 121)
        for village in range(200, 210)
    ]
    assert min(starts) >= datetime.date(2021, 6, 15)
    assert max(starts) <= datetime.date(2023, 6, 30)
    assert 0.05 < share(starts, lambda d: d <= datetime.date(2021, 12, 31)) < 0.25
    assert 0.75 < share(starts, lambda d: d <= datetime.date(2022, 12, 31)) < 0.95
    assert visit_programme(2021, "500156101201") == visit_programme(2021, "500156101201")
