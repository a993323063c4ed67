"""Tasks: eager on the embedded default, a real worker process over Redis in CI's second pass."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from eldercare.tasks import ping

ROOT = Path(__file__).resolve().parent.parent


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
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        # The worker reads the test database, the same one this test writes to.
        "DATABASE_URL": (
            f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"
        ),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "eldercare",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        token = uuid.uuid4().hex
        result = ping.apply_async(args=[token], queue=queue)
        answer = result.get(timeout=60)
        assert answer == {
            "token": token,
            "database": connection.settings_dict["NAME"],
            "vendor": "postgresql",
        }
        assert result.successful()
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output
