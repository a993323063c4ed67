"""The 结对扶老 page and the volunteer register: per village, scoped, read-only."""

import datetime

import pytest
from django.urls import reverse

from volunteers import services

from . import factories as f

PAIRINGS = reverse("dashboard:pairing_overview")
REGISTER = reverse("dashboard:volunteer_register")


@pytest.fixture
def village_life(regions, today):
    banqiao, wenfeng = regions["banqiao"], regions["wenfeng"]
    helper = f.VolunteerFactory(name="李志愿", village=banqiao)
    f.VolunteerFactory(name="后坪志愿", village=wenfeng)
    f.SeniorFactory(name="无人结对", village=banqiao, subsistence_allowance=True)
    f.SeniorFactory(name="后坪独居", village=wenfeng, living_situation="alone")
    old = f.SeniorFactory(name="久未探访", village=banqiao, born=datetime.date(1940, 1, 1))
    services.pairing_start(
        by=None, helper=helper, senior=old, mode="grid", started_on=datetime.date(2026, 1, 1)
    )
    f.GroupFactory(
        kind="volunteer_team",
        name="板桥志愿服务队",
        region=banqiao,
        founded_on=datetime.date(2022, 1, 1),
    )
    f.ElderlyCareAssistantFactory(
        village=banqiao, name="王助理", started_on=datetime.date(2022, 1, 1)
    )


def test_it_lists_the_gaps_and_overdue_pairings_of_the_users_township(
    client, staff_baima, village_life, django_assert_max_num_queries
):
    client.force_login(staff_baima)
    with django_assert_max_num_queries(15):
        response = client.get(PAIRINGS)
    body = response.content.decode()
    assert response.status_code == 200
    assert "无人结对" in body and "久未探访" in body and "李志愿" in body
    assert "后坪独居" not in body


def test_the_bureau_filters_by_village(client, bureau, village_life):
    client.force_login(bureau)
    body = client.get(PAIRINGS, {"village": "500156208200"}).content.decode()
    assert "后坪独居" in body and "无人结对" not in body


def test_the_register_lists_volunteers_groups_and_assistants(client, assistant_baima, village_life):
    client.force_login(assistant_baima)
    body = client.get(REGISTER).content.decode()
    assert "李志愿" in body and "板桥志愿服务队" in body and "王助理" in body
    assert "后坪志愿" not in body


def test_a_volunteer_may_not_open_the_pages(client, volunteer, village_life):
    client.force_login(volunteer)
    assert client.get(PAIRINGS).status_code == 403
    assert client.get(REGISTER).status_code == 403


def test_the_menu_links_the_page_for_staff(client, staff_baima, regions):
    client.force_login(staff_baima)
    assert PAIRINGS in client.get(REGISTER).content.decode()
