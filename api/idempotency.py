"""Phones resend what they did not hear back about: the same ``client_uuid`` is one record
(answered only to its sender sending the same content: ``eldercare.idempotency``)."""

from rest_framework import status
from rest_framework.response import Response


class IdempotentCreateMixin:
    """``POST`` answers 201 when it created the record and 200 with the same record when the
    ``client_uuid`` was seen before. The service does the work once, under the unique index,
    and says in the same transaction whether it created: the serializer's ``create`` sets
    ``serializer.created`` from its answer (nothing is asked beforehand, which a concurrent
    retry could overtake)."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        code = status.HTTP_201_CREATED if serializer.created else status.HTTP_200_OK
        return Response(serializer.data, status=code)
