"""The same person or the same visit sent at the same moment by several clients: stored once.
Real parallel transactions on PostgreSQL (CI's second pass)."""

import uuid

import pytest
from django.utils import timezone

from seniors import services
from seniors.models import Senior, Visit
from tests.concurrency import CLIENTS, run_together
from tests.conftest import WANG_ID

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_eight_staff_registering_the_same_person_at_once_create_one_record(
    regions, staff_baima, bureau
):
    users = [staff_baima, bureau] * (CLIENTS // 2)

    results = run_together(
        lambda i: (
            services.senior_register(
                by=users[i], id_number=WANG_ID, name="王大爷", village=regions["banqiao"]
            ).pk
        )
    )

    assert Senior.objects.filter(id_number=WANG_ID).count() == 1
    successes = [r for r in results if r[0] == "ok"]
    refusals = [r for r in results if r[0] == "error"]
    assert len(successes) == 1
    assert len(refusals) == CLIENTS - 1
    assert all(isinstance(exc, services.DuplicateSenior) for _, exc in refusals)
    assert all(exc.existing.pk == successes[0][1] for _, exc in refusals)


def test_a_visit_resent_concurrently_is_stored_once(zhang, assistant_baima):
    key = uuid.uuid4()
    moment = timezone.now()

    results = run_together(
        lambda i: services.visit_record(
            by=assistant_baima, senior=zhang, visited_at=moment, client_uuid=key
        )
    )

    assert Visit.objects.filter(client_uuid=key).count() == 1
    assert all(r[0] == "ok" for r in results), results
    visit_ids = {r[1][0].pk for r in results}
    assert len(visit_ids) == 1
    assert sum(1 for r in results if r[1][1]) == 1  # exactly one "created"
