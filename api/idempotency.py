"""Phones resend what they did not hear back about: the same ``client_uuid`` is one record."""

from rest_framework import status
from rest_framework.response import Response


class IdempotentCreateMixin:
    """``POST`` answers 201 when it created the record and 200 with the same record when the
    ``client_uuid`` was seen before. The service does the work (once, under the unique index);
    a serializer whose service says whether it created sets ``serializer.created`` and declares
    ``says_created = True``, which spares the question asked beforehand."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = serializer.validated_data.get("client_uuid")
        seen = None
        if not getattr(serializer, "says_created", False):
            # a service that does not say whether it created: ask before it runs
            seen = key is not None and self.queryset.model.objects.filter(client_uuid=key).exists()
        serializer.save()
        created = getattr(serializer, "created", not seen)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(serializer.data, status=code)
