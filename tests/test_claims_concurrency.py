"""Claims under real parallel transactions (PostgreSQL): verifiers clicking at the same moment
credit once, and a claim sent many times at once is stored once."""

import datetime
import itertools
import uuid
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from seniors.models import Visit
from tests import factories as f
from tests.concurrency import CLIENTS, run_together
from volunteers import ledger
from volunteers.claims import claim_submit, claim_verify
from volunteers.models import Account, Movement, ServiceLog

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_rows", "migration_rows_after_module"),
]

WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=WULONG)


@pytest.fixture
def frozen():
    # not the suite's ``today`` fixture: its traveller must reach the worker threads too
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cast(regions, volunteer, frozen):
    helper = f.VolunteerFactory(village=regions["banqiao"], user=volunteer)
    senior = f.SeniorFactory(
        id_number="500232194003011230", name="张大爷", sex="M",
        birth_date=datetime.date(1940, 3, 1), village=regions["banqiao"],
        registered_on=datetime.date(2021, 6, 1),
    )  # fmt: skip
    return helper, senior


def submit(by, helper, senior, **kwargs):
    return claim_submit(
        by=by, volunteer=helper, senior=senior, service_type="meals",
        started_at=NOW - datetime.timedelta(hours=3), ended_at=NOW - datetime.timedelta(hours=1),
        **kwargs,
    )  # fmt: skip


def test_verifiers_at_the_same_moment_credit_once(cast, volunteer, assistant_baima, staff_baima):
    helper, senior = cast
    claim, _ = submit(volunteer, helper, senior)
    verifiers = [assistant_baima, staff_baima]

    results = run_together(lambda i: claim_verify(by=verifiers[i % 2], claim=claim))

    assert [r[0] for r in results] == ["ok"] * CLIENTS, results
    assert ServiceLog.objects.get().status == "verified"
    assert Movement.objects.count() == 1
    assert Visit.objects.count() == 1
    assert Account.objects.get(volunteer=helper).balance == Decimal("2.0")
    assert ledger.books_balance() == {}


def test_the_same_claim_sent_at_once_is_stored_once(cast, volunteer):
    helper, senior = cast
    key = uuid.uuid4()

    results = run_together(lambda i: submit(volunteer, helper, senior, client_uuid=key))

    assert [r[0] for r in results] == ["ok"] * CLIENTS, results
    assert ServiceLog.objects.count() == 1
    assert sum(1 for r in results if r[1][1]) == 1
    assert {r[1][0].pk for r in results} == {ServiceLog.objects.get().pk}


def test_different_claims_at_once_keep_to_the_day_limit(cast, volunteer):
    helper, senior = cast

    def claim(i):
        start = NOW - datetime.timedelta(hours=9 - i)
        return claim_submit(
            by=volunteer, volunteer=helper, senior=senior, service_type="meals",
            started_at=start, ended_at=start + datetime.timedelta(hours=2),
        )  # fmt: skip

    results = run_together(claim)

    # windows of two hours starting an hour apart: whatever the order, none may overlap
    stored = list(ServiceLog.objects.order_by("started_at"))
    for earlier, later in itertools.pairwise(stored):
        assert earlier.ended_at <= later.started_at
    assert sum(c.hours for c in stored) <= Decimal("8")
    assert len([r for r in results if r[0] == "ok"]) == len(stored)
