"""Serializers of people show ID and phone numbers by the one rule of ``audit.personal``."""

from __future__ import annotations

from audit.personal import Context, Number, shown


class PersonalNumbersMixin:
    """For a ``ModelSerializer`` of a person: the fields named in ``personal_numbers`` are
    shown as ``audit.personal.shown`` says. A serializer that stands alone answers with one
    person's record; one inside a list (``many=True``) or nested in another record is a list."""

    personal_numbers: tuple[Number, ...] = (Number.ID, Number.PHONE)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")  # none: no user, every number masked
        context = Context.LIST if self.parent is not None else Context.RECORD
        for number in self.personal_numbers:
            if number.value in data:
                data[number.value] = shown(request, instance, number, context)
        return data
