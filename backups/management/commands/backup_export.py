"""Write everything needed to rebuild the system into one gzipped file (see backups/archive.py):
every app's rows with their keys, history tables, users with password hashes, the beat
schedules; not sessions, API tokens or caches. The file is created readable by its owner only.
The first line is a manifest: Django version, applied migrations, rows per table, the time
bank's totals."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from backups import archive


class Command(BaseCommand):
    help = "Export every table needed to rebuild the system into one .jsonl.gz file."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="where to write (default var/backups/eldercare-YYYYmmdd-HHMMSS.jsonl.gz)",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, path=None, database="default", **options):
        started = time.perf_counter()
        result = archive.export(path or archive.default_path(), using=database)
        ledger = result.manifest["ledger"]
        self.stdout.write(
            f"{result.path}: {result.rows} rows from {len(result.manifest['counts'])} tables, "
            f"{result.bytes / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s; time bank: "
            f"{ledger['movements']} movements, {ledger['hours_moved']} h moved, "
            f"entries sum {ledger['entries_sum']}"
        )
        if ledger["books_problems"]:
            self.stderr.write(f"The time bank's books do not balance: {ledger['books_problems']}")
