"""Scoping, role rules and writes for the admin: the same rules and services as the API and
the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models

from regions.scoping import ScopedQuerySet, require_scoped


class ScopedAdminMixin:
    """An admin whose lists, change pages and lookups show only the rows the user may see.

    Django's admin fetches single objects through ``get_queryset`` too, so a row outside the
    user's subtree is "not found" there as everywhere else.
    """

    def get_queryset(self, request):
        return require_scoped(super().get_queryset(request)).visible_to(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._has_role(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._has_role(request)

    @staticmethod
    def _has_role(request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and bool(getattr(user, "role", ""))


class ScopedInlineMixin:
    """An inline whose rows are scoped like a list of their own: a parent the user may see
    (a district's training course) does not show them its children from other regions (the
    attendees of other townships). Children of a model without a scoping rule of its own
    belong wholly to their parent and follow it."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if isinstance(queryset, ScopedQuerySet):
            return queryset.visible_to(request.user)
        return queryset

    def has_view_permission(self, request, obj=None):
        # the same as the page it sits on: a role reads what the scoping rule lets it see
        return super().has_view_permission(request, obj) or ScopedAdminMixin._has_role(request)


def _nobody(user) -> bool:
    return False


def is_active_staff(user) -> bool:
    """Anyone who may log into the admin."""
    return bool(user.is_active and user.is_staff)


class RuleAdminMixin:
    """An admin opened by a role rule (a predicate of an app's ``rules.py``): ``read_rule``
    shows the module and its rows, ``edit_rule`` adds and changes them (``read_rule`` defaults
    to it). Nobody deletes: history, snapshots and old figures name these rows."""

    edit_rule = staticmethod(_nobody)
    read_rule = None

    def _may_read(self, request) -> bool:
        return (self.read_rule or self.edit_rule)(request.user)

    def has_module_permission(self, request):
        return self._may_read(request)

    def has_view_permission(self, request, obj=None):
        return self._may_read(request)

    def has_add_permission(self, request, *args):
        return self.edit_rule(request.user)

    def has_change_permission(self, request, obj=None):
        return self.edit_rule(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdminMixin:
    """Rows nobody adds, changes or deletes in the admin: they are written elsewhere (the
    pages, the API, the engine) and read here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def form_fields(form, *, change: bool) -> dict[str, Any]:
    """What an admin form sets: its fields when it adds a row, those it changed when it
    changes one (read-only fields are not in the form)."""
    names = form.changed_data if change else form.fields
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


def adopt(shown: models.Model, saved: models.Model) -> None:
    """Make the admin's instance the row the service saved (its id, and what the service or
    the database set), so that the admin's message, log and redirect name it."""
    for field in saved._meta.concrete_fields:
        setattr(shown, field.attname, getattr(saved, field.attname))
    shown._state.adding = False
    shown._state.db = saved._state.db


class ServiceAdminMixin:
    """An admin whose saves are the app's service, so that a change made here obeys the rules
    and leaves the history (``by``: the admin's user) of one made through the API or the pages:
    ``save_service(by=user, <instance_name>=row or None, **fields)``. Put it before
    ``SimpleHistoryAdmin``. Nobody deletes these rows in the admin."""

    save_service: ClassVar[Callable[..., models.Model] | None] = None
    instance_name: ClassVar[str] = ""

    def save_model(self, request, obj, form, change):
        saved = self.save_service(
            by=request.user,
            **{self.instance_name: obj if change else None},
            **form_fields(form, change=change),
        )
        adopt(obj, saved)

    def has_delete_permission(self, request, obj=None):
        return False  # reports, history and other rows name them: statuses, not deletes
