"""The 结对扶老 rule and the overdue test on fixed dates (plan 二(七)); expected by hand."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from seniors.models import Senior
from volunteers import services
from volunteers.models import Pairing
from volunteers.pairings import pairings_with_status, seniors_lacking_pairing

from . import factories as f

ON = datetime.date(2026, 11, 29)
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def helper(regions):
    return f.VolunteerFactory(village=regions["banqiao"])


def senior(regions, **kwargs):
    kwargs.setdefault("born", datetime.date(1955, 5, 5))  # 71: not high age
    return f.SeniorFactory(village=regions["banqiao"], **kwargs)


def pair(helper, senior, mode, since, **fields):
    """Start a pairing of the helper and the senior on the day ``since``, through the service."""
    return services.pairing_start(
        by=None, helper=helper, senior=senior, mode=mode, started_on=since, **fields
    )


def lacking(on=ON):
    rows = seniors_lacking_pairing(Senior.objects.all(), on)
    return {s.name: s.required_mode for s in rows}


def test_it_asks_one_to_one_for_key_targets_and_coverage_for_the_others(regions):
    senior(regions, name="特困", extreme_poverty="dispersed")
    senior(regions, name="集中特困", extreme_poverty="centralised")
    senior(regions, name="低保", subsistence_allowance=True)
    senior(regions, name="低收入", low_income=True)
    senior(regions, name="计生健康", family_planning_special=True)
    disabled = senior(regions, name="计生失能", family_planning_special=True)
    f.AssessmentFactory(senior=disabled, feeding=0, bathing=0, dressing=0, transfers=0)  # 50
    senior(regions, name="高龄", born=datetime.date(1946, 11, 29))  # 80 on ON
    senior(regions, name="79岁", born=datetime.date(1946, 11, 30))
    senior(regions, name="独居", living_situation="alone")
    senior(regions, name="留守", living_situation="left_behind")
    senior(regions, name="已故", living_situation="alone", status="deceased", status_on=ON)

    assert lacking() == {
        "特困": "one_to_one",
        "低保": "one_to_one",
        "低收入": "one_to_one",
        "计生失能": "one_to_one",
        "高龄": "grid_or_area",
        "独居": "grid_or_area",
        "留守": "grid_or_area",
    }


def test_a_key_target_with_only_grid_coverage_still_lacks_one_to_one(regions, helper):
    poor = senior(regions, name="低保", subsistence_allowance=True)
    alone = senior(regions, name="独居", living_situation="alone")
    pair(helper, poor, "grid", datetime.date(2025, 1, 1))
    pair(helper, alone, "one_to_one", datetime.date(2025, 1, 1))
    assert lacking() == {"低保": "one_to_one"}


def test_a_pairing_counts_only_while_it_runs(regions, helper):
    poor = senior(regions, name="低保", subsistence_allowance=True)
    pairing = pair(helper, poor, "one_to_one", datetime.date(2026, 6, 1))
    services.pairing_end(by=None, pairing=pairing, ended_on=datetime.date(2026, 10, 1))
    assert lacking(datetime.date(2026, 5, 31)) == {"低保": "one_to_one"}
    assert lacking(datetime.date(2026, 9, 30)) == {}
    assert lacking(datetime.date(2026, 10, 1)) == {"低保": "one_to_one"}


def visit(senior, day):
    return f.VisitFactory(
        senior=senior, visited_at=datetime.datetime.combine(day, datetime.time(22, 30), SH)
    )


def status():
    return {
        p.mode: (p.last_visit_on, p.overdue)
        for p in pairings_with_status(Pairing.objects.all(), ON)
    }


def test_it_is_overdue_the_day_after_the_interval_runs_out(regions, helper):
    poor = senior(regions, subsistence_allowance=True)
    old = senior(regions, born=datetime.date(1940, 1, 1))
    pair(helper, poor, "one_to_one", datetime.date(2026, 1, 1))
    pair(helper, old, "grid", datetime.date(2026, 1, 1))
    visit(poor, datetime.date(2026, 11, 22))  # 7 days before: within the 7-day interval
    visit(old, datetime.date(2026, 10, 29))  # 31 days before: past the 30-day interval
    visit(old, datetime.date(2026, 11, 30))  # after ON: does not count
    assert status() == {
        "one_to_one": (datetime.date(2026, 11, 22), False),
        "grid": (datetime.date(2026, 10, 29), True),
    }
    visit(poor, datetime.date(2026, 11, 21))  # an older visit changes nothing
    assert status()["one_to_one"] == (datetime.date(2026, 11, 22), False)


def test_a_new_pairing_has_one_interval_of_grace_from_its_start(regions, helper):
    poor = senior(regions, subsistence_allowance=True)
    visit(poor, datetime.date(2026, 1, 1))  # long before the pairing: does not reset it
    pair(helper, poor, "one_to_one", datetime.date(2026, 11, 22))
    assert status() == {"one_to_one": (datetime.date(2026, 1, 1), False)}
    Pairing.objects.update(started_on=datetime.date(2026, 11, 21))
    assert status() == {"one_to_one": (datetime.date(2026, 1, 1), True)}


def test_an_ended_pairing_is_never_overdue(regions, helper):
    poor = senior(regions, subsistence_allowance=True)
    pairing = pair(helper, poor, "one_to_one", datetime.date(2025, 1, 1))
    services.pairing_end(by=None, pairing=pairing, ended_on=datetime.date(2026, 3, 1))
    assert status() == {"one_to_one": (None, False)}


def test_the_interval_defaults_to_the_bureau_policy(regions, helper):
    f.PolicyFactory(one_to_one_interval_days=10, area_interval_days=45)
    a = pair(helper, senior(regions), "one_to_one", ON)
    b = pair(helper, senior(regions), "area", ON, visit_interval_days=20)
    assert (a.visit_interval_days, b.visit_interval_days) == (10, 20)


def test_a_second_open_pairing_of_the_same_two_is_refused(regions, helper):
    s = senior(regions)
    pair(helper, s, "grid", ON)
    with pytest.raises(ValidationError, match="已与这位老人结对"):
        pair(helper, s, "area", ON)
    assert Pairing.objects.count() == 1


def test_helper_and_senior_must_share_a_township(regions, helper):
    far = f.SeniorFactory(village=regions["wenfeng"])
    with pytest.raises(ValidationError, match="同一乡镇"):
        pair(helper, far, "grid", ON)
