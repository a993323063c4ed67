"""Writes in one shape: keyword-only services that take fields (never an unsaved instance a
serializer filled), record who acted, and write all or nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import token_issue, token_revoke
from volunteers.models import CatalogueItem, Group, GroupKind, Volunteer
from volunteers.services import (
    assistant_appoint,
    group_create,
    group_update,
    volunteer_register,
    volunteer_update,
)
from volunteers.spending import catalogue_item_add, catalogue_item_update

from . import factories as f

JOINED = datetime.date(2024, 3, 1)


def test_it_registers_a_volunteer_from_fields_and_records_who(regions, staff_baima):
    volunteer = volunteer_register(
        by=staff_baima,
        name="李四",
        kind="younger_senior",
        village=regions["banqiao"],
        joined_on=JOINED,
    )
    assert Volunteer.objects.get(pk=volunteer.pk).name == "李四"
    assert volunteer.history.latest().history_user == staff_baima


def test_it_refuses_a_field_no_caller_may_set(regions, staff_baima):
    with pytest.raises(TypeError):
        volunteer_register(
            by=staff_baima,
            name="李四",
            kind="younger_senior",
            village=regions["banqiao"],
            joined_on=JOINED,
            pk=7,
        )


def test_a_villager_group_of_another_village_changes_nothing(regions, staff_baima):
    volunteer = f.VolunteerFactory(name="李四", village=regions["tiefosi"])
    with pytest.raises(ValidationError) as refused:
        volunteer_update(
            by=staff_baima, volunteer=volunteer, villager_group=regions["groups"][0], name="改"
        )
    assert "villager_group" in refused.value.message_dict
    assert Volunteer.objects.get(pk=volunteer.pk).name == "李四"


def test_a_group_is_created_with_its_members_in_one_go(regions, staff_baima):
    members = [f.VolunteerFactory(village=regions["banqiao"]) for _ in range(2)]
    team = group_create(
        by=staff_baima,
        kind=GroupKind.VOLUNTEER_TEAM,
        name="板桥志愿服务队",
        region=regions["banqiao"],
        founded_on=JOINED,
        members=members,
    )
    assert set(team.members.all()) == set(members)
    group_update(by=staff_baima, group=team, members=members[:1])
    assert list(team.members.all()) == members[:1]


def test_a_group_in_the_wrong_place_writes_neither_group_nor_members(regions, staff_baima):
    member = f.VolunteerFactory(village=regions["banqiao"])
    with pytest.raises(ValidationError):
        group_create(
            by=staff_baima,
            kind=GroupKind.MUTUAL_AID_GROUP,  # belongs to a villager group, not a village
            name="互助小组",
            region=regions["banqiao"],
            founded_on=JOINED,
            members=[member],
        )
    assert not Group.objects.exists()
    assert not member.groups.exists()


def test_an_assistants_volunteer_is_of_their_village(regions, bureau):
    elsewhere = f.VolunteerFactory(village=regions["tiefosi"])
    with pytest.raises(ValidationError) as refused:
        assistant_appoint(
            by=bureau,
            village=regions["banqiao"],
            name="王五",
            volunteer=elsewhere,
            started_on=JOINED,
        )
    assert "volunteer" in refused.value.message_dict


def test_township_staff_keep_their_townships_items_not_the_districts(regions, bureau, staff_baima):
    district_item = catalogue_item_add(
        by=bureau, region=regions["district"], name="大米", hours_price=Decimal("2"), stock=5
    )
    with pytest.raises(PermissionDenied):
        catalogue_item_update(by=staff_baima, item=district_item, stock=1)
    assert CatalogueItem.objects.get(pk=district_item.pk).stock == 5

    own = catalogue_item_add(
        by=staff_baima, region=regions["baima"], name="香油", hours_price=Decimal("1"), stock=3
    )
    catalogue_item_update(by=staff_baima, item=own, stock=1)
    assert CatalogueItem.objects.get(pk=own.pk).stock == 1
    assert own.history.latest().history_user == staff_baima


def test_a_login_clears_the_users_tokens_that_ran_out(regions, staff_baima):
    old, _key = token_issue(by=staff_baima)
    ApiToken.objects.filter(digest=old.digest).update(
        expiry=timezone.now() - datetime.timedelta(minutes=1)
    )
    new, key = token_issue(by=staff_baima)
    assert key
    assert list(ApiToken.objects.filter(user=staff_baima)) == [new]
    token_revoke(by=staff_baima, token=new)
    assert not ApiToken.objects.filter(user=staff_baima).exists()
