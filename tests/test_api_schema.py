"""The OpenAPI schema and its docs page, with assets served from this server."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_lists_the_regions_endpoint(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/regions/" in schema["paths"]
    assert "/api/v1/auth/token/" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/regions/"]["get"]["parameters"]}
    assert {"level", "parent", "code", "page", "page_size"} <= params


def test_the_docs_page_loads_its_assets_locally(client):
    body = client.get("/api/v1/docs/").content.decode()

    assert "swagger-ui" in body
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "cdn" not in body.lower()
    assert "//unpkg" not in body and "jsdelivr" not in body


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").stat().st_size > 10_000
