"""Settings come from the environment; production refuses the demo secret."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_settings(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; "
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)",
        ],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "eldercare.settings", **env},
        capture_output=True,
        text=True,
    )


def run_python(code, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "eldercare.settings", **env},
        capture_output=True,
        text=True,
    )


def test_the_web_server_refuses_to_start_without_a_secret_when_debug_is_off():
    result = run_python("import eldercare.wsgi", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_celery_worker_refuses_it_too():
    code = "from eldercare.celery import _refuse_demo_secret; _refuse_demo_secret()"
    result = run_python("import django; django.setup(); " + code, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_with_a_secret_the_web_server_starts():
    result = run_python("import eldercare.wsgi", DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_management_commands_run_without_a_secret():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
        | {"DJANGO_SETTINGS_MODULE": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_demo_runs_on_sqlite_with_eager_tasks_by_default():
    result = run_settings(DEBUG="1", CELERY_BROKER_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_production_reads_postgres_and_a_broker_from_the_environment():
    result = run_settings(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://u:p@db:5432/eldercare",
        CELERY_BROKER_URL="redis://redis:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_the_production_settings_pass_the_deploy_check():
    """``manage.py check --deploy`` with production settings from the environment: no
    warning at all (secure cookies, HSTS, SSL redirect, a real key)."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "a-production-key-of-fifty-characters-or-more-0123456789abcdef",
        "ALLOWED_HOSTS": "eldercare.example.org",
    }
    env.pop("SECURE_SSL_REDIRECT", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests set it; production never
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
