"""The site the browser tests (and, on PostgreSQL, the API fuzz) talk to over HTTP.

On PostgreSQL (CI's second pass) it is production's own way: gunicorn running
``eldercare.wsgi`` with DEBUG off, the manifest storage's files from ``collectstatic`` served by
whitenoise, in a process of its own on a free port of 127.0.0.1, pointed at the test database
(the tests commit their data: they are transactional). What differs from the Docker image:
plain http on the loopback, so no redirect to https (the cookies stay ``Secure``, as behind the
TLS proxy; Chromium keeps them for 127.0.0.1); the collected files are not also compressed
(conftest.py); and tests/gunicorn_hooks.py gives the workers the test's clock and the tests'
fast password hasher.

On the embedded default (SQLite in memory, which another process cannot open) it is a thread of
the test process sharing that database, serving the same WSGI application: the static files
come from whitenoise and the collected STATIC_ROOT too, not from Django's test handler.

The clock: a test that freezes time with the ``today`` fixture freezes the served site's too
(the thread shares the process's clock; gunicorn's workers read it from a file before each
request, tests/gunicorn_hooks.py)."""

from __future__ import annotations

import ctypes
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.test.testcases import LiveServerThread
from django.test.utils import modify_settings

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
HOST = "127.0.0.1"
# gunicorn as docker-compose.yml runs it (three workers there; two cores here)
WORKERS = 2


def _stop_with_this_process():
    """In the child, before gunicorn starts: SIGTERM when the test process dies (killed, or
    ended without its teardown), so that no server outlives the session (Linux's prctl)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def database_url() -> str:
    """The test database's address, for another process (read after the test database exists:
    its NAME is then the test database's)."""
    db = settings.DATABASES["default"]
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Gunicorn:
    """gunicorn serving the test database with DEBUG off, started and stopped by the session."""

    def __init__(self, static_root: Path):
        self.folder = Path(tempfile.mkdtemp(prefix="eldercare-gunicorn-"))
        self.clock = self.folder / "clock"
        self.clock.write_text("", encoding="utf-8")
        self.log = self.folder / "gunicorn.log"
        # a socket bound here and handed over: no other process can take the port meanwhile
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((HOST, 0))
        self.url = f"http://{HOST}:{self.socket.getsockname()[1]}"
        self.static_root = static_root
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="eldercare.settings",
            DEBUG="0",
            DATABASE_URL=database_url(),
            STATIC_ROOT=str(self.static_root),
            ALLOWED_HOSTS=f"{HOST},localhost",
            CSRF_TRUSTED_ORIGINS=self.url,
            # plain http on the loopback: not redirected (HTTPS stays on: Secure cookies, HSTS)
            SECURE_SSL_REDIRECT="0",
            TZ="Asia/Shanghai",
            LOG_LEVEL="WARNING",
            ELDERCARE_TEST_CLOCK=str(self.clock),
            ELDERCARE_TEST_PASSWORD_HASHERS=",".join(settings.PASSWORD_HASHERS),
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        return env

    def start(self) -> None:
        fd = self.socket.fileno()
        with open(self.log, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "eldercare.wsgi:application",
                    "--bind", f"fd://{fd}", "--workers", str(WORKERS),
                    "--config", "python:tests.gunicorn_hooks",
                ],
                cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(fd,), preexec_fn=_stop_with_this_process,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def set_clock(self, moment: datetime.datetime | None) -> None:
        self.clock.write_text(moment.isoformat() if moment else "", encoding="utf-8")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.socket.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class InProcess:
    """The WSGI application in a thread of the test process, on the shared in-memory SQLite
    database, with every request (static files too) going through Django and whitenoise."""

    def __init__(self):
        override = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        self.thread = LiveServerThread(
            HOST, static_handler=lambda handler: handler, connections_override=override
        )
        self.thread.daemon = True
        self.hosts = modify_settings(ALLOWED_HOSTS={"append": HOST})

    def start(self) -> None:
        self.hosts.enable()
        for conn in self.thread.connections_override.values():
            conn.inc_thread_sharing()
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.url = f"http://{HOST}:{self.thread.port}"

    def set_clock(self, moment: datetime.datetime | None) -> None:
        """The thread reads the process's clock: nothing to pass on."""

    def output(self) -> str:
        return ""

    def stop(self) -> None:
        self.thread.terminate()
        for conn in self.thread.connections_override.values():
            conn.dec_thread_sharing()
        self.hosts.disable()
