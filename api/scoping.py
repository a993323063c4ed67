"""Every API view that serves records inherits ``ScopedViewSetMixin``.

The mixin owns ``get_queryset``: subclasses describe their rows in ``base_queryset()`` and the
mixin scopes them to the user, so a list, a detail, an update and a lookup inside a filter all
see the same subtree, and a record outside it answers 404. A subclass that defines
``get_queryset`` itself is refused when the module is imported (the PostHog pattern); the one
way around the rule is to override ``dangerously_get_unscoped_queryset``, named to stand out in
review and grep.
"""

from __future__ import annotations

from django.db.models import QuerySet

from api.schema import CATCH_ALL, ErrorsDocumentedSchema
from regions.scoping import visible_to


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
        return visible_to(self.base_queryset(), self.request.user)

    def dangerously_get_unscoped_queryset(self) -> QuerySet | None:
        return None
