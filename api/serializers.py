"""The API's model serializer: DRF's, with the models' dates read by ``api.fields``' date fields
(the model field's span and name, checked on the value as written, before any time-zone step).
Every model serializer of the API derives from it (``tests/test_dates_in_span.py`` walks them)."""

from django.db import models
from rest_framework import serializers

from api.fields import PlausibleDateField, PlausibleDateTimeField


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: PlausibleDateField,
        models.DateTimeField: PlausibleDateTimeField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, PlausibleDateField | PlausibleDateTimeField):
            field_kwargs["span"] = getattr(model_field, "span", "calendar")
            field_kwargs["model_field"] = model_field
        return field_class, field_kwargs
