"""Every route, page and export that can show a person, for every role: which full ID and phone
numbers it shows, which view-log rows it writes, and that it is not cached.

The people of 板桥 carry numbers (the senior 张大爷, a caregiver of the 白马 nursing home, the
volunteer of 板桥, someone who attended a training, and two people of an uploaded Excel file
waiting for its confirmation); the walk reads every API list, every export's cells, every
API record (and answers an empty PATCH where the route takes one), every page, and the admin's
lists, records and histories (the admin open to every role), as each role, and looks for the
full numbers in the answer. A full number may appear only on its person's own record, for the
roles the README names (ID: bureau and township staff; phone: also the village assistant for
seniors and volunteers, the operator for their staff; a volunteer their own phone), and each
such answer writes exactly one view-log row per person shown (none for a volunteer reading
their own record, none for an error). The ledger's export holds the numbers in full for the
roles that see them on the record, and logs the file once. A new route is walked without being
listed here, so it is held to the same rule.
"""

import io

import pytest
from django.contrib import admin
from django.urls import resolve, reverse
from openpyxl import load_workbook

from accounts.models import Role, User
from audit.models import Channel, PersonView
from facilities.models import Facility, StaffMember, TrainingSession
from seniors.models import SeniorImport
from tests import factories as f
from tests.conftest import ZHANG_ID
from tests.test_authz_matrix import key_of, list_routes, path_of, record_routes
from tests.test_authz_matrix import world as matrix_world  # noqa: F401  (a fixture)
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

ZHANG_PHONE = "13812345678"
STAFF_ID = "500232197003050022"
STAFF_PHONE = "13900001111"
VOLUNTEER_PHONE = "13700002222"
VOLUNTEER_ID = "500232198001010016"
ATTENDEE_ID = "500232197505050033"
# the two people of the uploaded file (not in the ledger: nobody's record)
UPLOADED_ID = "500232195001010011"
UPLOADED_PHONE = "13600003333"
UPLOADED_OTHER_ID = "500232194812120025"

# b bureau, s township staff of 白马, a assistant of 板桥, v the volunteer of 板桥 (their own
# record is the volunteer walked), o an operator in 后坪 running nothing here, p the operator
# of the 白马 nursing home, x no role, A an administrator (superuser)
ROLES = ("b", "s", "a", "v", "o", "p", "x", "A")

# route name → number → the roles that see it in full there. Nowhere else, for nobody.
FULL = {
    "senior-detail": {ZHANG_ID: "bsA", ZHANG_PHONE: "bsaA"},
    "senior_detail": {ZHANG_ID: "bsA", ZHANG_PHONE: "bsaA"},
    "senior_edit": {ZHANG_PHONE: "bsA"},  # the edit form holds the phone; the ID is write-once
    "staff-detail": {STAFF_ID: "bsA", STAFF_PHONE: "bspA"},
    "volunteer-detail": {VOLUNTEER_PHONE: "bsavA"},
    # the ledger's export, logged as one file (the assistant may not download it)
    "senior_export": {ZHANG_ID: "bsA", ZHANG_PHONE: "bsA"},
}
# numbers an answer holds as a sample, not as anyone's: the import template's example row
# carries the number the suite gives 张大爷
SAMPLES = {"senior_import_template": {ZHANG_ID}}


@pytest.fixture
def people(request, regions, zhang):
    """The numbers, on the records of 板桥's side of the world, and the users walking it."""
    world = request.getfixturevalue("matrix_world")  # the authorisation matrix's records
    zhang.phone = ZHANG_PHONE
    zhang.save()
    inside = world["in"]
    StaffMember.objects.filter(pk=inside["staff"]).update(id_number=STAFF_ID, phone=STAFF_PHONE)
    Volunteer.objects.filter(pk=inside["volunteer"]).update(
        phone=VOLUNTEER_PHONE, id_number=VOLUNTEER_ID
    )
    f.TrainingAttendanceFactory(
        session=TrainingSession.objects.get(pk=inside["training"]), name="赵学员",
        id_number=ATTENDEE_ID,
    )  # fmt: skip
    luo = {"name": "罗大爷", "id_number": UPLOADED_ID, "phone": UPLOADED_PHONE}
    tan = {"name": "谭奶奶", "id_number": UPLOADED_OTHER_ID}
    SeniorImport.objects.filter(pk=inside["import"]).update(
        rows=[
            {"row": 2, "cells": {"姓名": luo["name"], "身份证号": luo["id_number"],
                                 "联系电话": luo["phone"]}, "fields": luo},
            {"row": 3, "cells": {"姓名": tan["name"], "身份证号": tan["id_number"]}, "fields": tan},
        ]
    )  # fmt: skip
    runner = f.UserFactory(
        username="operator-baima", role=Role.FACILITY_OPERATOR, region=regions["baima"]
    )
    Facility.objects.get(pk=inside["facility"]).operators.add(runner)
    administrator = f.UserFactory(
        username="root", role="", region=None, is_staff=True, is_superuser=True
    )
    users = {**world["users"], "p": runner, "A": administrator}
    # every role with the admin site open to it (it is scoped like the rest), so that the walk
    # reads the admin's lists and records as every role
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(is_staff=True)
    owner = {
        ZHANG_ID: ("senior", zhang.pk),
        ZHANG_PHONE: ("senior", zhang.pk),
        STAFF_ID: ("staff_member", inside["staff"]),
        STAFF_PHONE: ("staff_member", inside["staff"]),
        VOLUNTEER_PHONE: ("volunteer", inside["volunteer"]),
        VOLUNTEER_ID: ("volunteer", inside["volunteer"]),
        ATTENDEE_ID: (None, None),
        UPLOADED_ID: (None, None),
        UPLOADED_PHONE: (None, None),
        UPLOADED_OTHER_ID: (None, None),
    }
    PersonView.objects.all().delete()
    return {"users": users, "owner": owner, "in": inside}


def _logged_since(last_id):
    rows = PersonView.objects.filter(id__gt=last_id)
    subjects = []
    for row in rows:
        for field in ("senior", "staff_member", "volunteer"):
            if getattr(row, f"{field}_id", None) is not None:
                subjects.append((field, getattr(row, f"{field}_id")))
    return sorted(subjects)


def _text_of(response) -> str:
    """The answer as text: a workbook's cells, every sheet, or the body."""
    if not response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        return response.content.decode(errors="replace")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


class Walk:
    def __init__(self, people):
        self.people = people
        self.problems = []
        self.answers = 0
        self.exports = 0
        self.last = 0

    def check(self, role, label, name, response):
        """What the answer shows must be what ``FULL`` allows, logged once per person (an
        export: once per file)."""
        logged = _logged_since(self.last)
        files = PersonView.objects.filter(id__gt=self.last, channel=Channel.EXPORT).count()
        self.last = PersonView.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if response.status_code >= 300:
            if logged or files:
                self.problems.append(f"{role} {label}: {response.status_code} logged {logged}")
            return
        self.answers += 1
        text = _text_of(response)
        export = response.get("Content-Disposition", "").startswith("attachment")
        self.exports += export
        found = {n for n in self.people["owner"] if n in text} - SAMPLES.get(name, set())
        allowed = {n for n, roles in FULL.get(name, {}).items() if role in roles}
        if found != allowed:
            self.problems.append(f"{role} {label}: shows {sorted(found)}, may {sorted(allowed)}")
        own = role == "v" and name == "volunteer-detail"  # a volunteer's own record: no log
        if export:
            expected, files_expected = [], int(bool(found))
        else:
            expected, files_expected = (
                [] if own else sorted({self.people["owner"][n] for n in found}),
                0,
            )
        if logged != expected or files != files_expected:
            self.problems.append(
                f"{role} {label}: logged {logged} and {files} files, expected {expected}"
            )
        if "no-store" not in response.get("Cache-Control", ""):
            self.problems.append(f"{role} {label}: Cache-Control {response.get('Cache-Control')}")


def _admin_pages(people):
    """(label, path) of the admin's list of every registered model, and the record and history
    pages of the people who carry numbers."""
    records = {
        "seniors.senior": people["owner"][ZHANG_ID][1],
        "facilities.staffmember": people["in"]["staff"],
        "volunteers.volunteer": people["in"]["volunteer"],
        "facilities.trainingsession": people["in"]["training"],
    }
    for model in admin.site._registry:
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        yield f"{base}_changelist", reverse(f"{base}_changelist")
        pk = records.get(meta.label_lower)
        if pk is not None:
            yield f"{base}_change", reverse(f"{base}_change", args=[pk])
            yield f"{base}_history", reverse(f"{base}_history", args=[pk])


def test_every_route_shows_full_numbers_only_on_the_record_to_the_roles_that_may(
    people, api_as, client
):
    walk = Walk(people)
    for role in ROLES:
        user = people["users"][role]
        api = api_as(user)
        client.force_login(user)
        for namespace, path in list_routes():
            who = api if namespace == "api" else client
            walk.check(role, path, resolve(path).url_name, who.get(path))
        for kind, name, route in record_routes():
            key = key_of(name)
            if key is None or key not in people["in"]:
                continue
            path = path_of(kind, name, route, people["in"][key])
            who = api if kind == "api" else client
            response = who.get(path)
            if response.status_code == 405:
                continue  # an action taking POST only: it answers with no person (matrix)
            walk.check(role, path, name, response)
            if kind == "api" and name.endswith("-detail"):
                # an empty change answers with the record as it stands: same rule, logged
                walk.check(role, f"PATCH {path}", name, api.patch(path, {}, format="json"))
        for name, path in _admin_pages(people):
            walk.check(role, path, name, client.get(path))
    assert walk.answers > 600
    assert walk.exports >= 6  # the ledger, the template and the coverage workbook, by b s A
    assert not walk.problems, "\n".join(walk.problems)


def test_a_loop_of_empty_patches_is_logged_once_each(people, api_as, staff_baima):
    client = api_as(staff_baima)
    senior = people["owner"][ZHANG_ID][1]
    for _ in range(3):
        body = client.patch(f"/api/v1/seniors/{senior}/", {}, format="json").json()
        assert (body["id_number"], body["phone"]) == (ZHANG_ID, ZHANG_PHONE)
    assert PersonView.objects.filter(senior_id=senior, channel="api").count() == 3


def test_a_list_answer_is_not_cached_either(people, api_as, client, staff_baima):
    response = api_as(staff_baima).get("/api/v1/seniors/")
    assert "no-store" in response["Cache-Control"]
    client.force_login(staff_baima)
    assert "no-store" in client.get("/seniors/")["Cache-Control"]
