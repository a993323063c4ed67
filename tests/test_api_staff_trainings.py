"""``staff/`` with certificates, and ``trainings/`` with attendance counted per person."""

import datetime

import pytest

from facilities.models import Certificate, StaffMember, TrainingAttendance, TrainingSession
from tests import factories as f

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/staff/"
TRAININGS = "/api/v1/trainings/"
CAREGIVER_ID = "500232197003050022"  # 张护理, born 1970-03-05
OTHER_ID = "500232198001010021"  # 李护理, born 1980-01-01


@pytest.fixture
def point(regions, today):
    """板桥村互助养老点: in the assistant's village."""
    return f.FacilityFactory(kind="mutual_aid_point", name="板桥村点", region=regions["banqiao"])


def session(regions, region="district", kind="caregiver", held_on=datetime.date(2026, 9, 1)):
    return f.TrainingSessionFactory(
        kind=kind, title=f"{kind}培训", held_on=held_on, organiser="区民政局", hours=24,
        region=regions[region],
    )  # fmt: skip


# --- staff -----------------------------------------------------------------------------------


def test_township_staff_add_a_caregiver(api_as, staff_baima, home, today):
    response = api_as(staff_baima).post(
        STAFF,
        {
            "facility": home.pk,
            "name": "张护理",
            "id_number": CAREGIVER_ID,
            "role": "caregiver",
            "started_on": "2024-03-01",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["id_number"], body["certificates"]) == ("张护理", CAREGIVER_ID, [])
    member = StaffMember.objects.get(pk=body["id"])
    assert member.history.first().history_user == staff_baima


def test_an_invalid_id_number_is_refused(api_as, staff_baima, home, today):
    response = api_as(staff_baima).post(
        STAFF,
        {"facility": home.pk, "name": "错号", "id_number": "500232197003050023",
         "role": "caregiver", "started_on": "2024-03-01"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "id_number" in response.json()
    assert not StaffMember.objects.exists()


def test_an_assistant_sees_staff_with_masked_id_numbers(api_as, assistant_baima, point, today):
    f.StaffMemberFactory(
        facility=point, name="张护理", id_number=CAREGIVER_ID, role="caregiver",
        started_on=datetime.date(2024, 3, 1),
    )  # fmt: skip

    (row,) = api_as(assistant_baima).get(STAFF).json()["results"]

    assert row["id_number"] == "5002**********0022"


def test_an_assistant_may_not_add_staff(api_as, assistant_baima, point, today):
    response = api_as(assistant_baima).post(
        STAFF, {"facility": point.pk, "name": "新人", "role": "cook", "started_on": "2024-03-01"}
    )

    assert response.status_code == 403


def test_staff_of_baima_get_404_on_staff_of_houping(api_as, staff_baima, home_houping, today):
    (member,) = f.staff(home_houping, 1)
    client = api_as(staff_baima)

    assert client.get(f"{STAFF}{member.pk}/").status_code == 404
    assert client.post(f"{STAFF}{member.pk}/end/", {"ended_on": "2026-11-20"}).status_code == 404
    response = client.post(
        STAFF,
        {"facility": home_houping.pk, "name": "越界", "role": "cook", "started_on": "2024-03-01"},
    )
    assert response.status_code == 400
    assert "facility" in response.json()


def test_an_operator_keeps_the_staff_of_their_facility_only(
    api_as, home, operator_baima, regions, today
):
    other = f.FacilityFactory(name="白马镇照护中心", kind="care_centre", region=regions["baima"])
    (elsewhere,) = f.staff(other, 1)
    client = api_as(operator_baima)

    own = client.post(
        STAFF, {"facility": home.pk, "name": "王厨师", "role": "cook", "started_on": "2025-01-01"}
    )

    assert own.status_code == 201
    assert own.json()["id_number"] == ""  # none given; an operator_baima sees numbers masked anyway
    assert client.get(f"{STAFF}{elsewhere.pk}/").status_code == 404
    assert [row["name"] for row in client.get(STAFF).json()["results"]] == ["王厨师"]


def test_someone_who_leaves_keeps_their_record_with_the_day(api_as, staff_baima, home, today):
    (member,) = f.staff(home, 1)
    client = api_as(staff_baima)

    ended = client.post(f"{STAFF}{member.pk}/end/", {"ended_on": "2026-11-20"})
    again = client.post(f"{STAFF}{member.pk}/end/", {"ended_on": "2026-11-21"})

    assert ended.status_code == 200
    assert ended.json()["ended_on"] == "2026-11-20"
    assert again.status_code == 400
    assert "ended_on" in again.json()
    assert client.get(STAFF, {"current": "true"}).json()["count"] == 0
    assert client.get(STAFF, {"current": "false"}).json()["count"] == 1


def test_a_certificate_is_added_and_shown_with_its_validity(api_as, staff_baima, home, today):
    (member,) = f.staff(home, 1)
    client = api_as(staff_baima)

    added = client.post(
        f"{STAFF}{member.pk}/certificates/",
        {"number": "YL2024-001", "level": "4", "issued_on": "2024-05-01"},
    )
    expired = client.post(
        f"{STAFF}{member.pk}/certificates/",
        {"number": "YL2019-007", "level": "5", "issued_on": "2019-05-01",
         "expires_on": "2024-04-30"},
    )  # fmt: skip

    assert (added.status_code, expired.status_code) == (201, 201)
    certificates = client.get(f"{STAFF}{member.pk}/").json()["certificates"]
    assert [(c["number"], c["valid"]) for c in certificates] == [
        ("YL2024-001", True),
        ("YL2019-007", False),
    ]


def test_a_certificate_number_is_recorded_once(api_as, staff_baima, home, today):
    first, second = f.staff(home, 2)
    f.CertificateFactory(
        staff=first, number="YL2024-001", level="4", issued_on=datetime.date(2024, 5, 1)
    )

    response = api_as(staff_baima).post(
        f"{STAFF}{second.pk}/certificates/",
        {"number": "YL2024-001", "level": "4", "issued_on": "2024-05-01"},
    )

    assert response.status_code == 400
    assert "number" in response.json()
    assert Certificate.objects.count() == 1


def test_staff_filters_by_facility_and_role(api_as, staff_baima, home, regions, today):
    other = f.FacilityFactory(name="白马镇照护中心", kind="care_centre", region=regions["baima"])
    f.staff(home, 2)
    f.staff(home, 1, role="director")
    f.staff(other, 3)
    client = api_as(staff_baima)

    assert client.get(STAFF, {"facility": home.pk}).json()["count"] == 3
    assert client.get(STAFF, {"facility": home.pk, "role": "caregiver"}).json()["count"] == 2
    assert client.get(STAFF, {"role": "director"}).json()["count"] == 1


@pytest.mark.parametrize("page_size", [3, 30])
def test_the_staff_list_takes_a_bounded_number_of_queries(
    api_as, staff_baima, home, today, page_size, django_assert_max_num_queries
):
    for n, member in enumerate(f.staff(home, 30)):
        f.CertificateFactory(
            staff=member, number=f"C{n}", level="5", issued_on=datetime.date(2024, 1, 1)
        )
    client = api_as(staff_baima)

    with django_assert_max_num_queries(3):
        response = client.get(STAFF, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


# --- trainings -------------------------------------------------------------------------------


def test_township_staff_organise_a_session_for_their_township(api_as, staff_baima, today):
    response = api_as(staff_baima).post(
        TRAININGS,
        {"kind": "caregiver", "title": "白马镇护理员培训", "held_on": "2026-11-10",
         "organiser": "白马镇民政办", "hours": "16", "region": "500156101000"},
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    assert (response.json()["attendance_count"], response.json()["hours"]) == (0, "16.0")
    created = TrainingSession.objects.get(pk=response.json()["id"])
    assert created.history.first().history_user == staff_baima


def test_a_session_for_another_township_is_refused(api_as, staff_baima, today):
    response = api_as(staff_baima).post(
        TRAININGS,
        {"kind": "caregiver", "title": "越界", "held_on": "2026-11-10", "organiser": "x",
         "hours": "16", "region": "500156208000"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "region" in response.json()


@pytest.mark.parametrize("who", ["assistant_baima", "operator_houping"])
def test_only_the_bureau_and_township_staff_organise_sessions(api_as, request, who, today):
    response = api_as(request.getfixturevalue(who)).post(
        TRAININGS,
        {"kind": "caregiver", "title": "t", "held_on": "2026-11-10", "organiser": "x",
         "hours": "16", "region": "500156101000"},
    )  # fmt: skip

    assert response.status_code == 403


def test_the_same_person_entered_twice_attends_once(api_as, bureau, regions, today):
    course = session(regions)
    client = api_as(bureau)
    person = {"name": "张护理", "id_number": CAREGIVER_ID}

    first = client.post(f"{TRAININGS}{course.pk}/attendances/", person)
    again = client.post(f"{TRAININGS}{course.pk}/attendances/", person)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert TrainingAttendance.objects.count() == 1
    assert client.get(f"{TRAININGS}{course.pk}/").json()["attendance_count"] == 1
    listed = client.get(f"{TRAININGS}{course.pk}/attendances/").json()
    # a list of people: the ID number masked, for the bureau too
    assert [(a["name"], a["id_number"]) for a in listed["results"]] == [
        ("张护理", "5002**********0022")
    ]


def test_an_attendance_needs_a_valid_id_number(api_as, bureau, regions, today):
    course = session(regions)

    response = api_as(bureau).post(
        f"{TRAININGS}{course.pk}/attendances/", {"name": "错号", "id_number": "12345"}
    )

    assert response.status_code == 400
    assert "id_number" in response.json()
    assert not TrainingAttendance.objects.exists()


def test_the_summary_counts_each_person_once_per_kind(api_as, bureau, regions, today):
    first = session(regions, held_on=datetime.date(2021, 9, 1))
    second = session(regions, held_on=datetime.date(2022, 3, 1))
    directors = session(regions, kind="director")
    for course, number in [(first, CAREGIVER_ID), (first, OTHER_ID), (second, CAREGIVER_ID)]:
        f.TrainingAttendanceFactory(session=course, name="护理员", id_number=number)
    f.TrainingAttendanceFactory(session=directors, name="院长", id_number=OTHER_ID)

    response = api_as(bureau).get(f"{TRAININGS}summary/")

    assert response.status_code == 200
    assert response.json() == {
        "on": "2026-11-29",
        "region": "500156",
        "director": 1,
        "caregiver": 2,
    }


def test_the_summary_of_a_township_counts_its_own_sessions(api_as, staff_baima, regions, today):
    district_course = session(regions)
    township_course = session(regions, region="baima")
    f.TrainingAttendanceFactory(session=district_course, name="a", id_number=OTHER_ID)
    f.TrainingAttendanceFactory(session=township_course, name="b", id_number=CAREGIVER_ID)

    body = api_as(staff_baima).get(f"{TRAININGS}summary/").json()

    assert (body["region"], body["caregiver"]) == ("500156101", 1)


def test_sessions_of_another_township_answer_404(api_as, staff_baima, regions, today):
    course = session(regions, region="houping")
    client = api_as(staff_baima)

    assert client.get(f"{TRAININGS}{course.pk}/").status_code == 404
    person = {"name": "张护理", "id_number": CAREGIVER_ID}
    assert client.post(f"{TRAININGS}{course.pk}/attendances/", person).status_code == 404


def test_a_volunteer_is_told_nothing_about_trainings(api_as, volunteer, regions, today):
    course = session(regions, region="baima")
    f.TrainingAttendanceFactory(session=course, name="a", id_number=OTHER_ID)

    body = api_as(volunteer).get(f"{TRAININGS}summary/").json()

    assert (body["director"], body["caregiver"]) == (0, 0)
    assert api_as(volunteer).get(TRAININGS).json()["count"] == 0


@pytest.mark.parametrize("page_size", [2, 10])
def test_the_training_list_takes_a_bounded_number_of_queries(
    api_as, bureau, regions, today, page_size, django_assert_max_num_queries
):
    for n in range(10):
        course = session(regions, held_on=datetime.date(2025, 1, 1 + n))
        f.TrainingAttendanceFactory(session=course, name="a", id_number=OTHER_ID)
    client = api_as(bureau)

    with django_assert_max_num_queries(2):
        response = client.get(TRAININGS, {"page_size": page_size})

    assert [row["attendance_count"] for row in response.json()["results"]] == [1] * page_size
