"""The claims pages: the verification queue with one-tap verify and reject, and paper records."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories as f
from tests.helpers import submit_claim as claim_at
from volunteers.models import Account, ServiceLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("books_stay_balanced")]

QUEUE = reverse("dashboard:claim_queue")
PAPER = reverse("dashboard:claim_paper")


def test_the_queue_lists_submitted_claims_oldest_first(
    client, assistant_baima, volunteer, helper, zhang
):
    later = claim_at(volunteer, helper, zhang, 28, 9)
    earlier = claim_at(volunteer, helper, zhang, 27, 9)
    client.force_login(assistant_baima)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert [c.pk for c in response.context["claims"]] == [earlier.pk, later.pk]
    assert "李志愿" in response.content.decode()


def test_one_tap_verifies_and_credits(client, assistant_baima, volunteer, helper, zhang):
    claim = claim_at(volunteer, helper, zhang, 28, 9)
    client.force_login(assistant_baima)

    response = client.post(reverse("dashboard:claim_verify", args=[claim.pk]))

    assert response.status_code == 302
    assert ServiceLog.objects.get().status == "verified"
    assert Account.objects.get(volunteer=helper).balance == Decimal("1.0")
    assert client.get(QUEUE).context["claims"] == []


def test_reject_needs_a_reason(client, staff_baima, volunteer, helper, zhang):
    claim = claim_at(volunteer, helper, zhang, 28, 9)
    client.force_login(staff_baima)
    url = reverse("dashboard:claim_reject", args=[claim.pk])

    client.post(url, {"reason": ""})
    assert ServiceLog.objects.get().status == "submitted"
    client.post(url, {"reason": "老人不在家"})
    assert ServiceLog.objects.get().status == "rejected"


def test_verify_is_a_post(client, assistant_baima, volunteer, helper, zhang):
    claim = claim_at(volunteer, helper, zhang, 28, 9)
    client.force_login(assistant_baima)
    assert client.get(reverse("dashboard:claim_verify", args=[claim.pk])).status_code == 405


def test_staff_of_another_township_get_404(client, staff_houping, volunteer, helper, zhang):
    claim = claim_at(volunteer, helper, zhang, 28, 9)
    client.force_login(staff_houping)
    response = client.post(reverse("dashboard:claim_verify", args=[claim.pk]))
    assert response.status_code == 404
    assert ServiceLog.objects.get().status == "submitted"


def test_a_volunteer_may_not_open_the_queue(client, volunteer):
    client.force_login(volunteer)
    assert client.get(QUEUE).status_code == 403


def test_an_assistant_enters_a_paper_record_once(client, assistant_baima, zhang, regions):
    paper_only = f.VolunteerFactory(village=regions["banqiao"])
    client.force_login(assistant_baima)
    form = client.get(PAPER).context["form"]
    data = {
        "client_uuid": str(form["client_uuid"].initial),
        "volunteer": paper_only.pk,
        "senior": zhang.pk,
        "service_type": "farming",
        "started_at": "2026-11-28T08:00",
        "ended_at": "2026-11-28T11:30",
        "notes": "收玉米",
    }

    first = client.post(PAPER, data)
    again = client.post(PAPER, data)

    assert (first.status_code, again.status_code) == (302, 302)
    claim = ServiceLog.objects.get()
    assert claim.from_paper and claim.entered_by == assistant_baima
    assert claim.hours == Decimal("3.5")
    assert claim.status == "submitted"


def test_a_paper_record_breaking_a_rule_shows_the_message(client, assistant_baima, zhang, regions):
    paper_only = f.VolunteerFactory(village=regions["banqiao"])
    client.force_login(assistant_baima)

    response = client.post(
        PAPER,
        {
            "client_uuid": "5c7a3c5e-8a55-4f4e-9a0e-2f0a9d6f3b11",
            "volunteer": paper_only.pk,
            "senior": zhang.pk,
            "service_type": "meals",
            "started_at": "2026-11-28T08:00",
            "ended_at": "2026-11-28T08:20",
        },
    )

    assert response.status_code == 200
    assert "ended_at" in response.context["form"].errors
    assert ServiceLog.objects.count() == 0


def test_the_menu_offers_the_queue_to_assistants(client, assistant_baima):
    client.force_login(assistant_baima)
    assert QUEUE in client.get(QUEUE).content.decode()
