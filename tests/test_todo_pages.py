"""The first page of a village assistant and of a township clerk: what waits for them today,
each with its count and a link to the action. "Today" is 2026-11-29 (the suite's day)."""

import datetime
import uuid
import zoneinfo

import pytest

from tests import factories as f
from tests.conftest import LI_ID, WANG_ID
from volunteers.claims import claim_submit

pytestmark = pytest.mark.django_db

WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date


def _items(response):
    assert response.status_code == 200
    return {item.key: item for item in response.context["items"]}


def _senior(regions, id_number, name, village="banqiao"):
    return f.SeniorFactory(
        id_number=id_number,
        name=name,
        sex="M",
        birth_date=D(1940, 1, 1),
        village=regions[village],
        registered_on=D(2021, 6, 1),
    )


def _visited(senior, day):
    f.VisitFactory(
        senior=senior, visited_at=datetime.datetime.combine(day, datetime.time(9), WULONG)
    )


@pytest.fixture
def pairings(regions, today, zhang, volunteer):
    """Three weekly pairings in 板桥 and one in 文凤:
    张大爷 last visited 11-19 (10 days ago): overdue since 11-27;
    王大爷 last visited 11-24 (5 days ago): due by 12-01, within the week;
    李大爷 visited today: next due 12-06, not this week;
    刘奶奶 of 文凤 (后坪), 20 days ago: overdue, but not 白马's."""
    helper = f.VolunteerFactory(village=regions["banqiao"], name="李志愿", user=volunteer)
    far_helper = f.VolunteerFactory(village=regions["wenfeng"], name="后坪志愿")
    wang = _senior(regions, "50023219300115011X", "王大爷")
    li = _senior(regions, "500232194607202468", "李大爷")
    liu = _senior(regions, "500232196612010312", "刘奶奶", village="wenfeng")
    for senior, last, who in (
        (zhang, D(2026, 11, 19), helper),
        (wang, D(2026, 11, 24), helper),
        (li, D(2026, 11, 29), helper),
        (liu, D(2026, 11, 9), far_helper),
    ):
        f.PairingFactory(
            helper=who,
            senior=senior,
            mode="one_to_one",
            visit_interval_days=7,
            started_on=D(2025, 1, 1),
        )
        _visited(senior, last)
    return helper


def test_the_assistant_sees_claims_visits_and_paper_records_first(
    client, assistant_baima, volunteer, pairings, zhang, today
):
    start = datetime.datetime(2026, 11, 28, 9, tzinfo=WULONG)
    claim, _ = claim_submit(
        by=volunteer,
        volunteer=pairings,
        senior=zhang,
        service_type="meals",
        started_at=start,
        ended_at=start + datetime.timedelta(hours=1),
    )
    client.force_login(assistant_baima)

    response = client.get("/")

    items = _items(response)
    assert list(items) == ["claims", "visits", "paper"]
    assert items["claims"].count == 1
    assert items["claims"].rows[0].url == f"/claims/#claim-{claim.pk}"
    # 张大爷 (overdue) first, then 王大爷 (due on 12-01); 李大爷 is fine; 刘奶奶 is 后坪's
    assert items["visits"].count == 2
    assert [r.text for r in items["visits"].rows] == ["张大爷 · 李志愿", "王大爷 · 李志愿"]
    assert [r.urgent for r in items["visits"].rows] == [True, False]
    assert items["visits"].rows[0].url == f"/seniors/{zhang.pk}/visits/new/"
    page = response.content.decode()
    assert "今日待办" in page and "刘奶奶" not in page


@pytest.fixture
def institutions(regions, today):
    """白马's institutions on 2026-11-29:
    home A: checked 2025-10-25 (400 days ago): due; funds for 2026 filed;
    home B: checked 2026-08-21 (100 days ago): not due; no 2026 funds row: 未填报;
    care centre C: never checked: due (first); funds filed;
    point D: a village point, not checked by the standard, no funds rule;
    后坪's home E: never checked, no funds: not 白马's."""
    a = f.FacilityFactory(region=regions["baima"], name="甲敬老院")
    b = f.FacilityFactory(region=regions["baima"], name="乙敬老院")
    c = f.FacilityFactory(region=regions["baima"], name="丙照护中心", kind="care_centre")
    f.FacilityFactory(region=regions["banqiao"], name="丁互助点", kind="mutual_aid_point")
    f.FacilityFactory(region=regions["houping"], name="戊敬老院")
    f.QualityCheckFactory(facility=a, checked_on=D(2025, 10, 25), passed=True, inspector="x")
    f.QualityCheckFactory(facility=b, checked_on=D(2026, 8, 21), passed=True, inspector="x")
    for home in (a, c):
        f.OperatingFundFactory(
            facility=home, year=2026, operating_funds=30000, residents_basic_allowance=150000
        )
    f.OperatingFundFactory(
        facility=b, year=2025, operating_funds=30000, residents_basic_allowance=150000
    )
    return a, b, c


def test_the_clerk_sees_quality_checks_and_funds_reports_due(
    client, staff_baima, institutions, today
):
    client.force_login(staff_baima)

    items = _items(client.get("/"))

    assert [r.text for r in items["quality"].rows] == ["丙照护中心", "甲敬老院"]
    assert items["quality"].count == 2
    assert [r.note for r in items["quality"].rows] == ["从未检查", "上次检查 2025-10-25"]
    assert [r.text for r in items["funds"].rows] == ["乙敬老院"]
    assert items["funds"].rows[0].url == f"/facilities/{institutions[1].pk}/funds/"


def test_the_clerk_sees_certificates_running_out_within_60_days(
    client, staff_baima, regions, today
):
    home = f.FacilityFactory(region=regions["baima"], name="白马敬老院")
    soon, later, lapsed, renewed, gone = f.staff(home, 5)
    gone.ended_on = D(2026, 10, 1)
    gone.save()

    def cert(staff, number, issued, expires):
        f.CertificateFactory(
            staff=staff, number=number, level="4", issued_on=issued, expires_on=expires
        )

    cert(soon, "C1", D(2021, 12, 29), D(2026, 12, 29))  # in 30 days: shown
    cert(later, "C2", D(2022, 2, 27), D(2027, 2, 27))  # in 90 days: not yet
    cert(lapsed, "C3", D(2021, 11, 19), D(2026, 11, 19))  # lapsed 10 days ago: shown, urgent
    cert(renewed, "C4", D(2021, 12, 19), D(2026, 12, 19))  # in 20 days, but ...
    cert(renewed, "C5", D(2026, 11, 1), D(2031, 11, 1))  # ... renewed already: not shown
    cert(gone, "C6", D(2021, 12, 9), D(2026, 12, 9))  # left the home: not shown
    client.force_login(staff_baima)

    items = _items(client.get("/"))

    rows = items["certificates"].rows
    assert items["certificates"].count == 2
    assert [(r.text, r.urgent) for r in rows] == [
        (f"{lapsed.name} · 白马敬老院", True),
        (f"{soon.name} · 白马敬老院", False),
    ]


def test_the_clerk_sees_imports_waiting_for_confirmation(client, staff_baima, regions, today):
    f.SeniorImportFactory(
        id=uuid.uuid4(),
        created_by=staff_baima,
        region=regions["baima"],
        file_name="十一月.xlsx",
        rows=[],
    )
    client.force_login(staff_baima)

    items = _items(client.get("/"))

    assert items["imports"].count == 1
    assert items["imports"].rows[0].text == "十一月.xlsx"


def test_the_clerks_page_costs_a_bounded_number_of_queries(
    client, staff_baima, pairings, institutions, django_assert_max_num_queries, today
):
    client.force_login(staff_baima)
    with django_assert_max_num_queries(30):
        response = client.get("/")
    assert response.status_code == 200


def test_the_bureau_still_lands_on_its_region(client, bureau, today):
    client.force_login(bureau)
    response = client.get("/")
    assert response.status_code == 200
    assert "items" not in response.context


def test_a_volunteer_still_goes_to_their_hours(client, regions, volunteer, today):
    f.VolunteerFactory(village=regions["banqiao"], user=volunteer)
    client.force_login(volunteer)
    assert client.get("/").status_code == 302


def test_the_page_is_chinese_and_names_no_other_township(
    client, staff_houping, institutions, today
):
    client.force_login(staff_houping)
    page = client.get("/").content.decode()
    assert "戊敬老院" in page
    assert "甲敬老院" not in page and "乙敬老院" not in page
    assert LI_ID not in page and WANG_ID not in page
