"""Backup and restore (backups/archive.py, ``backup_export`` and ``backup_restore``): a small
world is exported, the database is emptied to what a fresh ``migrate`` leaves (content types
renumbered), restored, and compared table by table and by the time bank's totals; new rows
can be written afterwards (PostgreSQL's sequences); a database with data, another migration
state, a damaged file or a manifest that does not match are refused with nothing written."""

import datetime
import gzip
import importlib
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL

from accounts.models import ApiToken
from backups import archive
from coverage.compute import compute
from coverage.models import Snapshot, Target
from seniors.models import Senior
from tests import factories as f
from tests.conftest import PASSWORD
from volunteers import ledger
from volunteers.models import Movement

DAY = datetime.date(2026, 11, 29)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def world(regions, bureau, staff_baima, volunteer, zhang, liu, today):
    """Seniors, a facility with beds and the villages it serves, a volunteer who earned and
    spent hours, snapshots of two days, a target the bureau changed (history), an API token
    (which the backup leaves out), a group of users, an admin log entry (a generic reference
    by content-type id)."""
    for _ in range(3):
        f.SeniorFactory(village=regions["banqiao"])
    f.AssessmentFactory(senior=zhang, bathing=0, total=95)
    home = f.FacilityFactory(region=regions["baima"])
    home.served_regions.add(regions["banqiao"], regions["tiefosi"])
    f.beds(home, 4)
    helper = f.VolunteerFactory(village=regions["banqiao"], user=volunteer)
    account = ledger.account_for(helper)
    ledger.post_movement(
        kind="earn", source=ledger.system_account("earning"), target=account,
        hours=Decimal("6.5"), by=staff_baima, reference="claim:1",
    )  # fmt: skip
    ledger.post_movement(
        kind="redeem", source=account, target=ledger.system_account("redemption"),
        hours=Decimal("2"), by=staff_baima,
    )  # fmt: skip
    target = Target.objects.filter(indicator__code="family_doctor_signed").first()
    target.value = Decimal("91")
    target._change_reason = "the bureau's new aim"
    target.save()
    compute(datetime.date(2026, 10, 31))
    compute(DAY)
    ApiToken.objects.create(user=bureau)
    Group.objects.create(name="审核组").user_set.add(staff_baima)
    LogEntry.objects.create(
        user=bureau, content_type=ContentType.objects.get_for_model(Senior),
        object_id=str(zhang.pk), object_repr=str(zhang), action_flag=CHANGE,
    )  # fmt: skip
    return regions


def fresh_database():
    """Empty every table, then write what ``migrate`` writes on a new database: content types
    and permissions (post_migrate) and the data migrations' rows. The seniors' content types
    are made again, so that their ids differ from the backup's."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # TRUNCATE refuses pending deferred checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    state = MigrationLoader(connection).project_state().apps  # models without signals
    for module, function in (
        ("coverage.migrations.0002_targets_2022", "create"),
        ("coverage.migrations.0003_beat_schedule", "create"),
        ("facilities.migrations.0002_basic_indicators", "add"),
        ("volunteers.migrations.0002_system_accounts", "open_accounts"),
    ):
        getattr(importlib.import_module(module), function)(state, None)
    ContentType.objects.filter(app_label="seniors").delete()
    ContentType.objects.clear_cache()
    create_contenttypes(apps.get_app_config("seniors"), verbosity=0)
    create_permissions(apps.get_app_config("seniors"), verbosity=0)
    ContentType.objects.clear_cache()


def test_a_migrated_database_counts_as_empty(db):
    """The tables ``migrate`` fills are all known to the restore: the test database was made by
    ``migrate``, and every data migration of the project is one whose tables the restore knows
    (a new one fails here until its tables are in ``archive.SEEDED``)."""
    assert archive.data_present() == {}
    ours = {c.label for c in apps.get_app_configs() if Path(c.path).parent == ROOT}
    assert {"seniors", "volunteers", "coverage"} <= ours
    with_data = {
        key
        for key, migration in MigrationLoader(connection).disk_migrations.items()
        if key[0] in ours
        and any(isinstance(op, (RunPython, RunSQL)) for op in migration.operations)
    }
    assert with_data == archive.DATA_MIGRATIONS


def test_the_round_trip_gives_back_every_row_and_the_books(world, tmp_path, bureau):
    before = archive.counts()
    books = archive.ledger_totals()
    assert books["movements"] == 2 and books["hours_moved"] == "8.50"
    assert books["entries_sum"] == "0.00" and books["books_problems"] == {}
    senior_type = ContentType.objects.get_for_model(Senior).pk
    password_hash = bureau.password
    snapshots = sorted(Snapshot.objects.values_list("date", "region_id", "indicator_id", "value"))

    path = tmp_path / "backup.jsonl.gz"
    exported = archive.export(path)
    assert exported.manifest["counts"] == before
    assert exported.manifest["ledger"] == books
    newest = MigrationLoader(connection).graph.leaf_nodes("volunteers")
    assert exported.manifest["migrations"]["volunteers"][-1] == newest[0][1]
    assert "sessions.Session" not in before
    assert "knox.AuthToken" not in before

    fresh_database()
    assert archive.data_present() == {}
    assert ContentType.objects.get_for_model(Senior).pk != senior_type
    restored = archive.restore(path)

    assert restored.counts == before
    assert archive.counts() == before
    assert archive.ledger_totals() == books
    assert ledger.books_balance() == {}
    assert ContentType.objects.get_for_model(Senior).pk == senior_type
    assert LogEntry.objects.get().get_edited_object().name == "张大爷"
    user = type(bureau).objects.get(username="bureau")
    assert user.password == password_hash and user.check_password(PASSWORD)
    assert not ApiToken.objects.exists()  # phones log in again
    assert sorted(Snapshot.objects.values_list("date", "region_id", "indicator_id", "value")) == (
        snapshots
    )
    assert Target.objects.get(indicator__code="family_doctor_signed", plan__isnull=False).value
    assert Group.objects.get(name="审核组").user_set.get().username == "staff-baima"
    assert (
        Target.objects.filter(indicator__code="family_doctor_signed")
        .first()
        .history.filter(history_change_reason="the bureau's new aim")
        .exists()
    )

    # new rows get new keys (PostgreSQL's sequences were moved past the restored rows)
    new = f.SeniorFactory(village=world["wenfeng"])
    assert new.pk > max(Senior.objects.exclude(pk=new.pk).values_list("pk", flat=True))
    helper = f.VolunteerFactory(village=world["wenfeng"])
    movement = ledger.post_movement(
        kind="earn", source=ledger.system_account("earning"), target=ledger.account_for(helper),
        hours=Decimal("1"), by=user,
    )  # fmt: skip
    assert movement.pk == Movement.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert ledger.books_balance() == {}
    assert compute(DAY).rows > 0
    ApiToken.objects.create(user=type(bureau).objects.get(username="staff-baima"))
    ContentType.objects.create(app_label="backups", model="anything")


def test_a_restore_clears_the_logins_of_the_database_it_loads_into(world, tmp_path, bureau):
    path = tmp_path / "backup.jsonl.gz"
    archive.export(path)
    fresh_database()
    # a login made on the new system before the restore, under a number a restored user has
    left = SessionStore()
    left["_auth_user_id"] = str(bureau.pk)
    left.create()

    archive.restore(path)

    assert not Session.objects.exists()
    assert not ApiToken.objects.exists()


def test_the_commands_export_and_restore_and_the_users_log_in_again(world, tmp_path, api):
    path = tmp_path / "via-commands.jsonl.gz"
    out = call_command("backup_export", str(path), stdout=_Sink())
    fresh_database()
    sink = _Sink()
    call_command("backup_restore", str(path), stdout=sink)
    assert "match the manifest" in sink.text, (out, sink.text)
    login = api.post(
        "/api/v1/auth/token/", {"username": "bureau", "password": PASSWORD}, secure=True
    )
    assert login.status_code == 200
    token = login.json()["token"]
    response = api.get("/api/v1/regions/", secure=True, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


def test_the_file_holds_no_token_and_only_its_owner_may_read_it(world, tmp_path):
    """Written 0600 whatever the umask (a permissive 000 here), also over a left-over file."""
    digest = ApiToken.objects.get().digest
    path = tmp_path / "private" / "backup.jsonl.gz"
    path.parent.mkdir()
    leftover = path.with_name(path.name + ".partial")
    leftover.write_bytes(b"old")
    leftover.chmod(0o666)
    old_umask = os.umask(0)
    try:
        archive.export(path)
        call_command("backup_export", str(tmp_path / "fresh" / "b.jsonl.gz"), stdout=_Sink())
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "fresh" / "b.jsonl.gz").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o700
    text = gzip.decompress(path.read_bytes()).decode()
    assert [line[:300] for line in text.splitlines() if digest in line] == []
    assert '"model": "knox.authtoken"' not in text
    assert "knox.authtoken" in json.loads(text.splitlines()[0])["manifest"]["excluded"]


def test_a_database_with_data_is_refused_and_left_alone(world, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    archive.export(path)
    before = archive.counts()
    with pytest.raises(archive.BackupError, match="already holds data"):
        archive.restore(path)
    assert archive.counts() == before
    with pytest.raises(CommandError, match="already holds data"):
        call_command("backup_restore", str(path))


def test_another_migration_state_is_refused(world, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    archive.export(path)
    _rewrite_manifest(path, lambda m: m["migrations"]["volunteers"].append("0003_later"))
    fresh_database()
    with pytest.raises(archive.BackupError, match="0003_later"):
        archive.restore(path)
    assert archive.data_present() == {}


def test_a_damaged_file_or_a_wrong_manifest_writes_nothing(world, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    archive.export(path)
    whole = path.read_bytes()
    fresh_database()
    seeded = archive.counts()

    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(archive.BackupError, match="damaged or cut short"):
        archive.restore(cut)
    assert archive.counts() == seeded

    _rewrite_manifest(path, lambda m: m["counts"].__setitem__("seniors.Senior", 99))
    with pytest.raises(archive.BackupError, match=r"seniors\.Senior: 99 in the backup, 5"):
        archive.restore(path)
    assert archive.counts() == seeded

    _rewrite_manifest(path, lambda m: m["counts"].__setitem__("seniors.Senior", 5))
    _rewrite_manifest(path, lambda m: m["ledger"].__setitem__("hours_moved", "9.00"))
    with pytest.raises(archive.BackupError, match="time bank"):
        archive.restore(path)
    assert archive.counts() == seeded

    not_a_backup = tmp_path / "other.gz"
    not_a_backup.write_bytes(gzip.compress(b'[{"model": "x"}]\n'))
    with pytest.raises(archive.BackupError, match="not a backup"):
        archive.restore(not_a_backup)


def _rewrite_manifest(path, change):
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        header = json.loads(stream.readline())
        rest = stream.read()
    change(header["manifest"])
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps(header, ensure_ascii=False) + "\n" + rest)


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
