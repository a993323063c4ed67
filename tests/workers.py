"""A real Celery worker process for the tests marked ``services`` (PostgreSQL and Redis)."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def celery_worker(env: dict[str, str] | None = None):
    """Start a worker on a queue of its own, reading the test database (with ``env`` added
    to its environment); yield the queue's name; stop the worker and fail if it printed a
    traceback."""
    with celery_worker_process(env) as (queue, _worker):
        yield queue


@contextlib.contextmanager
def celery_worker_process(env: dict[str, str] | None = None, queue: str = ""):
    """``celery_worker``, yielding the queue's name and the worker's process (to kill it),
    on ``queue`` when given."""
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    settings = connection.settings_dict
    environment = {
        **os.environ,
        # the worker reads the test database, the same one the test writes to
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        ),
        **(env or {}),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "eldercare", "worker", "--pool=solo",
        "--concurrency=1", "-Q", queue, "--loglevel=WARNING", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue, worker
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output
