"""Tasks: eager on the embedded default, a real worker process over Redis in CI's second pass."""

import uuid

import pytest
from django.conf import settings
from django.db import connection

from eldercare.tasks import ping
from tests.workers import celery_worker


def test_without_a_broker_tasks_run_in_process(db):
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("a broker is configured: the worker test below covers this pass")
    result = ping.delay("hello")
    assert result.get() == {
        "token": "hello",
        "database": connection.settings_dict["NAME"],
        "vendor": connection.vendor,
    }


@pytest.mark.services
def test_a_task_goes_through_a_real_worker_process_and_back(transactional_db):
    with celery_worker() as queue:
        token = uuid.uuid4().hex
        result = ping.apply_async(args=[token], queue=queue)
        answer = result.get(timeout=60)
        assert answer == {
            "token": token,
            "database": connection.settings_dict["NAME"],
            "vendor": "postgresql",
        }
        assert result.successful()
