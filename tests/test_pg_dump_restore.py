"""Production backups with PostgreSQL's own tools: the compose stack's backup script
(``docker/pg-backup.sh``) dumps the database in custom format, ``pg_restore`` loads the dump
into a new database, and the two databases hold the same rows per table and the same time-bank
totals — the checks the application's own export makes (``backups.archive``) — and no
session or API token (``backups.archive.LOGINS``) is in the dump.

Runs in CI's PostgreSQL pass (``services``); skipped where ``pg_dump`` is not installed,
unless ``REQUIRE_SERVICES=1`` says it must run."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from accounts.models import ApiToken
from backups import archive
from tests import factories as f
from tests.conftest import reseed_migration_rows
from volunteers import ledger

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_rows_after_module"),
]

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docker" / "pg-backup.sh"


@pytest.fixture
def tools():
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if not shutil.which(tool)]
    if missing:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {', '.join(missing)} not installed")
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install postgresql-client)")


def libpq_env(name: str) -> dict:
    """The environment that points libpq's tools at the test database's server."""
    s = connection.settings_dict
    env = {**os.environ, "PGDATABASE": name, "PGHOST": s["HOST"] or "127.0.0.1"}
    for key, var in (("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if s.get(key):
            env[var] = str(s[key])
    return env


@pytest.fixture
def restored_database():
    """A new, empty database beside the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


READ_BACK = """
import json, django
django.setup()
from accounts.models import ApiToken
from backups import archive
print(json.dumps({"counts": archive.counts(), "ledger": archive.ledger_totals()}))
"""


def read_back(name: str) -> dict:
    """Rows per table and the time bank's totals of database ``name``, read by the
    application in a process of its own (the test's connections stay on the test database)."""
    s = connection.settings_dict
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    url = f"postgres://{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}@{host}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-read-back"}
    env.pop("CELERY_BROKER_URL", None)
    env.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
    run = subprocess.run(
        [sys.executable, "-c", READ_BACK], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_nightly_dump_restores_with_every_row_and_the_books(
    tools, restored_database, regions, staff_baima, tmp_path
):
    reseed_migration_rows()
    helpers = [f.VolunteerFactory(village=regions["banqiao"]) for _ in range(3)]
    for n, helper in enumerate(helpers, start=1):
        account = ledger.account_for(helper)
        ledger.post_movement(
            kind="earn", source=ledger.system_account("earning"), target=account,
            hours=Decimal("2.5") * n, by=staff_baima, reference=f"claim:{n}",
        )  # fmt: skip
    ledger.post_movement(
        kind="redeem", source=ledger.account_for(helpers[2]),
        target=ledger.system_account("redemption"), hours=Decimal("4"), by=staff_baima,
    )  # fmt: skip
    for _ in range(4):
        f.SeniorFactory(village=regions["banqiao"])
    books = archive.ledger_totals()
    # 2.5 + 5 + 7.5 earned, 4 redeemed: four movements, 19 hours moved, books at zero
    assert (books["movements"], books["hours_moved"], books["entries_sum"]) == (4, "19.00", "0.00")
    before = archive.counts()

    dump = nightly_dump(tmp_path)
    assert dump.read_bytes()[:5] == b"PGDMP"  # the custom format
    assert dump.stat().st_mode & 0o777 == 0o600
    assert not list(dump.parent.glob("*.partial"))

    restore = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored_database, str(dump)],
        env=libpq_env(restored_database),
        capture_output=True,
        text=True,
    )
    assert restore.returncode == 0, restore.stderr

    restored = read_back(restored_database)
    assert restored["counts"] == before
    assert restored["ledger"] == books
    assert books["books_problems"] == {}


def nightly_dump(tmp_path):
    """The backup service's script run once on the test database: the one dump it writes."""
    dumps = tmp_path / "dumps"
    env = {**libpq_env(connection.settings_dict["NAME"]), "BACKUP_DIR": str(dumps)}
    run = subprocess.run(
        ["bash", str(SCRIPT)], env={**env, "BACKUP_ONCE": "1"}, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    [dump] = list(dumps.glob("*.dump"))
    return dump


def test_the_nightly_dump_holds_no_session_and_no_token(
    tools, restored_database, staff_baima, tmp_path
):
    session = SessionStore()
    session["_auth_user_id"] = str(staff_baima.pk)
    session.create()
    token, _key = ApiToken.objects.create(user=staff_baima)

    dump = nightly_dump(tmp_path)

    # the dump as SQL: the user is there, her session key and her token's digest are not
    sql = subprocess.run(
        ["pg_restore", "--file=-", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert "staff-baima" in sql
    assert session.session_key not in sql
    assert token.digest not in sql
    # restored, the tables are there and empty: everyone logs in again
    restore = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored_database, str(dump)],
        env=libpq_env(restored_database),
        capture_output=True,
        text=True,
    )
    assert restore.returncode == 0, restore.stderr
    rows = subprocess.run(
        ["psql", "--no-psqlrc", "--tuples-only", "--no-align", "--command",
         "SELECT (SELECT count(*) FROM django_session), (SELECT count(*) FROM knox_authtoken),"
         " (SELECT count(*) FROM accounts_user)"],
        env=libpq_env(restored_database), capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert rows == "0|0|1"


def test_retention_deletes_dumps_older_than_the_kept_days_only(tools, tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    name = connection.settings_dict["NAME"]
    old = dumps / f"{name}-20260101-013000.dump"
    recent = dumps / f"{name}-20261125-013000.dump"
    other = dumps / "notes.txt"
    for path, days in ((old, 20), (recent, 5), (other, 400)):
        path.write_bytes(b"x")
        stamp = path.stat().st_mtime - days * 86400
        os.utime(path, (stamp, stamp))
    env = {**libpq_env(name), "BACKUP_DIR": str(dumps), "BACKUP_KEEP_DAYS": "14"}
    run = subprocess.run(
        ["bash", str(SCRIPT)], env={**env, "BACKUP_ONCE": "1"}, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert not old.exists()
    assert recent.exists() and other.exists()
    assert len(list(dumps.glob(f"{name}-*.dump"))) == 2  # the recent one and tonight's
