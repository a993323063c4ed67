"""Service-log claims: the bureau's policy refuses bad claims, and only a verification by
someone else credits the hours — once — and counts as a visit."""

import datetime
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from seniors.models import Visit
from tests import factories as f
from volunteers.claims import claim_reject, claim_submit, claim_verify
from volunteers.models import Account, Movement, ServiceLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("books_stay_balanced")]

WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=WULONG)


def submit(by, helper, senior, start, end, **kwargs):
    return claim_submit(
        by=by, volunteer=helper, senior=senior, service_type="meals", started_at=start,
        ended_at=end, **kwargs,
    )  # fmt: skip


def field_of(excinfo):
    return set(excinfo.value.message_dict)


def test_it_stores_a_good_claim_as_submitted(volunteer, helper, zhang):
    claim, created = submit(volunteer, helper, zhang, at(28, 9), at(28, 11))

    assert created
    assert claim.status == "submitted"
    assert claim.hours == Decimal("2.0")
    assert claim.entered_by == volunteer
    assert not claim.from_paper
    assert Movement.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        pytest.param(at(29, 9), at(29, 11), "ended_at", id="in_the_future"),
        pytest.param(
            at(28, 9) - datetime.timedelta(days=31), at(28, 10), "started_at",
            id="older_than_the_policy_allows",
        ),
        pytest.param(at(28, 9), at(28, 9, 40), "ended_at", id="hours_not_in_whole_units"),
        pytest.param(at(28, 11), at(28, 9), "ended_at", id="an_end_before_the_start"),
    ],
)  # fmt: skip
def test_it_refuses_a_claim(volunteer, helper, zhang, start, end, field):
    with pytest.raises(ValidationError) as excinfo:
        submit(volunteer, helper, zhang, start, end)
    assert field_of(excinfo) == {field}


def test_it_accepts_a_claim_exactly_at_the_age_limit(volunteer, helper, zhang):
    start = at(29, 9) - datetime.timedelta(days=30)
    claim, _ = submit(volunteer, helper, zhang, start, start + datetime.timedelta(hours=1))
    assert claim.pk


def test_the_age_limit_follows_the_policy(volunteer, helper, zhang):
    f.PolicyFactory(max_claim_age_days=3)
    with pytest.raises(ValidationError) as excinfo:
        submit(volunteer, helper, zhang, at(25, 9), at(25, 10))
    assert field_of(excinfo) == {"started_at"}


def test_it_refuses_more_than_the_hours_of_a_day(volunteer, helper, zhang):
    submit(volunteer, helper, zhang, at(28, 6), at(28, 12))
    with pytest.raises(ValidationError) as excinfo:
        submit(volunteer, helper, zhang, at(28, 13), at(28, 15, 30))
    assert field_of(excinfo) == {"ended_at"}
    # exactly 8 h is allowed
    claim, _ = submit(volunteer, helper, zhang, at(28, 13), at(28, 15))
    assert claim.hours == Decimal("2.0")


def test_rejected_claims_do_not_count_towards_the_day(volunteer, helper, zhang, assistant_baima):
    first, _ = submit(volunteer, helper, zhang, at(28, 6), at(28, 14))
    claim_reject(by=assistant_baima, claim=first, reason="没有这回事")
    claim, _ = submit(volunteer, helper, zhang, at(28, 6), at(28, 14))
    assert claim.status == "submitted"


def test_it_refuses_an_overlapping_claim(volunteer, helper, zhang):
    submit(volunteer, helper, zhang, at(28, 9), at(28, 11))
    with pytest.raises(ValidationError) as excinfo:
        submit(volunteer, helper, zhang, at(28, 10), at(28, 12))
    assert field_of(excinfo) == {"started_at"}


def test_back_to_back_claims_do_not_overlap(volunteer, helper, zhang):
    submit(volunteer, helper, zhang, at(28, 9), at(28, 11))
    claim, _ = submit(volunteer, helper, zhang, at(28, 11), at(28, 12))
    assert claim.pk


def test_it_refuses_a_senior_who_is_not_active(volunteer, helper, zhang):
    zhang.status, zhang.status_on = "moved_out", datetime.date(2026, 11, 1)
    zhang.save()
    with pytest.raises(ValidationError) as excinfo:
        submit(volunteer, helper, zhang, at(28, 9), at(28, 11))
    assert field_of(excinfo) == {"senior"}


def test_it_refuses_a_senior_outside_the_volunteers_region(volunteer, helper, liu):
    with pytest.raises(ValidationError) as excinfo:
        submit(volunteer, helper, liu, at(28, 9), at(28, 11))
    assert field_of(excinfo) == {"senior"}


def test_it_refuses_an_unknown_service(volunteer, helper, zhang):
    with pytest.raises(ValidationError) as excinfo:
        claim_submit(
            by=volunteer, volunteer=helper, senior=zhang, service_type="karaoke",
            started_at=at(28, 9), ended_at=at(28, 10),
        )  # fmt: skip
    assert field_of(excinfo) == {"service_type"}


def test_a_volunteer_cannot_claim_for_another(volunteer, helper, zhang, regions):
    other = f.VolunteerFactory(village=regions["banqiao"])
    with pytest.raises(PermissionDenied):
        submit(volunteer, other, zhang, at(28, 9), at(28, 11))


def test_an_assistant_enters_a_paper_record_for_a_volunteer(assistant_baima, zhang, regions):
    paper_only = f.VolunteerFactory(village=regions["banqiao"])
    claim, _ = submit(assistant_baima, paper_only, zhang, at(28, 9), at(28, 11), from_paper=True)
    assert claim.from_paper
    assert claim.entered_by == assistant_baima
    assert claim.status == "submitted"


def test_a_volunteer_cannot_enter_paper_records(volunteer, helper, zhang):
    with pytest.raises(PermissionDenied):
        submit(volunteer, helper, zhang, at(28, 9), at(28, 11), from_paper=True)


def test_second_claim_with_same_uuid_returns_first(volunteer, helper, zhang):
    key = uuid.uuid4()
    first, created = submit(volunteer, helper, zhang, at(28, 9), at(28, 11), client_uuid=key)
    again = [
        submit(volunteer, helper, zhang, at(28, 9), at(28, 11), client_uuid=key) for _ in range(4)
    ]
    assert created
    assert all(claim == first and not made for claim, made in again)
    assert ServiceLog.objects.count() == 1


def test_verification_makes_one_visit_and_credits_once(
    volunteer, helper, zhang, assistant_baima, staff_baima
):
    claim, _ = submit(volunteer, helper, zhang, at(28, 9), at(28, 11), notes="送饭")

    verified = claim_verify(by=assistant_baima, claim=claim)
    again = claim_verify(by=staff_baima, claim=claim)

    assert verified.status == again.status == "verified"
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit == verified.visit
    assert (visit.senior, visit.service_type, visit.visitor_name) == (zhang, "meals", "李志愿")
    assert visit.visited_at == at(28, 9)
    assert Movement.objects.get().reference == f"servicelog:{claim.pk}"
    assert Account.objects.get(volunteer=helper).balance == Decimal("2.0")
    assert verified.decided_by == assistant_baima
    assert verified.history.first().history_user == assistant_baima


def test_a_volunteer_cannot_verify_their_own_claim(helper, zhang, assistant_baima, regions):
    # the assistant is also a volunteer and claims for themselves
    own = f.VolunteerFactory(village=regions["banqiao"], user=assistant_baima)
    claim, _ = submit(assistant_baima, own, zhang, at(28, 9), at(28, 11))
    with pytest.raises(PermissionDenied):
        claim_verify(by=assistant_baima, claim=claim)
    assert ServiceLog.objects.get().status == "submitted"
    assert Movement.objects.count() == 0


def test_the_volunteer_role_cannot_verify(volunteer, helper, zhang):
    claim, _ = submit(volunteer, helper, zhang, at(28, 9), at(28, 11))
    with pytest.raises(PermissionDenied):
        claim_verify(by=volunteer, claim=claim)


def test_staff_of_another_township_cannot_verify(volunteer, helper, zhang, staff_houping):
    claim, _ = submit(volunteer, helper, zhang, at(28, 9), at(28, 11))
    with pytest.raises(PermissionDenied):
        claim_verify(by=staff_houping, claim=claim)


def test_rejection_credits_nothing_and_needs_a_reason(volunteer, helper, zhang, staff_baima):
    claim, _ = submit(volunteer, helper, zhang, at(28, 9), at(28, 11))
    with pytest.raises(ValidationError) as excinfo:
        claim_reject(by=staff_baima, claim=claim, reason="  ")
    assert field_of(excinfo) == {"reason"}

    rejected = claim_reject(by=staff_baima, claim=claim, reason="老人说没来")

    assert rejected.status == "rejected"
    assert rejected.reject_reason == "老人说没来"
    assert Movement.objects.count() == 0
    assert Visit.objects.count() == 0


def test_a_rejected_claim_cannot_then_be_verified(volunteer, helper, zhang, staff_baima):
    claim, _ = submit(volunteer, helper, zhang, at(28, 9), at(28, 11))
    claim_reject(by=staff_baima, claim=claim, reason="重复")
    with pytest.raises(ValidationError) as excinfo:
        claim_verify(by=staff_baima, claim=claim)
    assert field_of(excinfo) == {"status"}
    assert Movement.objects.count() == 0
