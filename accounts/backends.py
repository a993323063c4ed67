"""The login backend: Django's, with the user's region read in the same query when a request's
session is resumed (every scoped page and list asks for it)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class ModelBackendWithRegion(ModelBackend):
    def get_user(self, user_id):
        user = self._user_with_region(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _user_with_region(self, user_id):
        from django.contrib.auth import get_user_model

        model = get_user_model()
        return model._default_manager.select_related("region").filter(pk=user_id).first()
