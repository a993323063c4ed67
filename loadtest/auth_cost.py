"""What a token costs a request: the same endpoints, the same user, asked with the session
cookie and with an API token (django-rest-knox), interleaved request by request in one run so
that the machine's drift touches both alike. Prints the median CPU time and the queries of one
request for each, and the ratio token/session.

Usage (a database holding the demo; it only reads, plus one token per user)::

    .venv/bin/python -m loadtest.auth_cost --requests 300
"""

from __future__ import annotations

import argparse
import statistics
import time

from loadtest.timing import setup_script

# (label, who reads, path): the township's staff or the bureau of the demo accounts
ENDPOINTS = [
    ("seniors list, township", "staff", "/api/v1/seniors/?page_size=50"),
    ("seniors list, disabled", "staff", "/api/v1/seniors/?disabled=true"),
    ("one senior", "staff", None),  # filled in with a senior of the township
    ("service logs, township", "staff", "/api/v1/timebank/service-logs/"),
    ("coverage snapshots", "district", "/api/v1/coverage/snapshots/?level=township"),
    ("regions, one village", "staff", "/api/v1/regions/500156101201/"),
]


def main() -> None:
    setup_script(ALLOWED_HOSTS="testserver")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    from accounts.models import User
    from demo.accounts import BUREAU, STAFF_BAIMA
    from seniors.models import Senior

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per endpoint and mode")
    args = parser.parse_args()

    accounts = {"staff": STAFF_BAIMA.username, "district": BUREAU.username}
    by_name = User.objects.in_bulk(accounts.values(), field_name="username")
    if len(by_name) < 2:
        raise SystemExit("the demo accounts are missing: run the demo set-up first")
    users = {who: by_name[username] for who, username in accounts.items()}
    senior = Senior.objects.visible_to(users["staff"]).order_by("pk").first()
    endpoints = [
        (label, who, path or f"/api/v1/seniors/{senior.pk}/") for label, who, path in ENDPOINTS
    ]
    session, token = {}, {}
    for name, user in users.items():
        session[name] = Client()
        session[name].force_login(user)
        _, key = AuthToken.objects.create(user)
        token[name] = Client(HTTP_AUTHORIZATION=f"Token {key}")

    print(f"{'endpoint':28} {'session ms':>10} {'token ms':>9} {'ratio':>6} {'queries s/t':>11}")
    ratios = []
    for label, who, path in endpoints:
        cpu = {"session": [], "token": []}
        for client in (session[who], token[who]):  # warm both
            assert client.get(path).status_code == 200, (label, path)
        for _ in range(args.requests):
            for mode, client in (("session", session[who]), ("token", token[who])):
                started = time.process_time()
                client.get(path)
                cpu[mode].append(time.process_time() - started)
        queries = {}
        for mode, client in (("session", session[who]), ("token", token[who])):
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            queries[mode] = len(captured)
        s = statistics.median(cpu["session"]) * 1000
        t = statistics.median(cpu["token"]) * 1000
        ratios.append(t / s)
        print(
            f"{label:28} {s:10.2f} {t:9.2f} {t / s:6.2f} "
            f"{queries['session']:>5}/{queries['token']:<5}"
        )
    print(f"median ratio token/session: {statistics.median(ratios):.2f}")
    AuthToken.objects.filter(user__in=users.values()).delete()


if __name__ == "__main__":
    main()
