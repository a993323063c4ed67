"""Visits: recorded once however often a phone resends them, never in the future."""

import uuid

import pytest

from seniors.models import Visit
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/visits/"


def visit(senior, **overrides):
    return {
        "senior": senior.pk,
        "visited_at": "2026-11-28T15:30:00+08:00",
        "service_type": "inspection",
        "notes": "身体尚好，屋顶漏雨",
        "follow_up_needed": True,
        **overrides,
    }


def test_an_assistant_records_a_visit(api_as, assistant_baima, zhang):
    response = api_as(assistant_baima).post(URL, visit(zhang))

    assert response.status_code == 201
    body = response.json()
    assert body["visitor"] == assistant_baima.pk
    assert body["visitor_name"] == "assistant-baima"
    assert body["follow_up_needed"] is True
    detail = api_as(assistant_baima).get(f"/api/v1/seniors/{zhang.pk}/").json()
    assert detail["last_visited_at"] == "2026-11-28T15:30:00+08:00"


def test_the_same_client_uuid_twice_stores_one_visit_and_answers_with_it(
    api_as, assistant_baima, zhang
):
    client = api_as(assistant_baima)
    key = str(uuid.uuid4())

    first = client.post(URL, visit(zhang, client_uuid=key))
    second = client.post(URL, visit(zhang, client_uuid=key))

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Visit.objects.count() == 1


def test_the_same_client_uuid_with_other_notes_is_refused_not_dropped(
    api_as, assistant_baima, zhang
):
    client = api_as(assistant_baima)
    key = str(uuid.uuid4())
    client.post(URL, visit(zhang, client_uuid=key))

    response = client.post(URL, visit(zhang, client_uuid=key, notes="重发"))

    assert response.status_code == 400
    assert response.json() == {
        "client_uuid": ["该 client_uuid 已用于另一次提交；请换一个新的 client_uuid 再提交。"]
    }
    assert Visit.objects.get().notes == "身体尚好，屋顶漏雨"


def test_a_client_uuid_used_for_another_person_is_refused(api_as, assistant_baima, zhang, regions):
    other = f.SeniorFactory(village=regions["banqiao"], name="赵奶奶")
    key = str(uuid.uuid4())
    client = api_as(assistant_baima)
    client.post(URL, visit(zhang, client_uuid=key))

    response = client.post(URL, visit(other, client_uuid=key))
    assert response.status_code == 400
    assert "client_uuid" in response.json()
    assert Visit.objects.count() == 1


def test_a_visit_in_the_future_is_refused(api_as, assistant_baima, zhang):
    response = api_as(assistant_baima).post(
        URL, visit(zhang, visited_at="2026-11-30T09:00:00+08:00")
    )
    assert response.status_code == 400
    assert response.json()["visited_at"] == ["该时间在将来。"]


def test_a_visit_after_death_is_refused(api_as, staff_baima, zhang):
    client = api_as(staff_baima)
    client.post(
        f"/api/v1/seniors/{zhang.pk}/status/", {"status": "deceased", "status_on": "2026-11-01"}
    )

    response = client.post(URL, visit(zhang))
    assert response.status_code == 400
    assert "visited_at" in response.json()


def test_an_unknown_service_is_refused(api_as, assistant_baima, zhang):
    response = api_as(assistant_baima).post(URL, visit(zhang, service_type="karaoke"))
    assert response.status_code == 400
    assert "service_type" in response.json()


def test_volunteers_do_not_record_visits_here(api_as, volunteer, zhang):
    # their hours come in as service logs (the time bank), verified before they count
    assert api_as(volunteer).post(URL, visit(zhang)).status_code == 403


def test_visits_filter_by_follow_up_and_region(api_as, bureau, zhang, liu):
    client = api_as(bureau)
    client.post(URL, visit(zhang))
    client.post(URL, visit(liu, follow_up_needed=False))

    assert client.get(URL, {"follow_up_needed": "true"}).json()["count"] == 1
    assert client.get(URL, {"region": "500156208000"}).json()["results"][0]["senior"] == liu.pk


def test_the_visit_page_sent_again_with_other_notes_saves_nothing_then_offers_a_new_key(
    client, assistant_baima, zhang, today
):
    client.force_login(assistant_baima)
    page = f"/seniors/{zhang.pk}/visits/new/"
    key = str(uuid.uuid4())
    form = {"client_uuid": key, "visited_at": "2026-11-28T15:30", "service_type": "inspection"}
    assert client.post(page, {**form, "notes": "屋顶漏雨"}).status_code == 302

    again = client.post(page, {**form, "notes": "屋顶漏雨，已找人修"})

    assert again.status_code == 200
    body = again.content.decode()
    assert "这张表此前已经保存过一次，内容与现在不同，这次没有保存" in body
    assert Visit.objects.count() == 1
    fresh = again.context["form"]["client_uuid"].value()
    assert fresh != key and f'value="{fresh}"' in body
    # saving once more records what is on the screen as a visit of its own
    assert (
        client.post(page, {**form, "client_uuid": fresh, "notes": "屋顶漏雨，已找人修"}).status_code
        == 302
    )
    assert sorted(Visit.objects.values_list("notes", flat=True)) == [
        "屋顶漏雨",
        "屋顶漏雨，已找人修",
    ]
