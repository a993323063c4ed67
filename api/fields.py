"""The API's own fields.

Related fields that only reach the records the requesting user may see: a write names other
records (a senior, a facility, a region, an account); a record outside the user's scope answers
the same "does not exist" as one that is not there, by the same rule as every list
(``ScopedQuerySet.visible_to``).

Date fields whose value, as written, lies in its span (``eldercare.validators.SPANS``) before
any time-zone step: ``0001-01-01T00:00:00`` is a 400 naming the field, not an overflow in the
conversion to UTC. Every date of every serializer is one of them (``api.serializers`` maps the
models' dates to them; plain serializers declare them).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import User
from eldercare.validators import check_as_written
from facilities.rules import operator_accounts
from regions.models import Region
from regions.scoping import require_scoped


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A record by id, among those of ``queryset`` the requesting user may see."""

    def get_queryset(self):
        return require_scoped(super().get_queryset()).visible_to(self.context["request"].user)


class ScopedRegionField(serializers.SlugRelatedField):
    """A region by its code, among those the requesting user may see, of one of ``levels``
    (any level when none is named)."""

    def __init__(self, *levels: str, **kwargs):
        self.levels = levels
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Region.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        regions = Region.objects.all()
        if self.levels:
            regions = regions.filter(level__in=self.levels)
        return regions.visible_to(self.context["request"].user)


class ScopedOperatorField(serializers.SlugRelatedField):
    """Facility-operator accounts by username, among the users the requester may see."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        kwargs.setdefault("queryset", operator_accounts(User.objects))
        super().__init__(**kwargs)

    def get_queryset(self):
        return operator_accounts(User.objects).visible_to(self.context["request"].user)


class _InSpan:
    """The span check of the two date fields: ``span`` (``calendar`` unless named) and the
    name the message gives (the model field's, or the field's label)."""

    def __init__(self, *, span: str = "calendar", model_field=None, **kwargs):
        self.span = span
        self.model_field = model_field
        super().__init__(**kwargs)

    @classmethod
    def like(cls, model, name: str, **kwargs):
        """A plain serializer's field for a value that ends up in ``model.name``: its span and
        its name in the message."""
        model_field = model._meta.get_field(name)
        return cls(span=getattr(model_field, "span", "calendar"), model_field=model_field, **kwargs)

    def check_span(self, value) -> None:
        try:
            check_as_written(value, self.span, self.model_field, label=self._label())
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code="implausible_date") from exc

    def _label(self):
        if self.model_field is not None:
            return None  # the model field's own name, as its validator says it
        return self.label or self.field_name


class PlausibleDateField(_InSpan, serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        self.check_span(day)
        return day


class PlausibleDateTimeField(_InSpan, serializers.DateTimeField):
    def enforce_timezone(self, value):
        # the day as written, before DRF makes it aware or converts it: both overflow far out
        self.check_span(value)
        return super().enforce_timezone(value)
