"""``/healthz`` for docker and load balancers."""

import pytest
from django.conf import settings

from eldercare import health

pytestmark = pytest.mark.django_db


def test_it_reports_database_cache_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    # eager without CELERY_BROKER_URL (the quick pass), the Redis broker in CI's second pass
    expected_mode = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "broker"
    assert body["checks"]["broker"]["mode"] == expected_mode


def test_it_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_a_failing_dependency_is_a_503_naming_it(client, monkeypatch):
    def broken():
        raise ConnectionError("redis at 127.0.0.1:6379 refused the connection")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert "refused" in body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.services
def test_it_reaches_the_real_broker_and_cache(client):
    body = client.get("/healthz").json()
    assert body["checks"]["broker"] == {**body["checks"]["broker"], "ok": True, "mode": "broker"}
    assert body["checks"]["database"]["vendor"] == "postgresql"
