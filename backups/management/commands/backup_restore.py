"""Restore a file written by ``backup_export`` into an EMPTY database migrated to the same state
(``manage.py migrate`` first, nothing else): one transaction; the counts per table and the time
bank's totals are checked against the manifest before it commits. Stop the web, worker and beat
processes while it runs. See backups/archive.py for how the rows that ``migrate`` writes are
handled."""

from __future__ import annotations

import time

from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError

from backups import archive


class Command(BaseCommand):
    help = "Restore a backup_export file into an empty, migrated database and verify it."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a file written by backup_export")
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--keep-cache",
            action="store_true",
            help="do not clear the cache afterwards (by default it is cleared: it describes "
            "the database before the restore)",
        )

    def handle(self, *args, path, database="default", keep_cache=False, **options):
        started = time.perf_counter()
        try:
            result = archive.restore(path, using=database)
        except archive.BackupError as error:
            raise CommandError(str(error)) from error
        for warning in result.warnings:
            self.stderr.write(warning)
        if not keep_cache:
            caches["default"].clear()
        ledger = result.ledger
        self.stdout.write(
            f"Restored {result.rows} rows into {len(result.counts)} tables from {path} "
            f"(written {result.manifest['created_at']}) in {time.perf_counter() - started:.1f} s; "
            f"counts and time-bank totals match the manifest ({ledger['movements']} movements, "
            f"{ledger['hours_moved']} h moved)."
        )
