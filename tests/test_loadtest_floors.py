"""The load test's floor views (``loadtest/floors.py``) answer the same JSON as the app's
endpoints for the same user and the same data, so that the ratio app ÷ floor stays honest.

A write is made twice from the same state: by the app inside a savepoint that is rolled back,
then by the floor (time frozen, so the stamps come out the same; the new rows' ids too on
SQLite, not on PostgreSQL, whose sequences do not go back)."""

import datetime
import json
import uuid

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import include, path
from rest_framework.test import APIClient

from accounts.models import ApiToken
from api.coverage import SnapshotSerializer
from api.seniors import SeniorSerializer
from audit.models import PersonView
from coverage.models import Indicator, Snapshot
from eldercare import urls as app_urls
from loadtest import floors
from tests import factories as f
from volunteers.models import ServiceLog

pytestmark = pytest.mark.django_db

urlpatterns = [
    path("bench/floor/", include((floors.all_routes(), "floor"))),
    *app_urls.urlpatterns,
]

# Barthel 50: moderately dependent (失能)
MODERATE = {"feeding": 5, "bathing": 0, "grooming": 0, "dressing": 5, "bowels": 5, "bladder": 5,
            "toilet_use": 5, "transfers": 10, "mobility": 10, "stairs": 5}  # fmt: skip


@pytest.fixture(autouse=True)
def _floor_routes():
    with override_settings(ROOT_URLCONF=__name__):
        yield


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=user)[1]}")
    return client


def same(app, floor, app_path, floor_path):
    """Both answers, the floor's page links read as the app's."""
    assert app.status_code == floor.status_code, (app.json(), floor.json())
    text = floor.content.decode().replace(floor_path, app_path)
    return app.json(), json.loads(text)


def answers(client, app_path, floor_path, query=""):
    app = client.get(app_path + query)
    floor = client.get(floor_path + query)
    return same(app, floor, app_path, floor_path)


@pytest.fixture
def ledger(regions, today):
    """Seniors of 板桥村 and 文凤村: high age or not, disabled or not, visited lately, long ago
    or never, on 低保 or not, one with a phone, one moved out."""
    banqiao, wenfeng = regions["banqiao"], regions["wenfeng"]
    people = [
        f.SeniorFactory(village=banqiao, born=datetime.date(1940, 3, 1), phone="13812345678"),
        f.SeniorFactory(
            village=banqiao,
            born=datetime.date(1941, 5, 2),
            subsistence_allowance=True,
            villager_group=regions["groups"][0],
        ),
        f.SeniorFactory(village=banqiao, born=datetime.date(1955, 7, 9), living_situation="alone"),
        f.SeniorFactory(village=regions["tiefosi"], born=datetime.date(1950, 1, 20)),
        f.SeniorFactory(
            village=banqiao,
            born=datetime.date(1938, 2, 2),
            status="moved_out",
            status_on=datetime.date(2025, 1, 1),
        ),
        f.SeniorFactory(village=wenfeng, born=datetime.date(1944, 8, 8)),
    ]
    f.AssessmentFactory(senior=people[1], **MODERATE)
    f.AssessmentFactory(senior=people[2], assessed_on=datetime.date(2026, 2, 1))
    f.AssessmentFactory(senior=people[3], **MODERATE)
    now = datetime.datetime(2026, 11, 29, 2, 0, tzinfo=datetime.UTC)
    f.VisitFactory(senior=people[0], visited_at=now - datetime.timedelta(days=3))
    f.VisitFactory(senior=people[1], visited_at=now - datetime.timedelta(days=90))
    f.VisitFactory(senior=people[5], visited_at=now - datetime.timedelta(days=1))
    return people


SENIOR_QUERIES = [
    "",
    "?region=500156101000",
    "?disabled=true",
    "?disabled=false",
    "?not_visited_days=30",
    "?high_age=true",
    "?living_situation=alone",
    "?allowance=service_subsidy",
    "?allowance=high_age",
    "?village=500156101201&high_age=true",
    "?page_size=2",
    "?page_size=2&page=2",
    "?page_size=2&page=3",
]


@pytest.mark.parametrize("query", SENIOR_QUERIES)
@pytest.mark.parametrize("who", ["staff_baima", "bureau"])
def test_the_register_floor_answers_as_the_api(request, ledger, query, who):
    client = client_of(request.getfixturevalue(who))
    app, floor = answers(client, "/api/v1/seniors/", "/bench/floor/seniors/", query)
    assert floor == app
    assert app["count"] > 0


def test_the_register_floor_masks_every_number_and_scopes(ledger, staff_baima):
    body = client_of(staff_baima).get("/bench/floor/seniors/").json()
    assert body["count"] == 5  # 板桥村 and 铁佛寺社区, not 文凤村
    zhang = next(p for p in body["results"] if p["id"] == ledger[0].pk)
    assert zhang["id_number"].startswith("5002**") and zhang["phone"] == "138****5678"


def test_the_register_floor_reads_a_page_in_three_queries(
    ledger, staff_baima, django_assert_max_num_queries
):
    client = client_of(staff_baima)
    with django_assert_max_num_queries(3):  # the token with its user and region, count, page
        client.get("/bench/floor/seniors/?disabled=true")


def test_a_page_past_the_end_is_404_on_both(ledger, staff_baima):
    client = client_of(staff_baima)
    app = client.get("/api/v1/seniors/?page=9")
    floor = client.get("/bench/floor/seniors/?page=9")
    assert app.status_code == floor.status_code == 404


def test_without_a_token_the_floor_is_401(ledger):
    assert APIClient().get("/bench/floor/seniors/").status_code == 401


def twice(app_call, floor_call):
    """The app's write rolled back, then the floor's from the same state."""
    with transaction.atomic():
        app = app_call()
        transaction.set_rollback(True)
    return app, floor_call()


# ids a sequence hands out: PostgreSQL does not give back those of a rolled-back write
NEW_IDS = ("id", "visit", "movement")


def same_written(app: dict, floor: dict) -> bool:
    """The same answer, but for the new rows' ids (both there, or both none)."""
    rest = {k: v for k, v in floor.items() if k not in NEW_IDS}
    assert rest == {k: v for k, v in app.items() if k not in NEW_IDS}
    return all((app[k] is None) == (floor[k] is None) for k in NEW_IDS if k in app)


def test_the_registration_floor_answers_as_the_api(ledger, staff_baima):
    client = client_of(staff_baima)
    new = {
        "id_number": "500232194003011230",
        "name": "张大爷",
        "village": "500156101201",
        "villager_group": "500156101201001",
        "living_situation": "alone",
        "phone": "13900001111",
        "subsistence_allowance": True,
        "wristband_on": "2026-10-01",
        "notes": " 新登记 ",
    }
    app, floor = twice(
        lambda: client.post("/api/v1/seniors/", new, format="json"),
        lambda: client.post("/bench/floor/seniors/", new, format="json"),
    )
    assert app.status_code == floor.status_code == 201, (app.json(), floor.json())
    assert same_written(app.json(), floor.json())
    assert floor.json()["id_number"] == "500232194003011230"  # the record: in full for staff
    assert PersonView.objects.filter(user=staff_baima).count() == 1  # and logged


def test_a_duplicate_registration_is_the_same_400(ledger, staff_baima):
    client = client_of(staff_baima)
    again = {"id_number": ledger[0].id_number, "name": "又一个", "village": "500156101201"}
    app = client.post("/api/v1/seniors/", again, format="json")
    floor = client.post("/bench/floor/seniors/", again, format="json")
    assert app.status_code == floor.status_code == 400
    assert floor.json() == app.json()


def claim(senior, **extra):
    return {
        "senior": senior.pk,
        "service_type": "meals",
        "started_at": "2026-11-28T09:00:00+08:00",
        "ended_at": "2026-11-28T10:30:00+08:00",
        "notes": "送饭",
        "client_uuid": str(uuid.uuid4()),
        **extra,
    }


def test_the_claim_floor_answers_as_the_api(ledger, volunteer, helper):
    client = client_of(volunteer)
    body = claim(ledger[0])
    app, floor = twice(
        lambda: client.post("/api/v1/timebank/service-logs/", body, format="json"),
        lambda: client.post("/bench/floor/service-logs/", body, format="json"),
    )
    assert app.status_code == floor.status_code == 201, (app.json(), floor.json())
    assert same_written(app.json(), floor.json())
    # a resend answers 200 with the first claim, on both
    resend_app = client.post("/api/v1/timebank/service-logs/", body, format="json")
    resend_floor = client.post("/bench/floor/service-logs/", body, format="json")
    assert resend_app.status_code == resend_floor.status_code == 200
    assert resend_floor.json() == resend_app.json() == floor.json()
    assert ServiceLog.objects.filter(client_uuid=body["client_uuid"]).count() == 1


def test_a_claim_the_rules_refuse_is_the_same_400(ledger, volunteer, helper):
    client = client_of(volunteer)
    early = claim(ledger[0], started_at="2026-09-01T09:00:00+08:00")
    early["ended_at"] = "2026-09-01T10:00:00+08:00"
    app = client.post("/api/v1/timebank/service-logs/", early, format="json")
    floor = client.post("/bench/floor/service-logs/", early, format="json")
    assert app.status_code == floor.status_code == 400
    assert floor.json() == app.json()


def test_the_verify_floor_answers_as_the_api(ledger, volunteer, helper, staff_baima):
    submitted = client_of(volunteer).post(
        "/api/v1/timebank/service-logs/", claim(ledger[1]), format="json"
    )
    pk = submitted.json()["id"]
    staff = client_of(staff_baima)
    app, floor = twice(
        lambda: staff.post(f"/api/v1/timebank/service-logs/{pk}/verify/"),
        lambda: staff.post(f"/bench/floor/service-logs/{pk}/verify/"),
    )
    assert app.status_code == floor.status_code == 200, (app.json(), floor.json())
    assert same_written(app.json(), floor.json())
    assert floor.json()["status"] == "verified" and floor.json()["movement"]


def test_staff_of_another_township_verify_nothing_on_the_floor(
    ledger, volunteer, helper, staff_houping
):
    submitted = client_of(volunteer).post(
        "/api/v1/timebank/service-logs/", claim(ledger[1]), format="json"
    )
    pk = submitted.json()["id"]
    response = client_of(staff_houping).post(f"/bench/floor/service-logs/{pk}/verify/")
    assert response.status_code == 404


@pytest.fixture
def snapshots(regions):
    indicators = list(Indicator.objects.order_by("position")[:3])
    assert indicators, "the plan's indicators come with the migrations"
    rows = []
    for on in (datetime.date(2026, 10, 31), datetime.date(2026, 11, 28)):
        for code in ("district", "baima", "houping", "banqiao", "wenfeng"):
            for k, indicator in enumerate(indicators):
                rows.append(
                    Snapshot(
                        date=on,
                        region=regions[code],
                        indicator=indicator,
                        numerator=k + 3,
                        denominator=7 if k else None,
                        value=None if k == 0 else (k + 3) / 7,
                        target="0.6" if k == 1 else None,
                        met=True if k == 1 else None,
                        failing=[{"id": 9, "name": "敬老院", "why": "below", "value": 0.4}]
                        if k == 2
                        else [],
                    )
                )
    Snapshot.objects.bulk_create(rows)


SNAPSHOT_QUERIES = [
    "",
    "?level=township",
    "?within=500156101000",
    "?date=2026-10-31",
    "?date_from=2026-10-01&page_size=4&page=2",
    "?page_size=4&page=2",
]


@pytest.mark.parametrize("query", SNAPSHOT_QUERIES)
@pytest.mark.parametrize("who", ["staff_baima", "bureau"])
def test_the_snapshots_floor_answers_as_the_api(request, snapshots, query, who):
    client = client_of(request.getfixturevalue(who))
    app_path, floor_path = "/api/v1/coverage/snapshots/", "/bench/floor/coverage/snapshots/"
    app, floor = answers(client, app_path, floor_path, query)
    assert floor == app
    assert app["count"] > 0


def test_the_floors_are_mounted_only_in_a_load_run(monkeypatch):
    monkeypatch.delenv(floors.ENV_FLAG, raising=False)
    assert floors.routes() == []
    monkeypatch.setenv(floors.ENV_FLAG, "1")
    assert len(floors.routes()) == len(floors.all_routes())


def test_the_register_and_the_snapshots_answer_every_declared_field_in_order(
    ledger, snapshots, bureau
):
    client = client_of(bureau)
    person = client.get("/api/v1/seniors/").json()["results"][0]
    snapshot = client.get("/api/v1/coverage/snapshots/").json()["results"][0]
    assert list(person) == list(SeniorSerializer.Meta.fields)
    assert list(snapshot) == list(SnapshotSerializer.Meta.fields)
