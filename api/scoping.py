"""Every API view that serves records inherits ``ScopedViewSetMixin``.

The mixin owns ``get_queryset``: subclasses describe their rows in ``base_queryset()`` and the
mixin scopes them to the user, so a list, a detail, an update and a lookup inside a filter all
see the same subtree, and a record outside it answers 404. A write (any method but GET, HEAD
and OPTIONS, the POST of a nested action such as ``trainings/{id}/attendances/`` included)
finds its record among the rows the user may change, which leaves out the rows they only see
from below (a district's course): a write to one of those is refused with 403. A nested
action that lists related rows passes them through ``scoped()``, the same rule as a top-level
list. A subclass that defines ``get_queryset`` itself is refused when the module is imported
(the PostHog pattern); the one way around the rule is to override
``dangerously_get_unscoped_queryset``, named to stand out in review and grep.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from api.schema import CATCH_ALL, ErrorsDocumentedSchema
from regions.scoping import require_scoped

READ_ONLY_FROM_BELOW = _(
    "This record belongs to a region above yours: you may read it but not change it or add to it."
)


class ScopedViewSetMixin:
    queryset: QuerySet | None = None
    schema = ErrorsDocumentedSchema()  # the error answers are part of the contract
    # Any path segment reaches the view, so that ``/seniors/x.5/`` is the API's JSON 404 and
    # not Django's HTML page for an unmatched URL (the router's default refuses dots).
    lookup_value_regex = CATCH_ALL

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset: describe rows in base_queryset() and "
                "let ScopedViewSetMixin scope them."
            )

    def base_queryset(self) -> QuerySet:
        return self.queryset.all()

    def get_queryset(self) -> QuerySet:
        unscoped = self.dangerously_get_unscoped_queryset()
        if unscoped is not None:
            return unscoped
        if self.request.method in SAFE_METHODS:
            return require_scoped(self.base_queryset()).visible_to(self.request.user)
        return require_scoped(self.base_queryset()).writable_by(self.request.user)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            if self.request.method not in SAFE_METHODS and self._seen_from_below():
                raise PermissionDenied(READ_ONLY_FROM_BELOW) from None
            raise

    def _seen_from_below(self) -> bool:
        """Whether the record a write missed is one the user may read (a region above theirs
        owns it): that is a refusal (403), not a record that is not there (404)."""
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            readable = require_scoped(self.base_queryset()).visible_to(self.request.user)
            return readable.filter(**{self.lookup_field: value}).exists()
        except (TypeError, ValueError, ValidationError):
            return False

    def scoped(self, queryset: QuerySet) -> QuerySet:
        """The related rows a nested action lists (a course's attendances), as the user may
        see them: a parent the user sees does not open its children to them."""
        return require_scoped(queryset).visible_to(self.request.user)

    def dangerously_get_unscoped_queryset(self) -> QuerySet | None:
        return None
