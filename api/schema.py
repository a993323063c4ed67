"""The schema documents the API's error answers, not only its successes.

drf-spectacular lists the 2xx answer of each operation; a client (and the fuzzer of
``tests/test_api_fuzz.py``) also meets these, in the shapes the exception handler gives them:

- 400 ``{"field": ["message"]}`` (``non_field_errors`` for the whole request; a nested field
  answers with its own object or list of objects) for operations that take a body or a query,
  and ``{"detail": "message"}`` for any request that cannot be read (a NUL character in the
  path, query or body, JSON nested too deeply: ``eldercare/input.py``) — so every operation;
- 401 and 403 ``{"detail": "message"}``: not logged in, or the role or region may not;
- 404 ``{"detail": "message"}`` on routes with a record in the path (no such record, or
  outside the region) or with pages (no such page);
- 429 ``{"detail": "message"}`` where a view throttles, and on the token login (the login
  views' budget per address, ``accounts.throttling``).

Views take it through ``ScopedViewSetMixin`` (every view that serves records) or by setting
``schema = ErrorsDocumentedSchema()`` themselves.
"""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.schemas.inspectors import DefaultSchema

from accounts.throttling import is_login_path

CATCH_ALL = "[^/]+"  # ScopedViewSetMixin.lookup_value_regex


class TokenScheme(KnoxTokenScheme):
    """The API's token check (``api.authentication``) is knox's: the same security scheme.
    Here rather than beside the class, which DRF's settings import before drf-spectacular."""

    target_class = "api.authentication.TokenAuthentication"


ERROR_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_MESSAGES = {"type": "array", "items": {"type": "string"}}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Each field that was not accepted, with its messages; a body that cannot be read "
        "answers with ``detail``."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {
        "anyOf": [
            _MESSAGES,
            {"type": "object", "additionalProperties": True},
            {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        ]
    },
}


class ErrorsDocumentingAutoSchema(AutoSchema):
    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error(self, name: str, schema: dict, description: str) -> dict:
        ref = self._component(name, schema)
        return {
            "content": {"application/json": {"schema": ref}},
            "description": description,
        }

    def _resolve_path_parameters(self, variables):
        # ``ScopedViewSetMixin`` lets any segment reach the view (a JSON 404 for a bad id); the
        # parameter is still the model's field, as with the router's default pattern.
        self.path_regex = self.path_regex.replace(f">{CATCH_ALL})", ">[^/.]+)")
        return super()._resolve_path_parameters(variables)

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        errors = {}
        # any request can carry input the system refuses to read (eldercare/input.py)
        errors["400"] = self._error("ValidationError", VALIDATION_ERROR, "Bad input.")
        if operation.get("security") != [{}] and self.view.permission_classes:
            errors["401"] = self._error("ErrorDetail", ERROR_DETAIL, "Not logged in.")
            errors["403"] = self._error("ErrorDetail", ERROR_DETAIL, "Not allowed.")
        if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
            errors["404"] = self._error("ErrorDetail", ERROR_DETAIL, "Not found.")
        if getattr(self.view, "throttle_classes", None) or is_login_path(path):
            errors["429"] = self._error("ErrorDetail", ERROR_DETAIL, "Too many requests.")
        for code, answer in errors.items():
            responses.setdefault(code, answer)
        return operation


class ErrorsDocumentedSchema(DefaultSchema):
    """A view's ``schema`` attribute: a fresh inspector per view, like DRF's default."""

    def __get__(self, instance, owner):
        result = super(DefaultSchema, self).__get__(instance, owner)
        if not isinstance(result, DefaultSchema):
            return result
        inspector = ErrorsDocumentingAutoSchema()
        inspector.view = instance
        return inspector
