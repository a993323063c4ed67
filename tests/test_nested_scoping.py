"""Nested routes pass the same scoping rule as top-level ones.

A parent a user may see (a district's training course is visible to every township) does not
open its children to them: the course's attendance list is read through the scoping rule like
any list, and a write through a nested route (``POST trainings/{id}/attendances/``) needs a
parent the user may change, i.e. one in their own subtree. The walks below reach every nested
action and every viewset, so a new one cannot slip through.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from rest_framework.request import Request

from api.urls import router
from facilities.models import Kind
from regions.admin_scoping import ScopedInlineMixin
from regions.scoping import ScopedQuerySet, scope_prefix
from tests import factories as f
from tests.conftest import LI_ID, WANG_ID, ZHANG_ID
from volunteers.ledger import account_for, post_movement, system_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_course(regions):
    """A caregivers' course the district held: one caregiver of 白马's home, one of 后坪's, and
    a person from a private institution who is nobody's staff here."""
    course = f.TrainingSessionFactory(
        kind="caregiver",
        title="全区护理员培训",
        held_on=datetime.date(2025, 5, 1),
        organiser="区民政局",
        hours=16,
        region=regions["district"],
    )
    baima_home = f.FacilityFactory(region=regions["baima"], name="白马敬老院")
    houping_home = f.FacilityFactory(region=regions["houping"], name="后坪敬老院")
    [baima_carer] = f.staff(baima_home, 1)
    [houping_carer] = f.staff(houping_home, 1)
    f.TrainingAttendanceFactory(
        session=course, name="白马护理员", id_number=ZHANG_ID, staff=baima_carer
    )
    f.TrainingAttendanceFactory(
        session=course, name="后坪护理员", id_number=LI_ID, staff=houping_carer
    )
    f.TrainingAttendanceFactory(session=course, name="民办院护理员", id_number=WANG_ID)
    return course


def _names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_a_township_reads_only_its_own_staff_at_a_district_course(
    api_as, staff_baima, staff_houping, district_course
):
    url = f"/api/v1/trainings/{district_course.pk}/attendances/"
    # The course itself is theirs to read (it is for everyone) ...
    assert api_as(staff_baima).get(f"/api/v1/trainings/{district_course.pk}/").status_code == 200
    # ... but of its three attendees, 白马 sees its own caregiver only, and 后坪 likewise.
    assert _names(api_as(staff_baima).get(url)) == ["白马护理员"]
    assert _names(api_as(staff_houping).get(url)) == ["后坪护理员"]


def test_the_bureau_reads_the_whole_list_of_its_course(api_as, bureau, district_course):
    url = f"/api/v1/trainings/{district_course.pk}/attendances/"
    assert _names(api_as(bureau).get(url)) == ["后坪护理员", "民办院护理员", "白马护理员"]


def test_a_leaked_id_number_is_absent_from_the_answer_bytes(api_as, staff_baima, district_course):
    body = api_as(staff_baima).get(f"/api/v1/trainings/{district_course.pk}/attendances/")
    assert LI_ID[-4:] not in body.content.decode()
    assert "后坪" not in body.content.decode()


def test_a_township_cannot_add_attendees_to_the_districts_course(
    api_as, staff_baima, district_course
):
    response = api_as(staff_baima).post(
        f"/api/v1/trainings/{district_course.pk}/attendances/",
        {"name": "冒名者", "id_number": "500232194003011230"},
        format="json",
    )
    assert response.status_code == 403
    assert "上级" in response.json()["detail"]
    assert district_course.attendances.count() == 3


def test_the_bureau_adds_attendees_to_its_course(api_as, bureau, district_course):
    response = api_as(bureau).post(
        f"/api/v1/trainings/{district_course.pk}/attendances/",
        {"name": "新学员", "id_number": "50023219300115011X"},  # already there: answered 200
        format="json",
    )
    assert response.status_code == 200
    assert district_course.attendances.count() == 3


def test_an_operator_sees_no_one_of_a_course_but_the_staff_they_run(
    api_as, operator_houping, district_course
):
    url = f"/api/v1/trainings/{district_course.pk}/attendances/"
    assert _names(api_as(operator_houping).get(url)) == []
    houping_home = district_course.attendances.get(name="后坪护理员").staff.facility
    houping_home.operators.add(operator_houping)
    assert _names(api_as(operator_houping).get(url)) == ["后坪护理员"]


# --- the walks ------------------------------------------------------------------------------

# Every nested action that lists rows, with how its rows are kept to the user's region.
# ``scoped`` means the action passes its rows through ``ScopedViewSetMixin.scoped`` (checked
# below on data from other regions); ``parent`` means its rows have no region of their own and
# belong wholly to the parent, which the mixin has already scoped.
NESTED_READS = {
    ("training", "attendances"): "scoped",
    ("timebank-account", "affordable"): "scoped",
    ("timebank-account", "statement"): "parent",  # the account's own ledger entries
}


def _detail_actions(method):
    for prefix, viewset, basename in router.registry:
        for extra in viewset.get_extra_actions():
            if extra.detail and method in extra.mapping:
                yield basename, extra.url_path, prefix


def test_every_nested_list_is_known_and_says_how_it_is_scoped():
    found = {(basename, path) for basename, path, _ in _detail_actions("get")}
    assert found == set(NESTED_READS), (
        "a nested action that lists rows must pass them through self.scoped() and be added "
        "to NESTED_READS with a test of its rows from another region"
    )


def test_a_catalogue_item_of_another_township_is_never_offered(
    api_as, staff_houping, regions, bureau
):
    volunteer = f.VolunteerFactory(village=regions["wenfeng"])
    account = account_for(volunteer)
    post_movement(
        kind="earn",
        source=system_account("earning"),
        target=account,
        hours=Decimal(10),
        by=bureau,
    )
    f.CatalogueItemFactory(region=regions["houping"], name="后坪米", hours_price=1, stock=5)
    f.CatalogueItemFactory(region=regions["district"], name="区级油", hours_price=2, stock=5)
    f.CatalogueItemFactory(region=regions["baima"], name="白马面", hours_price=1, stock=5)
    response = api_as(staff_houping).get(f"/api/v1/timebank/accounts/{account.pk}/affordable/")
    assert _names(response) == ["区级油", "后坪米"]


@pytest.fixture
def above_and_beside(regions, district_course):
    """Rows the 白马 users see from above (the district's course and supermarket item) and
    rows of 后坪 beside them."""
    f.CatalogueItemFactory(region=regions["district"], name="区级油", hours_price=2, stock=5)
    f.CatalogueItemFactory(region=regions["houping"], name="后坪米", hours_price=1, stock=5)
    f.TrainingSessionFactory(
        kind="director",
        title="后坪院长培训",
        held_on=datetime.date(2025, 6, 1),
        organiser="后坪乡",
        hours=8,
        region=regions["houping"],
    )
    f.FacilityFactory(region=regions["baima"], kind=Kind.CARE_CENTRE, name="白马中心")


@pytest.mark.parametrize("who", ["staff_baima", "assistant_baima", "volunteer", "staff_houping"])
def test_every_viewset_writes_only_inside_the_users_subtree(request, who, above_and_beside):
    """For every registered viewset, the rows a write may reach (any method but GET) all lie
    in the user's own subtree, even where the rows they may read reach above it."""
    user = request.getfixturevalue(who)
    prefix = scope_prefix(user)
    checked = 0
    for _, viewset, basename in router.registry:
        for method in ("post", "patch", "delete"):
            view = viewset()
            view.request = Request(getattr(RequestFactory(), method)("/"))
            view.request.user = user
            view.format_kwarg = None
            view.action = "partial_update"
            view.kwargs = {}
            queryset = view.get_queryset()
            if not isinstance(queryset, ScopedQuerySet):
                continue  # served unscoped on purpose (the plan's indicators and targets)
            codes = set(queryset.values_list(queryset.region_lookup, flat=True))
            outside = {code for code in codes if not code.startswith(prefix)}
            assert outside == set(), f"{basename} lets {user} write rows of {outside}"
            checked += 1
    assert checked >= 20


def test_what_a_township_reads_from_above_stays_readable(api_as, staff_baima, above_and_beside):
    names = _names(api_as(staff_baima).get("/api/v1/timebank/catalogue/"))
    assert "区级油" in names and "后坪米" not in names
    trainings = api_as(staff_baima).get("/api/v1/trainings/").json()["results"]
    titles = [row["title"] for row in trainings]
    assert titles == ["全区护理员培训"]


def test_every_admin_inline_is_scoped_like_a_list():
    unscoped = []
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            manager = inline.model._default_manager
            if isinstance(manager.all(), ScopedQuerySet) and not issubclass(
                inline, ScopedInlineMixin
            ):
                unscoped.append(f"{type(model_admin).__name__}.{inline.__name__}")
    assert unscoped == []


def test_the_admin_course_page_shows_a_township_only_its_own_attendees(
    client, staff_baima, district_course
):
    staff_baima.is_staff = True
    staff_baima.save()
    client.force_login(staff_baima)
    page = client.get(f"/admin/facilities/trainingsession/{district_course.pk}/change/")
    assert page.status_code == 200
    assert "白马护理员" in page.content.decode()
    assert "后坪护理员" not in page.content.decode()
    assert "民办院护理员" not in page.content.decode()
