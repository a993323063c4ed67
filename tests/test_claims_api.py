"""``/api/v1/timebank/service-logs/``: claim, idempotent retry, verify and reject."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from seniors.models import Visit
from tests import factories as f
from volunteers.models import Account, Movement, ServiceLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("books_stay_balanced")]

LIST = reverse("api:timebank-service-log-list")


def detail(pk, what=""):
    if what:
        return reverse(f"api:timebank-service-log-{what}", args=[pk])
    return reverse("api:timebank-service-log-detail", args=[pk])


def payload(senior, **extra):
    return {
        "senior": senior.pk,
        "service_type": "meals",
        "started_at": "2026-11-28T09:00:00+08:00",
        "ended_at": "2026-11-28T11:00:00+08:00",
        **extra,
    }


def test_it_creates_a_claim_then_answers_a_retry_with_the_same(api_as, volunteer, helper, zhang):
    client = api_as(volunteer)
    body = payload(zhang, client_uuid=str(uuid.uuid4()))

    first = client.post(LIST, body, format="json")
    again = client.post(LIST, body, format="json")

    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["status"] == "submitted"
    assert first.json()["volunteer"] == helper.pk
    assert first.json()["hours"] == "2.0"
    assert ServiceLog.objects.count() == 1


def test_a_rule_refusal_is_a_400_naming_the_field(api_as, volunteer, helper, zhang):
    response = api_as(volunteer).post(
        LIST, payload(zhang, ended_at="2026-11-28T09:20:00+08:00"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"ended_at"}


def test_a_volunteer_sees_only_their_own_claims(api_as, volunteer, helper, zhang, regions):
    other = f.VolunteerFactory(village=regions["banqiao"])
    f.ServiceLogFactory(
        volunteer=other, senior=zhang, service_type="meals", hours=Decimal("1"),
        started_at="2026-11-27T09:00:00+08:00", ended_at="2026-11-27T10:00:00+08:00",
    )  # fmt: skip
    client = api_as(volunteer)
    mine = client.post(LIST, payload(zhang), format="json").json()

    listed = client.get(LIST).json()

    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [mine["id"]]


def test_the_assistant_verifies_and_the_hours_are_credited(
    api_as, volunteer, helper, zhang, assistant_baima
):
    claim = api_as(volunteer).post(LIST, payload(zhang), format="json").json()

    response = api_as(assistant_baima).post(detail(claim["id"], "verify"))

    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert Visit.objects.count() == 1
    assert Account.objects.get(volunteer=helper).balance == Decimal("2.0")


def test_a_volunteer_cannot_verify_their_own_claim(api_as, volunteer, helper, zhang):
    client = api_as(volunteer)
    claim = client.post(LIST, payload(zhang), format="json").json()

    response = client.post(detail(claim["id"], "verify"))

    assert response.status_code == 403
    assert Movement.objects.count() == 0


def test_staff_of_another_township_get_404(api_as, volunteer, helper, zhang, staff_houping):
    claim = api_as(volunteer).post(LIST, payload(zhang), format="json").json()

    response = api_as(staff_houping).post(detail(claim["id"], "verify"))

    assert response.status_code == 404
    assert ServiceLog.objects.get().status == "submitted"


def test_reject_needs_a_reason(api_as, volunteer, helper, zhang, staff_baima):
    claim = api_as(volunteer).post(LIST, payload(zhang), format="json").json()
    client = api_as(staff_baima)

    missing = client.post(detail(claim["id"], "reject"), {}, format="json")
    done = client.post(detail(claim["id"], "reject"), {"reason": "时间不对"}, format="json")

    assert missing.status_code == 400
    assert set(missing.json()) == {"reason"}
    assert done.status_code == 200
    assert done.json()["status"] == "rejected"
    assert done.json()["reject_reason"] == "时间不对"
    assert Movement.objects.count() == 0


def test_an_assistant_enters_a_paper_record(api_as, assistant_baima, zhang, regions):
    paper_only = f.VolunteerFactory(village=regions["banqiao"])

    response = api_as(assistant_baima).post(
        LIST, payload(zhang, volunteer=paper_only.pk, from_paper=True), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["from_paper"] is True
    assert response.json()["entered_by"] == assistant_baima.pk


def test_filters_by_status(api_as, volunteer, helper, zhang, staff_baima):
    api_as(volunteer).post(LIST, payload(zhang), format="json")
    client = api_as(staff_baima)

    submitted = client.get(LIST, {"status": "submitted"}).json()
    verified = client.get(LIST, {"status": "verified"}).json()

    def count(body):
        return body["count"] if isinstance(body, dict) else len(body)

    assert (count(submitted), count(verified)) == (1, 0)


def test_an_outsider_may_not_claim(api_as, outsider, zhang):
    assert api_as(outsider).post(LIST, payload(zhang), format="json").status_code == 403


def test_the_list_takes_a_fixed_number_of_queries(
    api_as, volunteer, helper, zhang, staff_baima, django_assert_max_num_queries
):
    client = api_as(volunteer)
    for day in (25, 26, 27):
        client.post(
            LIST,
            payload(
                zhang,
                started_at=f"2026-11-{day}T09:00:00+08:00",
                ended_at=f"2026-11-{day}T10:00:00+08:00",
            ),
            format="json",
        )
    staff = api_as(staff_baima)
    with django_assert_max_num_queries(6):
        body = staff.get(LIST).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == 3
