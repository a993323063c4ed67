"""Time the dashboard's pages as a user opens them, in this process (Django's test client, the
configured database): median and 95th percentile of the server time, and the queries of one
request. A benchmark to read, not a test: figures go to docs/performance.md."""

from __future__ import annotations

import statistics

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from accounts.models import User
from demo.accounts import BUREAU
from eldercare.querycount import QueryCounter
from loadtest.timing import p95, wall_times_ms
from regions.models import Level, Region

PAGES = (
    ("coverage overview", "/coverage/{district}/"),
    ("coverage township", "/coverage/{township}/"),
    ("coverage village", "/coverage/{village}/"),
    ("trends", "/coverage/{district}/trends/"),
    ("gap lists", "/coverage/{district}/gaps/"),
    ("big screen", "/coverage/{district}/screen/"),
    ("overview .xlsx", "/coverage/{district}/export.xlsx"),
)


class Command(BaseCommand):
    help = (
        f"Time the coverage pages for a user (default: {BUREAU.username}) on the configured "
        "database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", default=BUREAU.username)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, user, repeat, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user {user!r}: run create_demo_accounts first.")
        district = Region.objects.filter(level=Level.DISTRICT).order_by("code").first()
        township = Region.objects.filter(code="500156101000").first() or (
            Region.objects.filter(level=Level.TOWNSHIP).order_by("code").first()
        )
        village = Region.objects.filter(parent=township, level=Level.VILLAGE).order_by("code")
        names = {
            "district": district.code,
            "township": township.code,
            "village": village.first().code,
        }
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(account)
        self.stdout.write(
            f"{'page':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'bytes':>9}"
        )
        for label, pattern in PAGES:
            url = pattern.format(**names)
            client.get(url)  # warm
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
            times = wall_times_ms(client, url, repeat)
            self.stdout.write(
                f"{label:<20} {statistics.median(times):>10.1f} {p95(times):>8.1f} "
                f"{counter.count:>8} {len(response.content):>9}"
            )
