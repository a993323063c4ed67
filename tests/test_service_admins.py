"""Every admin that saves through a service (``regions.admin_scoping.ServiceAdminMixin``): its
change form, sent back as the administrator finds it and with one field changed, saves
through the service (302, no error page), leaves the administrator in the row's history and
offers no delete. Walks the registry, so an admin that joins the mixin is walked too."""

import datetime

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from coverage.models import Plan
from facilities.models import BasicIndicator
from regions.admin_scoping import ServiceAdminMixin
from tests import factories as f
from volunteers.models import Policy

pytestmark = pytest.mark.django_db

SERVICE_ADMINS = sorted(
    (model for model, model_admin in admin.site._registry.items()
     if isinstance(model_admin, ServiceAdminMixin)),
    key=lambda model: model._meta.label,
)  # fmt: skip


def test_the_walk_finds_the_admins_that_save_through_services():
    labels = {model._meta.label for model in SERVICE_ADMINS}
    assert labels == {
        "coverage.Indicator",
        "coverage.Plan",
        "coverage.Target",
        "facilities.BasicIndicator",
        "regions.Region",
        "volunteers.Policy",
    }


def as_posted(value):
    """A form's initial value as a browser sends it back."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [as_posted(item) for item in value]
    return value


def form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = as_posted(form.get_initial_for_field(field, name))
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


def change_form_as_found(model_admin, user, row) -> dict:
    """The change form of ``row`` with its inlines, every field as the page shows it."""
    request = RequestFactory().get("/")
    request.user = user
    data = form_data(model_admin.get_form(request, row)(instance=row))
    for formset, _inline in model_admin.get_formsets_with_inlines(request, row):
        formset = formset(instance=row, prefix=formset.get_default_prefix())
        management = formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.get_initial_for_field(field, name)
        for form in formset.initial_forms:
            data.update(form_data(form))
    return data


@pytest.fixture
def rows(regions):
    """One row of each model, as a district has them (the plan's rows come with the database)."""
    f.PolicyFactory()
    return {
        "coverage.Indicator": lambda: Plan.objects.first().targets.first().indicator,
        "coverage.Plan": lambda: Plan.objects.first(),
        "coverage.Target": lambda: Plan.objects.first().targets.first(),
        "facilities.BasicIndicator": lambda: BasicIndicator.objects.first(),
        "regions.Region": lambda: regions["banqiao"],
        "volunteers.Policy": lambda: Policy.objects.first(),
    }


# a text field each admin shows, changed to see the change land through the service
CHANGED = {
    "coverage.Indicator": "name_en",
    "coverage.Plan": "name",
    "coverage.Target": "note",
    "facilities.BasicIndicator": "name",
    "regions.Region": "short_name",
    "volunteers.Policy": None,  # numbers only: sent back as it is
}


@pytest.mark.parametrize("model", SERVICE_ADMINS, ids=lambda model: model._meta.label)
def test_the_change_form_saves_through_the_service(client, admin_user, rows, model):
    row = rows[model._meta.label]()
    assert row is not None, f"no {model._meta.label} to change"
    model_admin = admin.site._registry[model]
    client.force_login(admin_user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    data = change_form_as_found(model_admin, admin_user, row)
    field = CHANGED[model._meta.label]
    if field:
        assert field in data, f"the admin no longer shows {field}: choose another"
        data[field] = f"{data[field]}（改）"

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    if field:
        assert getattr(row, field).endswith("（改）")
    assert row.history.first().history_user == admin_user
    assert not model_admin.has_delete_permission(RequestFactory().get("/"), row), (
        "rows a report names are never deleted"
    )
