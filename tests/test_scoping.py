"""The one scoping rule, for every role: what each user sees of the map."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from regions.models import Region
from regions.scoping import can_see_region_code, require_scoped, scope_prefix

pytestmark = pytest.mark.django_db


def visible_codes(user):
    return set(Region.objects.visible_to(user).values_list("code", flat=True))


def test_the_bureau_sees_the_whole_district(regions, bureau):
    assert len(visible_codes(bureau)) == 9


def test_township_staff_see_their_township_and_everything_below_it(staff_baima):
    assert visible_codes(staff_baima) == {
        "500156101000",
        "500156101201",
        "500156101006",
        "500156101201001",
        "500156101201002",
        "500156101201003",
    }


def test_staff_of_another_township_see_none_of_baima(staff_houping):
    assert visible_codes(staff_houping) == {"500156208000", "500156208200"}


def test_an_assistant_sees_their_village_and_its_groups(assistant_baima):
    assert visible_codes(assistant_baima) == {
        "500156101201",
        "500156101201001",
        "500156101201002",
        "500156101201003",
    }


def test_a_volunteer_sees_their_village_on_the_map(volunteer):
    assert "500156101201" in visible_codes(volunteer)
    assert "500156101000" not in visible_codes(volunteer)


def test_a_facility_operator_sees_their_region(operator_houping):
    assert visible_codes(operator_houping) == {"500156208000", "500156208200"}


def test_a_user_without_role_or_region_sees_nothing(outsider, roleless_with_region):
    assert visible_codes(outsider) == set()
    assert visible_codes(roleless_with_region) == set()


def test_a_user_with_a_role_but_no_region_sees_nothing(regions):
    user = User.objects.create(username="lost", role="township_staff", region=None)
    assert visible_codes(user) == set()


def test_an_unknown_role_sees_nothing(regions):
    user = User.objects.create(username="odd", role="mayor", region=regions["baima"])
    assert visible_codes(user) == set()


def test_an_inactive_user_sees_nothing(staff_baima):
    staff_baima.is_active = False
    assert visible_codes(staff_baima) == set()


def test_anonymous_and_none_see_nothing(regions):
    assert visible_codes(AnonymousUser()) == set()
    assert visible_codes(None) == set()


def test_an_administrator_sees_everything(admin_user):
    assert len(visible_codes(admin_user)) == 9
    assert scope_prefix(admin_user) == ""


def test_prefixes_follow_the_level(staff_baima, assistant_baima, bureau):
    assert scope_prefix(bureau) == "500156"
    assert scope_prefix(staff_baima) == "500156101"
    assert scope_prefix(assistant_baima) == "500156101201"


def test_can_see_region_code_is_the_same_rule(staff_baima):
    assert can_see_region_code(staff_baima, "500156101201002")
    assert not can_see_region_code(staff_baima, "500156208200")


def test_a_model_without_a_scoping_rule_is_refused(staff_baima):
    with pytest.raises(TypeError, match="no scoping rule"):
        require_scoped(AccessAttempt.objects.all()).visible_to(staff_baima)


def test_a_subtree_is_one_query(regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = list(Region.objects.subtree(regions["baima"]).values_list("code", flat=True))
    assert len(codes) == 6
