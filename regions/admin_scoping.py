"""Scoping for the admin: the same rule as the API and the pages."""

from regions.scoping import visible_to


class ScopedAdminMixin:
    """An admin whose lists, change pages and lookups show only the rows the user may see.

    Django's admin fetches single objects through ``get_queryset`` too, so a row outside the
    user's subtree is "not found" there as everywhere else.
    """

    def get_queryset(self, request):
        return visible_to(super().get_queryset(request), request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._has_role(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._has_role(request)

    @staticmethod
    def _has_role(request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and bool(getattr(user, "role", ""))
