"""One file that holds everything needed to rebuild the system, and its restore.

The file is gzipped JSON Lines: the first line is the manifest (format, Django version, the
applied migrations, rows per table, the time bank's totals), every other line one row in
Django's ``jsonl`` serialisation with its primary key. It is written in one read transaction
(PostgreSQL: ``REPEATABLE READ``), so the manifest and the rows are the same moment.

What is in it: every concrete model of every installed app, history tables, users with their
password hashes, the admin's log, django-axes' logs, django-celery-beat's schedules, content
types and permissions; the rows of many-to-many tables inside their owners. What is not:
sessions and API tokens (people and phones log in again: a token lives hours, a backup years,
and a file of digests is one more thing to guard; a restore also clears those of the database
it loads into), and django-celery-beat's change tracker (a single row that the scheduler
rewrites itself); nothing is read from the cache. The file is
created readable by its owner only (0600), whatever the umask: it holds password hashes and
everyone's personal data.

Restoring into an empty database migrated to the same state
----------------------------------------------------------------
``migrate`` does not leave a database empty: content types and permissions (post_migrate) and
the data migrations (coverage indicators, targets and plan; nursing-home basic indicators; the
time bank's system accounts; the beat schedule) write rows, whose keys would collide with the
dump's. The restore keeps every primary key as it was in the dump, so every reference stays
exact, generic ones too (the admin's log stores content-type ids and object ids as values);
inside its one transaction it first empties every table it is about to fill (only those
seeded rows can be there, checked before) and then loads the dump. Natural keys were the
other way; they were not chosen: a user's natural key breaks on history rows of deleted users
(their ids dangle by design), and a dump that renumbers content types would leave generic
references pointing at the wrong models.

Rows are inserted in batches as raw rows (as ``loaddata`` does, ``auto_now`` fields keep their
dumped values) without model signals: no history rows, no dirty townships, no beat tracker
updates are made by the restore itself. PostgreSQL's sequences are set past the highest key
afterwards. Then the counts per table and the time bank's totals are checked against the
manifest; any difference rolls the whole restore back.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
import platform
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, Sum
from django.utils import timezone

from volunteers.ledger import books_balance
from volunteers.models import Account, Entry, Movement

FORMAT = "eldercare-backup/1"
# the rows that log someone in: sessions (the key in a cookie is a login) and API tokens (kept
# as digests, but a restore must not bring back one revoked since the backup). No backup holds
# them, this file nor the nightly pg_dump (docker/pg-backup.sh leaves out their tables' rows),
# and a restore clears them: people and phones log in again.
LOGINS = frozenset({"sessions.session", "knox.authtoken"})
# never exported: the logins, the beat scheduler's change tracker (one row the scheduler's own
# signals write when schedules are saved) and the coverage engine's staged tallies (a run in
# progress; it is run again)
EXCLUDED = LOGINS | frozenset({"django_celery_beat.periodictasks", "coverage.leaf"})
# tables that ``migrate`` fills by itself (post_migrate: content types, permissions; the data
# migrations of coverage, facilities, volunteers and the beat schedule; the history of those
# rows, should they have been seeded again through the models) and django-axes' login logs (a
# failed login on the new, user-less system writes them): rows there do not make a database
# "not empty", and the restore replaces them; every other table must be empty before a restore.
SEEDED = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "coverage.indicator",
        "coverage.historicalindicator",
        "coverage.target",
        "coverage.historicaltarget",
        "coverage.plan",
        "coverage.historicalplan",
        "facilities.basicindicator",
        "facilities.historicalbasicindicator",
        "volunteers.account",
        "django_celery_beat.crontabschedule",
        "django_celery_beat.intervalschedule",
        "django_celery_beat.solarschedule",
        "django_celery_beat.clockedschedule",
        "django_celery_beat.periodictask",
        "django_celery_beat.periodictasks",
        "axes.accessattempt",
        "axes.accessattemptexpiration",
        "axes.accesslog",
        "axes.accessfailurelog",
    }
)
# the migrations that run code: the data migrations whose rows SEEDED covers, and three that
# add no rows (one drops the old token table, one makes the staging table unlogged, one masks
# the numbers kept on imports done with)
# (tests/test_backup_restore.py checks that there are no others)
DATA_MIGRATIONS = frozenset(
    {
        ("accounts", "0004_drop_drf_authtoken"),
        ("coverage", "0002_targets_2022"),
        ("coverage", "0003_beat_schedule"),
        ("coverage", "0006_counting_rules_2022"),
        ("coverage", "0007_indicator_parameters"),
        ("coverage", "0011_monthly_report_beat_schedule"),
        ("coverage", "0012_staged_leaves"),
        ("facilities", "0002_basic_indicators"),
        ("seniors", "0003_dated_categories_and_doctor_contracts"),
        ("seniors", "0009_imports_done_with_keep_no_numbers"),
        ("volunteers", "0002_system_accounts"),
    }
)
CHUNK = 2000
CENT = Decimal("0.01")


class BackupError(Exception):
    """The file or the database is not fit for the operation; the message says why."""


def _concrete(model) -> bool:
    meta = model._meta
    return meta.managed and not meta.proxy and not meta.swapped


def exported_models() -> list:
    """The models whose rows are written, in the order of the installed apps."""
    return [m for m in apps.get_models() if _concrete(m) and m._meta.label_lower not in EXCLUDED]


def login_models() -> list:
    """The models whose rows log someone in (``LOGINS``)."""
    return [apps.get_model(label) for label in sorted(LOGINS)]


def counted_models() -> list:
    """The exported models and their automatic many-to-many tables: what the manifest counts."""
    exported = set(exported_models())
    result = []
    for model in apps.get_models(include_auto_created=True):
        if model in exported:
            result.append(model)
        elif model._meta.auto_created and _concrete(model):
            owner = model._meta.auto_created
            if owner in exported:
                result.append(model)
    return result


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def ledger_totals(using: str = "default") -> dict:
    """The time bank's figures a restore must give back: movements, hours moved, the sum of all
    entries (zero in sound books), balances per kind of account, accounts whose cached balance
    differs from their entries."""
    movements = Movement.objects.using(using).aggregate(n=Count("pk"), hours=Sum("hours"))
    entries = Entry.objects.using(using).aggregate(n=Count("pk"), total=Sum("amount"))
    balances = {
        row["kind"]: _money(row["total"])
        for row in Account.objects.using(using)
        .values("kind")
        .annotate(total=Sum("balance"))
        .order_by("kind")
    }
    problems = books_balance() if using == "default" else {}
    return {
        "movements": movements["n"],
        "hours_moved": _money(movements["hours"]),
        "entries": entries["n"],
        "entries_sum": _money(entries["total"]),
        "balances_by_kind": balances,
        "books_problems": {k: _money(v) for k, v in sorted(problems.items())},
    }


def counts(using: str = "default") -> dict[str, int]:
    return {m._meta.label: m._base_manager.using(using).count() for m in counted_models()}


def applied_migrations(using: str = "default") -> dict[str, list[str]]:
    applied = defaultdict(list)
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        applied[app].append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def manifest(using: str = "default") -> dict:
    migrations = applied_migrations(using)
    return {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "django": django.get_version(),
        "python": platform.python_version(),
        "database": connections[using].vendor,
        "latest_migrations": {app: names[-1] for app, names in migrations.items()},
        "migrations": migrations,
        "counts": counts(using),
        "ledger": ledger_totals(using),
        "excluded": sorted(EXCLUDED),
    }


# --- export ------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    path: Path
    manifest: dict
    rows: int
    bytes: int


def _rows(model, using: str):
    queryset = model._base_manager.using(using).order_by("pk")
    m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    if m2m:
        queryset = queryset.prefetch_related(
            *(
                models.Prefetch(
                    name,
                    queryset=model._meta.get_field(name).related_model._base_manager.only("pk"),
                )
                for name in m2m
            )
        )
    return queryset.iterator(chunk_size=CHUNK)


PRIVATE = 0o600


@contextmanager
def _private_gzip(path: Path):
    """A new gzip text stream at ``path``, readable and writable by its owner only: the mode is
    given when the file is created and set again on the open file (the umask can only take bits
    away, and a left-over file would keep the mode it had)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with open(fd, "wb") as raw:
        os.fchmod(raw.fileno(), PRIVATE)
        with (
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as zipped,
            io.TextIOWrapper(zipped, encoding="utf-8") as out,
        ):
            yield out


def export(path: str | os.PathLike, using: str = "default") -> ExportResult:
    """Write the backup to ``path`` (through a temporary file beside it, renamed at the end, so a
    crash never leaves a file that looks whole)."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    connection = connections[using]
    connection.ensure_connection()
    outermost = not connection.in_atomic_block
    rows = 0
    try:
        with transaction.atomic(using=using):
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # one consistent picture of every table
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            header = manifest(using)
            with _private_gzip(partial) as out:
                out.write(json.dumps({"manifest": header}, ensure_ascii=False) + "\n")
                for model in exported_models():
                    serializers.serialize("jsonl", _rows(model, using), stream=out)
                    rows += header["counts"][model._meta.label]
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return ExportResult(path=path, manifest=header, rows=rows, bytes=path.stat().st_size)


# --- restore -----------------------------------------------------------------------------------


def read_manifest(path: str | os.PathLike) -> dict:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            first = stream.readline()
        header = json.loads(first)["manifest"]
    except FileNotFoundError:
        raise BackupError(f"No such file: {path}") from None
    except (OSError, EOFError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{path} is not a backup of this system ({error}).") from None
    if header.get("format") != FORMAT:
        raise BackupError(
            f"{path} has format {header.get('format')!r}; this version reads {FORMAT!r}."
        )
    return header


def migration_differences(header: dict, using: str = "default") -> list[str]:
    """What differs between the backup's applied migrations and the database's."""
    here = applied_migrations(using)
    there = header["migrations"]
    problems = []
    for app in sorted(set(here) | set(there)):
        missing = sorted(set(there.get(app, [])) - set(here.get(app, [])))
        extra = sorted(set(here.get(app, [])) - set(there.get(app, [])))
        if missing:
            problems.append(f"{app}: not applied here: {', '.join(missing)}")
        if extra:
            problems.append(f"{app}: applied here but not in the backup: {', '.join(extra)}")
    return problems


def data_present(using: str = "default") -> dict[str, int]:
    """Tables holding rows that ``migrate`` does not write (an empty database has none)."""
    found = {}
    for model in counted_models():
        if model._meta.label_lower in SEEDED:
            continue
        if model._base_manager.using(using).exists():
            found[model._meta.label] = model._base_manager.using(using).count()
    return found


@dataclass
class RestoreResult:
    manifest: dict
    counts: dict[str, int]
    ledger: dict
    rows: int
    warnings: list[str] = field(default_factory=list)


def _insert(model, objects: list, using: str) -> None:
    """Insert rows as they are (raw: ``auto_now`` fields keep their values; no signals)."""
    fields = model._meta.local_concrete_fields
    connection = connections[using]
    size = max(1, connection.ops.bulk_batch_size(fields, objects) or len(objects))
    manager = model._base_manager.using(using)
    for start in range(0, len(objects), size):
        manager._insert(objects[start : start + size], fields=fields, raw=True, using=using)


class _Loader:
    """Collects deserialised rows per model and writes them in batches."""

    def __init__(self, using: str):
        self.using = using
        self.current = None
        self.pending: dict = defaultdict(list)
        self.through: dict = defaultdict(list)
        self.rows = 0

    def add(self, deserialized) -> None:
        obj = deserialized.object
        model = type(obj)
        if model is not self.current:  # the dump is written table by table
            if self.current is not None:
                self.flush(self.current)
            self.current = model
        if model._meta.parents:  # multi-table inheritance: let Django write each table
            deserialized.save(using=self.using)
        else:
            self.pending[model].append(obj)
            if len(self.pending[model]) >= CHUNK:
                self.flush(model)
        for name, pks in (deserialized.m2m_data or {}).items():
            m2m = model._meta.get_field(name)
            through = m2m.remote_field.through
            source = m2m.m2m_field_name()
            target = m2m.m2m_reverse_field_name()
            self.through[through].extend(
                through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in pks
            )
        self.rows += 1

    def flush(self, model=None) -> None:
        for m in [model] if model else list(self.pending):
            if self.pending[m]:
                _insert(m, self.pending.pop(m), self.using)
        if model is None:
            for through, rows in self.through.items():
                through._base_manager.using(self.using).bulk_create(rows, batch_size=CHUNK)
            self.through.clear()


def restore(path: str | os.PathLike, using: str = "default") -> RestoreResult:
    """Load the backup at ``path`` into the empty database ``using``, in one transaction, and
    check it against the manifest; raises ``BackupError`` (nothing written) when it cannot."""
    header = read_manifest(path)
    warnings = []
    if header["django"] != django.get_version():
        warnings.append(
            f"The backup was written by Django {header['django']}, this is {django.get_version()}."
        )
    differences = migration_differences(header, using)
    if differences:
        raise BackupError(
            "The database is not migrated to the backup's state; migrate it to the same "
            "migrations first:\n  " + "\n  ".join(differences)
        )
    known = {m._meta.label: m for m in counted_models()}
    unknown = sorted(set(header["counts"]) - set(known))
    if unknown:
        raise BackupError(f"The backup has tables this version does not know: {unknown}")

    connection = connections[using]
    try:
        with transaction.atomic(using=using):
            present = data_present(using)
            if present:
                listed = ", ".join(f"{label} ({n})" for label, n in sorted(present.items()))
                raise BackupError(
                    "The database already holds data; restore only into an empty database "
                    "(create a new one and run `manage.py migrate`). Rows found in: " + listed
                )
            # the rows migrate wrote (content types, permissions, data migrations) make way
            # for the dump's own, with the dump's keys; no login made before the restore
            # outlives it (the restored users may have the keys its users had)
            for model in counted_models() + login_models():
                model._base_manager.using(using).all()._raw_delete(using)
            loader = _Loader(using)
            with gzip.open(path, "rt", encoding="utf-8") as stream:
                stream.readline()  # the manifest
                for deserialized in serializers.deserialize(
                    "jsonl", stream, using=using, ignorenonexistent=False
                ):
                    loader.add(deserialized)
            loader.flush()
            tables = [m._meta.db_table for m in counted_models()]
            connection.check_constraints(table_names=tables)
            sequences = connection.ops.sequence_reset_sql(no_style(), counted_models())
            if sequences:
                with connection.cursor() as cursor:
                    for sql in sequences:
                        cursor.execute(sql)
            restored = counts(using)
            expected = {label: restored.get(label, 0) for label in known}
            expected.update(header["counts"])
            wrong = {
                label: (n, restored.get(label, 0))
                for label, n in sorted(expected.items())
                if restored.get(label, 0) != n
            }
            if wrong:
                listed = ", ".join(
                    f"{label}: {a} in the backup, {b} restored" for label, (a, b) in wrong.items()
                )
                raise BackupError("The restored rows do not match the manifest: " + listed)
            ledger = ledger_totals(using)
            if ledger != header["ledger"]:
                raise BackupError(
                    "The time bank's totals do not match the manifest: "
                    f"backup {header['ledger']}, restored {ledger}"
                )
    except (EOFError, gzip.BadGzipFile, serializers.base.DeserializationError) as error:
        raise BackupError(f"{path} is damaged or cut short: {error}") from error
    finally:
        ContentType.objects.clear_cache()
    return RestoreResult(
        manifest=header, counts=restored, ledger=ledger, rows=loader.rows, warnings=warnings
    )


def default_path(now: datetime.datetime | None = None) -> Path:

    now = timezone.localtime(now)
    return Path(settings.BASE_DIR) / "var" / "backups" / f"eldercare-{now:%Y%m%d-%H%M%S}.jsonl.gz"
