"""``upgrade-projects/``: projects with their funding by source, milestones and basic-indicator
checks; who may see and change them."""

import datetime

import pytest

from accounts.models import Role
from facilities.models import (
    BasicIndicator,
    UpgradeProject,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/upgrade-projects/"


def project(facility, **fields):
    values = {
        "kind": "upgrade", "title": "提档升级", "budget": 500000, "status": "under_construction",
        "started_on": datetime.date(2026, 3, 1), **fields,
    }  # fmt: skip
    return f.UpgradeProjectFactory(facility=facility, **values)


def funding_of(project):
    return {row.source: str(row.amount) for row in project.funding.all()}


def test_township_staff_start_a_project_with_its_funding(api_as, staff_baima, home, today):
    response = api_as(staff_baima).post(
        URL,
        {
            "facility": home.pk,
            "kind": "upgrade",
            "title": "白马镇敬老院提档升级",
            "budget": "800000.00",
            "status": "under_construction",
            "started_on": "2026-03-01",
            "funding": {"central": "500000.00", "district": "300000.00"},
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["funding"] == {"central": "500000.00", "district": "300000.00"}
    created = UpgradeProject.objects.get(pk=body["id"])
    assert funding_of(created) == {"central": "500000.00", "district": "300000.00"}
    assert created.history.first().history_user == staff_baima


def test_funding_sent_again_replaces_the_sources_named(api_as, staff_baima, home, today):
    existing = project(home)
    f.ProjectFundingFactory(project=existing, source="central", amount=500000)
    f.ProjectFundingFactory(project=existing, source="district", amount=300000)

    response = api_as(staff_baima).patch(
        f"{URL}{existing.pk}/", {"funding": {"district": None, "lottery": "120000.00"}}
    )

    assert response.status_code == 200
    assert response.json()["funding"] == {"central": "500000.00", "lottery": "120000.00"}
    assert funding_of(existing) == {"central": "500000.00", "lottery": "120000.00"}


def test_an_unknown_funding_source_writes_nothing(api_as, staff_baima, home, today):
    response = api_as(staff_baima).post(
        URL,
        {"facility": home.pk, "kind": "new", "title": "新建", "budget": "1000",
         "status": "planned", "funding": {"moon": "1000"}},
    )  # fmt: skip

    assert response.status_code == 400
    assert "funding" in response.json()
    assert not UpgradeProject.objects.exists()


def test_a_completed_project_needs_its_date(api_as, staff_baima, home, today):
    existing = project(home)

    response = api_as(staff_baima).patch(f"{URL}{existing.pk}/", {"status": "completed"})

    assert response.status_code == 400
    assert "completed_on" in response.json()
    existing.refresh_from_db()
    assert existing.status == "under_construction"


def test_the_award_is_paid_after_building(api_as, staff_baima, home, today):
    existing = project(home)
    client = api_as(staff_baima)

    early = client.patch(
        f"{URL}{existing.pk}/", {"award_amount": "100000.00", "award_paid_on": "2026-11-01"}
    )
    done = client.patch(
        f"{URL}{existing.pk}/",
        {"status": "completed", "completed_on": "2026-10-30", "award_amount": "100000.00",
         "award_paid_on": "2026-11-01"},
    )  # fmt: skip

    assert early.status_code == 400
    assert "award_paid_on" in early.json()
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["award_paid_on"]) == ("completed", "2026-11-01")


def test_milestones_and_indicator_checks_are_shown_with_the_project(
    api_as, staff_baima, home, today
):
    existing = project(home)
    f.MilestoneFactory(project=existing, name="主体完工", planned_on=datetime.date(2026, 9, 1))
    f.MilestoneFactory(
        project=existing, name="开工", planned_on=datetime.date(2026, 3, 1),
        done_on=datetime.date(2026, 3, 1),
    )  # fmt: skip
    indicator = BasicIndicator.objects.get(code="fire-safety")  # seeded by a migration
    f.IndicatorCheckFactory(
        project=existing, indicator=indicator, met=True, checked_on=datetime.date(2026, 10, 1)
    )

    body = api_as(staff_baima).get(f"{URL}{existing.pk}/").json()

    assert [(m["name"], m["done_on"]) for m in body["milestones"]] == [
        ("开工", "2026-03-01"),
        ("主体完工", None),
    ]
    assert [(c["indicator"], c["indicator_name"], c["met"]) for c in body["indicator_checks"]] == [
        ("fire-safety", indicator.name, True)
    ]


def test_staff_of_baima_get_404_on_a_project_in_houping(api_as, staff_baima, home_houping, today):
    other = project(home_houping)
    client = api_as(staff_baima)

    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.patch(f"{URL}{other.pk}/", {"title": "x"}).status_code == 404
    assert client.get(URL).json()["count"] == 0


def test_a_project_cannot_be_started_for_a_facility_elsewhere(
    api_as, staff_baima, home_houping, today
):
    response = api_as(staff_baima).post(
        URL,
        {"facility": home_houping.pk, "kind": "new", "title": "越界", "budget": "1000",
         "status": "planned"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "facility" in response.json()


def test_the_bureau_sees_every_project(api_as, bureau, home, home_houping, today):
    project(home)
    project(home_houping)

    assert api_as(bureau).get(URL).json()["count"] == 2


def test_an_operator_reads_but_does_not_change_their_facilitys_projects(
    api_as, home, operator_baima, regions, today
):
    own = project(home)
    client = api_as(operator_baima)

    assert client.get(f"{URL}{own.pk}/").status_code == 200
    assert client.patch(f"{URL}{own.pk}/", {"title": "改"}).status_code == 403


def test_filters_by_facility_status_and_kind(api_as, staff_baima, home, regions, today):
    other = f.FacilityFactory(name="白马镇照护中心", kind="care_centre", region=regions["baima"])
    upgrade = project(home)
    new = project(other, kind="new", status="planned", started_on=None)
    client = api_as(staff_baima)

    def ids(**params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    assert ids(facility=other.pk) == [new.pk]
    assert ids(status="under_construction") == [upgrade.pk]
    assert ids(kind="new") == [new.pk]


@pytest.mark.parametrize("page_size", [2, 10])
def test_the_list_takes_a_bounded_number_of_queries(
    api_as, staff_baima, home, today, page_size, django_assert_max_num_queries
):
    indicator = BasicIndicator.objects.get(code="fire-safety")
    for n in range(10):
        each = project(home, title=f"项目{n}")
        f.ProjectFundingFactory(project=each, source="district", amount=1000)
        f.MilestoneFactory(project=each, name="开工")
        f.IndicatorCheckFactory(
            project=each, indicator=indicator, met=True, checked_on=datetime.date(2026, 10, 1)
        )
    client = api_as(staff_baima)

    with django_assert_max_num_queries(5):
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_staff_add_a_milestone_and_then_record_it_done(api_as, staff_baima, home, today):
    work = project(home)
    client = api_as(staff_baima)

    added = client.post(
        f"{URL}{work.pk}/milestones/", {"name": "主体完工", "planned_on": "2026-09-30"}
    )
    done = client.post(
        f"{URL}{work.pk}/milestones/",
        {
            "id": added.json()["id"],
            "name": "主体完工",
            "planned_on": "2026-09-30",
            "done_on": "2026-10-08",
        },
    )

    assert (added.status_code, done.status_code) == (201, 200)
    assert list(work.milestones.values_list("name", "done_on")) == [
        ("主体完工", datetime.date(2026, 10, 8))
    ]
    assert work.milestones.get().history.first().history_user == staff_baima


def test_a_milestone_done_in_the_future_is_refused(api_as, staff_baima, home, today):
    work = project(home)
    response = api_as(staff_baima).post(
        f"{URL}{work.pk}/milestones/", {"name": "验收", "done_on": "2026-12-31"}
    )
    assert response.status_code == 400
    assert "done_on" in response.json()
    assert work.milestones.count() == 0


def test_checking_an_indicator_twice_keeps_one_result_and_the_history(
    api_as, staff_baima, home, today
):
    work = project(home, status="completed", completed_on=datetime.date(2026, 10, 1))
    client = api_as(staff_baima)
    url = f"{URL}{work.pk}/indicator-checks/"

    client.post(url, {"indicator": "fire-safety", "met": False, "checked_on": "2026-10-10"})
    response = client.post(
        url,
        {"indicator": "fire-safety", "met": True, "checked_on": "2026-11-10", "note": "整改完成"},
    )

    assert response.status_code == 200
    check = work.indicator_checks.get()
    assert (check.met, check.note) == (True, "整改完成")
    assert check.history.count() == 2


def test_an_unknown_indicator_is_refused(api_as, staff_baima, home, today):
    work = project(home)
    response = api_as(staff_baima).post(
        f"{URL}{work.pk}/indicator-checks/",
        {"indicator": "no-such-thing", "met": True, "checked_on": "2026-11-10"},
    )
    assert response.status_code == 400
    assert "indicator" in response.json()


def test_an_operator_may_not_record_indicator_checks(api_as, home, regions, today):
    operator = f.UserFactory(username="op-x", role=Role.FACILITY_OPERATOR, region=regions["baima"])
    home.operators.add(operator)
    work = project(home)
    response = api_as(operator).post(
        f"{URL}{work.pk}/indicator-checks/",
        {"indicator": "fire-safety", "met": True, "checked_on": "2026-11-10"},
    )
    assert response.status_code == 403
