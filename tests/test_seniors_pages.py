"""The ledger's pages for township staff: search, register, edit, assess, visit."""

import pytest

from seniors.models import Assessment, Senior, Visit
from tests import factories as f
from tests.conftest import WANG_ID, ZHANG_ID

pytestmark = pytest.mark.django_db

BARTHEL_FULL = {
    "feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10, "bowels": 10,
    "bladder": 10, "toilet_use": 10, "transfers": 15, "mobility": 15, "stairs": 10,
}  # fmt: skip


@pytest.fixture
def staff(client, staff_baima):
    client.force_login(staff_baima)
    return client


def test_the_list_shows_the_townships_people_with_their_categories(staff, zhang, liu, regions):
    f.SeniorFactory(village=regions["tiefosi"], name="周奶奶", subsistence_allowance=True)
    body = staff.get("/seniors/").content.decode()

    assert "张大爷" in body and "周奶奶" in body
    assert "刘奶奶" not in body  # 后坪乡
    assert "共 2 人" in body
    # lists mask every number, township staff too: the full one is on the record (logged)
    assert ZHANG_ID not in body and "5002**********1230" in body
    assert "低保" in body


def test_the_list_filters_by_village_and_category(staff, zhang, regions):
    f.SeniorFactory(village=regions["tiefosi"], name="周奶奶", subsistence_allowance=True)

    by_village = staff.get("/seniors/", {"village": "500156101006"}).content.decode()
    assert "周奶奶" in by_village and "张大爷" not in by_village

    by_category = staff.get("/seniors/", {"living_situation": "alone"}).content.decode()
    assert "张大爷" in by_category and "周奶奶" not in by_category

    by_name = staff.get("/seniors/", {"q": "周"}).content.decode()
    assert "周奶奶" in by_name and "张大爷" not in by_name


def test_a_bad_filter_value_is_explained_not_a_500(staff, zhang):
    response = staff.get("/seniors/", {"status": "zombie", "not_visited_days": "x"})
    assert response.status_code == 200
    assert "没有符合条件的人员" in response.content.decode()


def test_the_list_page_takes_a_bounded_number_of_queries(
    staff, regions, today, django_assert_max_num_queries
):
    for i in range(60):
        senior = f.SeniorFactory(
            village=regions["banqiao"], villager_group=regions["groups"][i % 3]
        )
        f.AssessmentFactory(senior=senior)
    with django_assert_max_num_queries(12):
        response = staff.get("/seniors/")
    assert response.status_code == 200
    assert "第 1 / 2 页" in response.content.decode()


def test_registering_through_the_form(staff, regions, today):
    response = staff.post(
        "/seniors/new/",
        {
            "id_number": WANG_ID.lower(),
            "name": "王大爷",
            "village": "500156101201",
            "villager_group": "500156101201001",
            "living_situation": "left_behind",
            "extreme_poverty": "dispersed",
            "registered_on": "2026-11-29",
        },
    )

    senior = Senior.objects.get(id_number=WANG_ID)
    assert response.status_code == 302
    assert response["Location"] == f"/seniors/{senior.pk}/"
    assert (senior.birth_date.isoformat(), senior.sex, senior.extreme_poverty) == (
        "1930-01-15",
        "M",
        "dispersed",
    )
    page = staff.get(response["Location"]).content.decode()
    assert "王大爷 已登记" in page
    assert "特困·分散供养" in page


def test_the_form_shows_what_is_wrong_in_chinese_and_keeps_nothing(staff, zhang, today):
    response = staff.post(
        "/seniors/new/",
        {
            "id_number": ZHANG_ID,
            "name": "张大爷",
            "village": "500156101201",
            "living_situation": "alone",
            "registered_on": "2026-11-29",
        },
    )

    assert response.status_code == 200
    assert "此人已在白马镇板桥村登记，未重复建档。" in response.content.decode()
    assert Senior.objects.count() == 1


def test_the_form_offers_only_villages_of_the_township(staff, regions):
    body = staff.get("/seniors/new/").content.decode()
    assert "板桥村" in body and "铁佛寺社区" in body
    assert "文凤村" not in body


def test_editing_keeps_the_id_number_and_records_the_change(staff, zhang, staff_baima):
    response = staff.post(
        f"/seniors/{zhang.pk}/edit/",
        {
            "name": "张大爷",
            "village": "500156101201",
            "living_situation": "with_family",
            "phone": "13900002222",
            "registered_on": "2021-06-01",
        },
    )

    assert response.status_code == 302
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.living_situation, zhang.id_number) == (
        "13900002222",
        "with_family",
        ZHANG_ID,
    )
    assert zhang.history.first().history_user == staff_baima


def test_recording_an_assessment_shows_the_computed_level(staff, zhang):
    items = {**BARTHEL_FULL, "stairs": 0, "mobility": 5, "transfers": 5, "bathing": 0}
    response = staff.post(
        f"/seniors/{zhang.pk}/assessments/new/",
        {"assessed_on": "2026-11-20", "assessor": "李医生", **items},
        follow=True,
    )

    # 100 - 10 (stairs) - 10 (mobility) - 10 (transfers) - 5 (bathing) = 65
    assert "评估已保存：65 分，轻度依赖。" in response.content.decode()
    assert Assessment.objects.get().total == 65


def test_an_invalid_score_is_refused_on_the_form(staff, zhang):
    response = staff.post(
        f"/seniors/{zhang.pk}/assessments/new/",
        {"assessed_on": "2026-11-20", **BARTHEL_FULL, "feeding": 7},
    )
    assert response.status_code == 200
    assert Assessment.objects.count() == 0


def test_a_visit_form_pressed_twice_stores_one_visit(client, assistant_baima, zhang):
    client.force_login(assistant_baima)
    form = client.get(f"/seniors/{zhang.pk}/visits/new/").content.decode()
    key = form.split('name="client_uuid" value="')[1].split('"')[0]
    data = {
        "client_uuid": key,
        "visited_at": "2026-11-28T09:30",
        "service_type": "meals",
        "notes": "送餐",
    }

    first = client.post(f"/seniors/{zhang.pk}/visits/new/", data, follow=True)
    second = client.post(f"/seniors/{zhang.pk}/visits/new/", data, follow=True)

    assert "走访已保存。" in first.content.decode()
    assert "这次走访已经保存过了。" in second.content.decode()
    assert Visit.objects.count() == 1
    assert "助餐" in second.content.decode()


def test_marking_a_death(staff, zhang):
    staff.post(
        f"/seniors/{zhang.pk}/status/",
        {"status": "deceased", "status_on": "2026-11-02", "status_note": "病故"},
    )
    zhang.refresh_from_db()
    assert (zhang.status, zhang.status_on.isoformat()) == ("deceased", "2026-11-02")
    assert "已故" in staff.get(f"/seniors/{zhang.pk}/").content.decode()


def test_another_townships_person_is_404_on_every_page(staff, liu):
    for path in ("", "edit/", "status/", "assessments/new/", "visits/new/"):
        assert staff.get(f"/seniors/{liu.pk}/{path}").status_code == 404, path


def test_an_assistant_may_read_and_visit_but_not_edit(client, assistant_baima, zhang):
    client.force_login(assistant_baima)
    assert client.get(f"/seniors/{zhang.pk}/").status_code == 200
    assert client.get(f"/seniors/{zhang.pk}/visits/new/").status_code == 200
    assert client.get(f"/seniors/{zhang.pk}/edit/").status_code == 403
    assert client.get("/seniors/new/").status_code == 403


def test_a_volunteer_has_no_ledger(client, volunteer, zhang):
    client.force_login(volunteer)
    assert client.get("/seniors/").status_code == 403
    assert client.get(f"/seniors/{zhang.pk}/").status_code == 403


def test_the_list_shows_the_active_by_default_and_all_on_request(staff, zhang, regions):
    f.SeniorFactory(
        village=regions["banqiao"], name="故去的老人", status="deceased",
        status_on=f.datetime.date(2026, 1, 5),
    )  # fmt: skip
    default = staff.get("/seniors/").content.decode()
    everyone = staff.get("/seniors/", {"status": ""}).content.decode()

    assert "张大爷" in default and "故去的老人" not in default
    assert "张大爷" in everyone and "故去的老人" in everyone
    assert "status=active" in default  # the export link carries what the page shows
