"""The facility network's pages: the list with its filters and marks, a page per facility, and
the forms that keep it current, each inside the user's scope."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import Role
from facilities import services
from facilities.models import (
    Bed,
    Facility,
    Placement,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 1)


@pytest.fixture
def home(home_with_two_beds):
    return home_with_two_beds


@pytest.fixture
def centre(regions):
    """白马镇照护中心: a care centre with 10 beds, 8 of them nursing-type, 2 caregivers."""
    centre = f.FacilityFactory(name="白马镇照护中心", kind="care_centre", region=regions["baima"])
    f.beds(centre, 8, kind="nursing")
    f.beds(centre, 2, start=9)
    f.staff(centre, 2)
    return centre


@pytest.fixture
def point(regions):
    """板桥村互助点: a village point still being planned."""
    return f.FacilityFactory(
        name="板桥村互助点",
        kind="mutual_aid_point",
        region=regions["banqiao"],
        status="planned",
        opened_on=None,
    )


@pytest.fixture
def houping_home(regions):
    """后坪乡敬老院, in the other township."""
    home = f.FacilityFactory(name="后坪乡敬老院", region=regions["houping"])
    f.beds(home, 1)
    f.staff(home, 1)
    return home


@pytest.fixture
def network(home, centre, point, houping_home):
    return {"home": home, "centre": centre, "point": point, "houping": houping_home}


def names_in(body: str) -> set[str]:
    return set(re.findall(r'<a href="/facilities/\d+/">([^<]+)</a>', body))


def row_of(body: str, text: str) -> str:
    """The table row that holds ``text``."""
    for row in re.findall(r"<tr>.*?</tr>", body, flags=re.S):
        if text in row:
            return row
    raise AssertionError(f"no row with {text}")


def text_of(html: str) -> str:
    """What a reader sees of some HTML: the text, with single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def alert_of(body: str) -> str:
    match = re.search(r'<div class="error" role="alert">(.*?)</div>', body, flags=re.S)
    assert match, "no error shown"
    return match.group(1)


# --- the list ---------------------------------------------------------------------------------


def test_it_lists_the_facilities_the_user_may_see(today, client, staff_baima, network):
    client.force_login(staff_baima)
    body = client.get("/facilities/").content.decode()
    assert names_in(body) == {"白马镇敬老院", "白马镇照护中心", "板桥村互助点"}


def test_it_filters_by_kind_township_and_status(today, client, bureau, network):
    client.force_login(bureau)
    everything = client.get("/facilities/").content.decode()
    assert len(names_in(everything)) == 4

    by_kind = client.get("/facilities/", {"kind": "care_centre"}).content.decode()
    assert names_in(by_kind) == {"白马镇照护中心"}

    by_township = client.get("/facilities/", {"township": "500156208000"}).content.decode()
    assert names_in(by_township) == {"后坪乡敬老院"}

    by_status = client.get("/facilities/", {"status": "planned"}).content.decode()
    assert names_in(by_status) == {"板桥村互助点"}

    combined = client.get(
        "/facilities/", {"kind": "nursing_home", "township": "500156101000", "status": "operating"}
    ).content.decode()
    assert names_in(combined) == {"白马镇敬老院"}


def test_the_township_filter_offers_only_the_users_townships(client, staff_baima, network):
    client.force_login(staff_baima)
    body = client.get("/facilities/").content.decode()
    assert 'value="500156101000"' in body
    assert 'value="500156208000"' not in body
    # asking for another township's facilities finds nothing
    response = client.get("/facilities/", {"township": "500156208000"})
    assert response.status_code == 200
    assert names_in(response.content.decode()) == set()


def test_the_list_marks_the_plans_ratios(today, client, staff_baima, centre, home, regions):
    # the care centre: 6 residents, 2 caregivers (1:3 met), 8 of 10 beds nursing-type (80 % met)
    for i in range(6):
        senior = f.SeniorFactory(village=regions["banqiao"], name=f"住{i}")
        services.placement_admit(by=staff_baima, senior=senior, facility=centre, admitted_on=DAY)
    # the nursing home: 2 residents and no staff (1:10 behind)
    for i in range(2):
        senior = f.SeniorFactory(village=regions["banqiao"], name=f"院{i}")
        services.placement_admit(by=staff_baima, senior=senior, facility=home, admitted_on=DAY)
    client.force_login(staff_baima)
    body = client.get("/facilities/").content.decode()

    centre_row = row_of(body, "白马镇照护中心")
    # beds, residents with the occupancy, nursing beds with their share, staff with the ratio
    assert "10 6 60% 8 80%" in text_of(centre_row)
    assert "2 (1 : 3)" in text_of(centre_row)
    assert centre_row.count('class="mark met"') == 2
    assert 'class="mark behind"' not in centre_row

    home_row = row_of(body, "白马镇敬老院")
    assert "2 2 100%" in text_of(home_row)
    assert home_row.count('class="mark behind"') == 1  # staffing; no nursing-bed target


def test_the_list_takes_a_bounded_number_of_queries(
    today, client, bureau, regions, django_assert_max_num_queries
):
    for _ in range(40):
        facility = f.FacilityFactory(region=regions["baima"], kind="care_centre")
        f.beds(facility, 3, kind="nursing")
        f.staff(facility, 1)
    client.force_login(bureau)
    with django_assert_max_num_queries(10):
        response = client.get("/facilities/")
    assert response.status_code == 200
    assert len(names_in(response.content.decode())) == 30  # a page
    with django_assert_max_num_queries(10):
        second = client.get("/facilities/", {"page": 2})
    assert len(names_in(second.content.decode())) == 10


# --- scope: outside the region, another operator's facility ----------------------------------


def test_staff_of_baima_get_404_on_a_houping_facility(today, client, staff_baima, houping_home):
    client.force_login(staff_baima)
    pk = houping_home.pk
    bed = houping_home.beds.get()
    member = houping_home.staff.get()
    for path in (
        f"/facilities/{pk}/",
        f"/facilities/{pk}/edit/",
        f"/facilities/{pk}/quality-checks/new/",
        f"/facilities/{pk}/beds/new/",
        f"/facilities/{pk}/admit/",
        f"/facilities/{pk}/staff/new/",
        f"/facilities/{pk}/funds/",
        f"/facilities/beds/{bed.pk}/retire/",
        f"/facilities/staff/{member.pk}/left/",
        f"/facilities/staff/{member.pk}/certificates/new/",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/facilities/{pk}/edit/", {"name": "改名"})
    assert response.status_code == 404
    houping_home.refresh_from_db()
    assert houping_home.name == "后坪乡敬老院"


def test_an_operator_sees_only_their_facility(today, client, operator_baima, network):
    client.force_login(operator_baima)
    body = client.get("/facilities/").content.decode()
    assert names_in(body) == {"白马镇敬老院"}
    assert client.get(f"/facilities/{network['home'].pk}/").status_code == 200
    # another facility of the same township
    assert client.get(f"/facilities/{network['centre'].pk}/").status_code == 404
    assert client.get(f"/facilities/{network['centre'].pk}/edit/").status_code == 404
    bed = network["centre"].beds.first()
    assert client.get(f"/facilities/beds/{bed.pk}/retire/").status_code == 404


def test_an_operator_keeps_their_facility_current(today, client, operator_baima, home):
    client.force_login(operator_baima)
    form = client.get(f"/facilities/{home.pk}/edit/").content.decode()
    assert 'name="floor_area"' in form
    assert 'name="status"' not in form  # the supervisors place a facility in the network

    response = client.post(
        f"/facilities/{home.pk}/edit/",
        {
            "name": "白马镇敬老院",
            "floor_area": "860.5",
            "operation_mode": "socialised",
            "operator_name": "武隆康养公司",
            "has_dining_room": "on",
        },
    )
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.floor_area == Decimal("860.5")
    assert home.operator_name == "武隆康养公司"
    assert home.status == "operating"
    assert home.history.order_by("-history_id").first().history_user == operator_baima

    response = client.post(
        f"/facilities/{home.pk}/beds/new/",
        {"label": "101", "kind": "nursing", "in_use_from": "2026-11-20"},
    )
    assert response.status_code == 302
    assert home.beds.filter(label="101", kind="nursing").exists()


def test_an_operator_records_discharges_but_not_admissions(
    today, client, operator_baima, staff_baima, home, zhang
):
    stay = services.placement_admit(by=staff_baima, senior=zhang, facility=home, admitted_on=DAY)
    client.force_login(operator_baima)
    assert client.get(f"/facilities/{home.pk}/admit/").status_code == 403

    body = client.get(f"/facilities/{home.pk}/").content.decode()
    assert "张大爷" in body
    assert f"/seniors/{zhang.pk}/" not in body  # operators see no seniors' ledger

    response = client.post(
        f"/facilities/placements/{stay.pk}/discharge/",
        {"discharged_on": "2026-11-28", "discharge_reason": "回家"},
    )
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.discharged_on == datetime.date(2026, 11, 28)
    assert stay.history.order_by("-history_id").first().history_user == operator_baima


def test_an_assistant_reads_but_gets_403_on_forms(today, client, assistant_baima, point, home):
    client.force_login(assistant_baima)
    # the assistant of 板桥村 sees the village's point, not the township's home
    assert client.get(f"/facilities/{home.pk}/").status_code == 404
    assert client.get(f"/facilities/{point.pk}/").status_code == 200
    for path in (
        f"/facilities/{point.pk}/edit/",
        f"/facilities/{point.pk}/beds/new/",
        f"/facilities/{point.pk}/admit/",
        "/facilities/new/",
    ):
        assert client.get(path).status_code == 403, path
    response = client.post(
        f"/facilities/{point.pk}/beds/new/",
        {"label": "9", "kind": "ordinary", "in_use_from": "2026-11-01"},
    )
    assert response.status_code == 403
    assert point.beds.count() == 0


def test_a_volunteer_may_not_see_facilities(client, volunteer, home):
    client.force_login(volunteer)
    assert client.get("/facilities/").status_code == 403
    assert client.get(f"/facilities/{home.pk}/").status_code == 403


# --- admissions -------------------------------------------------------------------------------


def test_admitting_through_the_form(today, client, staff_baima, home, zhang):
    client.force_login(staff_baima)
    page = client.get(f"/facilities/{home.pk}/admit/", {"q": "张"}).content.decode()
    assert "张大爷" in page

    bed = home.beds.get(label="002")
    response = client.post(
        f"/facilities/{home.pk}/admit/",
        {"senior": zhang.pk, "kind": "residential", "bed": bed.pk, "admitted_on": "2026-11-29"},
    )
    assert response.status_code == 302
    stay = Placement.objects.get()
    assert (stay.senior, stay.facility, stay.bed) == (zhang, home, bed)
    assert stay.history.order_by("-history_id").first().history_user == staff_baima


def test_admitting_into_a_full_facility_shows_the_error_and_writes_nothing(
    today, client, staff_baima, home, regions, zhang
):
    for i in range(2):
        senior = f.SeniorFactory(village=regions["banqiao"], name=f"住{i}")
        services.placement_admit(by=staff_baima, senior=senior, facility=home, admitted_on=DAY)
    client.force_login(staff_baima)
    response = client.post(
        f"/facilities/{home.pk}/admit/",
        {"senior": zhang.pk, "kind": "residential", "admitted_on": "2026-11-29"},
    )
    assert response.status_code == 200
    alert = alert_of(response.content.decode())
    assert "白马镇敬老院" in alert and "2" in alert
    assert Placement.objects.count() == 2
    assert not Placement.objects.filter(senior=zhang).exists()


def test_a_senior_outside_the_region_cannot_be_admitted(today, client, staff_baima, home, liu):
    client.force_login(staff_baima)
    response = client.post(
        f"/facilities/{home.pk}/admit/",
        {"senior": liu.pk, "kind": "residential", "admitted_on": "2026-11-29"},
    )
    assert response.status_code == 200
    assert 'class="field has-error"' in response.content.decode()
    assert Placement.objects.count() == 0


# --- the page of a facility -----------------------------------------------------------------


def test_the_page_shows_residents_staff_certificates_projects_and_funds(
    today, client, staff_baima, home, zhang
):
    services.placement_admit(by=staff_baima, senior=zhang, facility=home, admitted_on=DAY)
    nurse = f.StaffMemberFactory(
        facility=home, name="李护理", role="caregiver", started_on=datetime.date(2021, 3, 1)
    )
    f.CertificateFactory(
        staff=nurse,
        number="HL-2019-001",
        level="5",
        issued_on=datetime.date(2019, 1, 1),
        expires_on=datetime.date(2024, 1, 1),
    )
    f.CertificateFactory(
        staff=nurse,
        number="HL-2024-777",
        level="4",
        issued_on=datetime.date(2024, 2, 1),
        expires_on=datetime.date(2029, 2, 1),
    )
    project = f.UpgradeProjectFactory(
        facility=home,
        kind="upgrade",
        title="白马镇敬老院提档升级",
        budget=Decimal("1200000"),
        status="completed",
        started_on=datetime.date(2024, 3, 1),
        completed_on=datetime.date(2025, 6, 30),
        award_amount=Decimal("300000"),
    )
    f.ProjectFundingFactory(project=project, source="lottery", amount=Decimal("800000"))
    f.MilestoneFactory(project=project, name="主体完工", done_on=datetime.date(2025, 1, 10))
    services.operating_fund_record(
        by=staff_baima,
        facility=home,
        year=2025,
        operating_funds=Decimal("14000"),
        residents_basic_allowance=Decimal("100000"),
    )

    client.force_login(staff_baima)
    body = client.get(f"/facilities/{home.pk}/").content.decode()

    assert f'<a href="/seniors/{zhang.pk}/">张大爷</a>' in body
    assert "李护理" in body
    assert re.search(r'cert-expired"><code>HL-2019-001</code>.*?mark behind', body, re.S)
    assert re.search(r'cert-valid"><code>HL-2024-777</code>.*?mark met', body, re.S)
    assert "白马镇敬老院提档升级" in body and "800000" in body and "300000" in body
    assert "主体完工" in body
    funds = row_of(body, "14000")
    assert "14%" in funds and 'class="mark behind"' in funds


def test_the_history_names_who_changed_what(today, client, staff_baima, home):
    client.force_login(staff_baima)
    response = client.post(
        f"/facilities/{home.pk}/edit/",
        {
            "kind": "nursing_home",
            "name": "白马镇敬老院",
            "region": "500156101000",
            "status": "operating",
            "opened_on": "2020-01-01",
            "floor_area": "900",
            "operation_mode": "public",
        },
    )
    assert response.status_code == 302, response.content.decode()

    body = client.get(f"/facilities/{home.pk}/").content.decode()
    history = body[body.index('id="history"') :]
    change = row_of(history, "staff-baima")
    with translation.override("zh-hans"):
        assert str(Facility._meta.get_field("floor_area").verbose_name) in change
        assert str(Facility._meta.get_field("name").verbose_name) not in change


def test_the_history_shows_changes_to_the_ledgers(today, client, staff_baima, home):
    bed = home.beds.get(label="001")
    client.force_login(staff_baima)
    client.post(f"/facilities/beds/{bed.pk}/retire/", {"retired_on": "2026-11-20"})
    bed.refresh_from_db()
    assert bed.retired_on == datetime.date(2026, 11, 20)

    body = client.get(f"/facilities/{home.pk}/").content.decode()
    history = body[body.index('id="history"') :]
    change = row_of(history, "staff-baima")
    assert "001" in change
    with translation.override("zh-hans"):
        assert str(Bed._meta.get_field("retired_on").verbose_name) in change


def test_township_staff_register_a_facility_and_assign_its_operator(
    today, client, staff_baima, regions, home
):
    operator = f.UserFactory(
        username="operator-new", role=Role.FACILITY_OPERATOR, region=regions["baima"]
    )
    client.force_login(staff_baima)
    response = client.post(
        "/facilities/new/",
        {
            "kind": "mutual_aid_point",
            "name": "铁佛寺互助点",
            "region": "500156101006",
            "served_regions": ["500156101201"],
            "status": "operating",
            "opened_on": "2026-03-01",
            "operation_mode": "public",
            "operators": [operator.pk],
        },
    )
    assert response.status_code == 302
    point = Facility.objects.get(name="铁佛寺互助点")
    assert point.region_id == "500156101006"
    assert list(point.served_regions.values_list("code", flat=True)) == ["500156101201"]
    assert list(point.operators.all()) == [operator]
    assert point.history.order_by("-history_id").first().history_user == staff_baima

    client.force_login(operator)
    assert client.get(f"/facilities/{point.pk}/").status_code == 200


def test_a_facility_cannot_be_registered_outside_the_region(today, client, staff_baima, regions):
    client.force_login(staff_baima)
    response = client.post(
        "/facilities/new/",
        {"kind": "nursing_home", "name": "越界敬老院", "region": "500156208000",
         "status": "planned", "operation_mode": "public"},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'class="field has-error"' in response.content.decode()
    assert not Facility.objects.filter(name="越界敬老院").exists()


def test_the_page_of_a_facility_takes_a_bounded_number_of_queries(
    today, client, staff_baima, regions, django_assert_max_num_queries
):
    big = f.FacilityFactory(name="大敬老院", region=regions["baima"])
    f.beds(big, 25)
    for i, member in enumerate(f.staff(big, 15)):
        f.CertificateFactory(
            staff=member, number=f"C-{i}", level="5", issued_on=datetime.date(2020, 1, 1)
        )
    for i in range(20):
        senior = f.SeniorFactory(village=regions["banqiao"], name=f"住{i}")
        services.placement_admit(by=staff_baima, senior=senior, facility=big, admitted_on=DAY)
    client.force_login(staff_baima)
    with django_assert_max_num_queries(40):
        response = client.get(f"/facilities/{big.pk}/")
    assert response.status_code == 200
    assert "住19" in response.content.decode()
