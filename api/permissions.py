from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from regions.scoping import NO_SCOPE_MESSAGE, scope_prefix


class HasScope(BasePermission):
    """The API's default: a logged-in user with a role and a region (or an administrator).

    Anonymous → 401; a user the scoping rule gives nothing to see → 403 with the reason.
    """

    message = NO_SCOPE_MESSAGE

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return scope_prefix(user) is not None


class ReadOnlyUnlessAdmin(HasScope):
    """Reading for every scoped user; changes only for administrators (403 for the rest)."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        self.message = _("Only administrators may change this.")
        return bool(request.user.is_superuser)


class WriteRule(HasScope):
    """Reading for every scoped user (the queryset decides what they see); changes for the
    users the view's ``write_rule(user)`` allows — a role that may not act at all gets 403."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        self.message = _("Your role may not make this change.")
        return bool(view.write_rule(request.user))
