"""Every route is closed unless it says why it is open: a new route without scoping fails here."""

import pytest
from django.urls import get_resolver, reverse
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSetMixin

from api.scoping import ScopedViewSetMixin
from tests.helpers import walk

pytestmark = pytest.mark.django_db

# Views that serve no records and are open on purpose, with the reason.
OPEN_API_VIEWS = {
    "TokenView": "the login itself",
    "LogoutView": "ends the token the request came with, holds no records",
    "LogoutAllView": "ends the tokens of the user the request came from, holds no records",
    "SpectacularAPIView": "the schema describes the API, it holds no records",
    "SpectacularSwaggerSplitView": "the docs page for the schema (its script a separate file)",
    "APIRootView": "lists the endpoints, holds no records",
    "RecomputeView": "queues a computation, holds no records; bureau only (test_coverage_engine)",
}
PATH_SAMPLES = {
    "<str:code>": "500156101000",
    "<int:pk>": "1",
    "<uuid:pk>": "6f1c2f9e-0000-4000-8000-000000000001",
    "<str:month>": "2026-11",
}
OPEN_PAGES = {"healthz", "login", "logout", "set_language", "javascript-catalog"}


def api_routes():
    return [
        (route, p) for route, p in walk(get_resolver().url_patterns) if route.startswith("api/")
    ]


def test_every_api_view_serving_records_is_scoped():
    unscoped = []
    for route, pattern in api_routes():
        cls = getattr(pattern.callback, "cls", None)
        assert cls is not None and issubclass(cls, APIView), route
        if cls.__name__ in OPEN_API_VIEWS:
            continue
        if issubclass(cls, ViewSetMixin) and not issubclass(cls, ScopedViewSetMixin):
            unscoped.append(route)
        if not issubclass(cls, ViewSetMixin):
            unscoped.append(route)
    assert unscoped == []


def test_a_viewset_may_not_take_over_get_queryset():
    with pytest.raises(TypeError, match="base_queryset"):

        class Sneaky(ScopedViewSetMixin):
            def get_queryset(self):
                return None


def test_every_page_needs_login(client, regions):
    checked = 0
    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith(("api/", "admin/")) or pattern.name in OPEN_PAGES:
            continue
        for converter, sample in PATH_SAMPLES.items():
            route = route.replace(converter, sample)
        assert "<" not in route, f"{route}: add a sample value to PATH_SAMPLES"
        response = client.get("/" + route)
        assert response.status_code == 302, route
        assert response["Location"].startswith("/login/"), route
        checked += 1
    assert checked >= 2


# Values for the path parameters of the routes: a real record of the cast.
SAMPLE_KWARGS = {"pk": "500156101000", "code": "500156101000"}


def sample_path(route, pattern):
    """The route as a path, its parameters filled from SAMPLE_KWARGS; None for the
    ``.json``-style format variants, which reach the same views."""
    names = set(pattern.pattern.regex.groupindex)
    if "format" in names:
        return None
    missing = names - set(SAMPLE_KWARGS)
    assert not missing, f"{route}: add a sample value for {missing}"
    return reverse(f"api:{pattern.name}", kwargs={k: SAMPLE_KWARGS[k] for k in names})


def test_every_api_route_refuses_anonymous_users(api, regions):
    checked = 0
    for route, pattern in api_routes():
        if pattern.callback.cls.__name__ in OPEN_API_VIEWS:
            continue
        path = sample_path(route, pattern)
        if path is None:
            continue
        assert api.get(path).status_code == 401, route
        checked += 1
    assert checked >= 2
