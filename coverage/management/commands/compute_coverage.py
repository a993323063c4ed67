"""Compute the coverage snapshots now, in this process: one day, or every month since the plan
(``--backfill``: the month ends since 2021-05 and today, as the demo does)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand

from coverage import cache
from coverage.compute import compute
from coverage.services import month_ends
from eldercare.commands import day_option

PLAN_STARTED = datetime.date(2021, 5, 25)


class Command(BaseCommand):
    help = "Compute coverage snapshots for a day, or every month end since the plan (--backfill)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="as of this day (YYYY-MM-DD); default today")
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="every month end since 2021-05 up to the day, then the day itself",
        )
        parser.add_argument(
            "--township", action="append", default=[], help="only this township (code); repeatable"
        )

    def handle(self, *args, **options):
        day = day_option(options["date"])
        days = month_ends(PLAN_STARTED, day) if options["backfill"] else [day]
        total_rows, total_seconds = 0, 0.0
        for on in days:
            result = compute(on, townships=options["township"] or None)
            cache.invalidate(result.townships)
            total_rows += result.rows
            total_seconds += result.seconds
            self.stdout.write(
                f"{on}: {result.rows} snapshot rows for {result.regions} regions, "
                f"{result.queries} queries, {result.seconds:.2f} s"
            )
        if len(days) > 1:
            self.stdout.write(f"{len(days)} days, {total_rows} rows, {total_seconds:.1f} s in all")
