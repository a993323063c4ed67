"""Time the API and pages in-process (Django's test client: the whole middleware stack, no
network), on the database the settings point at. Prints per endpoint: requests, median, p95,
mean and the number of SQL queries of one request."""

from __future__ import annotations

import logging
import statistics

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from demo import accounts as demo_accounts
from loadtest.timing import p95, wall_times_ms

BUREAU = demo_accounts.BUREAU.username
STAFF = demo_accounts.STAFF_BAIMA.username

# (label, username, path)
ENDPOINTS = [
    ("regions: townships", BUREAU, "/api/v1/regions/?level=township&page_size=100"),
    ("regions: all villages", BUREAU, "/api/v1/regions/?level=village&page_size=500"),
    ("regions: 1 500 groups", BUREAU, "/api/v1/regions/?level=group&page_size=500&page=2"),
    ("regions: one village", STAFF, "/api/v1/regions/500156101201/"),
    ("regions: other township (404)", STAFF, "/api/v1/regions/500156208200/"),
    ("seniors: district, 50/page", BUREAU, "/api/v1/seniors/"),
    ("seniors: district, 500/page", BUREAU, "/api/v1/seniors/?page_size=500"),
    ("seniors: township, disabled", STAFF, "/api/v1/seniors/?disabled=true"),
    ("seniors: eligible for subsidy", BUREAU, "/api/v1/seniors/?allowance=service_subsidy"),
    ("seniors: not visited 30 days", STAFF, "/api/v1/seniors/?not_visited_days=30"),
    ("visits: district, 100/page", BUREAU, "/api/v1/visits/?page_size=100"),
    ("facilities: district, 100/page", BUREAU, "/api/v1/facilities/?page_size=100"),
    ("pairings: overdue, township", STAFF, "/api/v1/pairings/?overdue=true"),
    ("pairing gaps: district", BUREAU, "/api/v1/pairing-gaps/"),
    ("service logs: township", STAFF, "/api/v1/timebank/service-logs/"),
    ("time bank: earned vs redeemed", BUREAU, "/api/v1/timebank/summary/"),
    ("page: district", BUREAU, "/"),
    ("page: pairings, township", STAFF, "/pairings/"),
    ("page: ledger, township", STAFF, "/seniors/"),
    ("page: ledger, district filter", BUREAU, "/seniors/?living_situation=alone&high_age=true"),
    ("page: facilities, district", BUREAU, "/facilities/"),
    ("page: township", STAFF, "/regions/500156101000/"),
    ("healthz", None, "/healthz"),
]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")

    def handle(self, *args, **options):
        logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 row is expected
        n = options["requests"]
        clients: dict[str | None, Client] = {None: Client()}
        for username in {u for _, u, _ in ENDPOINTS if u}:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"user {username} is missing: run the demo set-up first")
            clients[username] = Client()
            clients[username].force_login(user)

        self.stdout.write(
            f"{'endpoint':<34} {'status':>6} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'mean ms':>8} {'queries':>7}"
        )
        for label, username, path in ENDPOINTS:
            client = clients[username]
            with CaptureQueriesContext(connection) as ctx:
                status = client.get(path).status_code
            queries = len(ctx.captured_queries)
            timings = wall_times_ms(client, path, n)
            self.stdout.write(
                f"{label:<34} {status:>6} {n:>5} {statistics.median(timings):>8.2f} "
                f"{p95(timings):>8.2f} {statistics.fmean(timings):>8.2f} {queries:>7}"
            )
        self.stdout.write(f"database: {connection.vendor}")
