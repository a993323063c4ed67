"""Serializers whose writes are the domain's services."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from api.errors import domain_errors


class ServiceWritesMixin:
    """``create`` calls ``create_service(by=user, **validated_data)``; ``update`` calls
    ``update_service(by=user, <instance_name>=instance, **validated_data)``. A service's
    ``ValidationError`` answers 400 (``api.errors.domain_errors``). Declare the services with
    ``staticmethod`` so that they are not bound to the serializer.

    With ``returns_created``, ``create_service`` returns ``(record, created)`` (an idempotent
    service) and ``create`` sets ``self.created`` for ``api.idempotency``."""

    create_service: ClassVar[Callable[..., Any] | None] = None
    update_service: ClassVar[Callable[..., Any] | None] = None
    instance_name: ClassVar[str] = ""
    returns_created: ClassVar[bool] = False

    def service_data(self, validated_data: dict) -> dict:
        """What the services receive besides ``by`` (the validated data by default)."""
        return validated_data

    def create(self, validated_data):
        with domain_errors():
            result = self.create_service(
                by=self.context["request"].user, **self.service_data(validated_data)
            )
        if self.returns_created:
            result, self.created = result
        return result

    def update(self, instance, validated_data):
        with domain_errors():
            return self.update_service(
                by=self.context["request"].user,
                **{self.instance_name: instance},
                **self.service_data(validated_data),
            )


def change_action(payload_class, *, responses) -> Callable:
    """Declares a ``POST …/{id}/<name>/`` (``<name>`` the method's) that changes one record
    through a service: the payload checked by ``payload_class``, the method called as
    ``change(self, request, record, data)`` (a service's ``ValidationError`` a 400), and the
    record answered as it is now (``responses``, the view's serializer), read again through
    the view's scope."""

    def decorate(change: Callable[..., Any]) -> Callable:
        @extend_schema(request=payload_class, responses=responses)
        @action(detail=True, methods=["post"])
        @functools.wraps(change)
        def changed(view, request, pk=None) -> Response:
            record = view.get_object()
            payload = payload_class(data=request.data)
            payload.is_valid(raise_exception=True)
            with domain_errors():
                change(view, request, record, payload.validated_data)
            return Response(view.get_serializer(view.get_object()).data)

        return changed

    return decorate
