"""What a coverage answer from the cache costs beside the bare view (``loadtest/bare.py``):
the same process, the same middleware, requests interleaved one by one so that the machine's
drift touches every row alike. Prints the median CPU time of one request (``process_time``),
its queries, and each row's ratio to the bare view; the last line is the district page's.

Rows: the bare view as the load test asks it (no login) and with a session cookie; the
district, township and village overview, the trends, the big screen, the Excel file and the
snapshots API from the cache; and the district page and the snapshots list built anew on every
request (the cache of answers misses on purpose), to show what the cache saves.

Usage (a database holding the demo; it only reads, plus the session of the logged-in client)::

    .venv/bin/python -m loadtest.page_cost --requests 300
    .venv/bin/python -m loadtest.page_cost --cache-url redis://127.0.0.1:6379/5  # shared cache

From another script with Django set up (``loadtest/run.py``, once gunicorn has stopped, so
that the measure has the CPU to itself)::

    from loadtest import page_cost
    ratio = page_cost.measure(requests=200, cache_url=args.cache_url)  # prints the table
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager, nullcontext

from loadtest.timing import setup_script

BARE = "/bench/bare/"
HOST = "testserver"


@contextmanager
def _bare_route():
    """The bare view's route exists only with ``BENCH_BARE_VIEW=1``: when the URLs were loaded
    without it, it is switched on in this process while the measure runs, then off again."""
    from django.urls import clear_url_caches, path

    from loadtest import bare

    if bare.urlpatterns:
        yield
        return
    bare.urlpatterns[:] = [path("bare/", bare.bare, name="bare")]
    clear_url_caches()
    try:
        yield
    finally:
        bare.urlpatterns[:] = []
        clear_url_caches()


def _client(**extra):
    from django.conf import settings
    from django.test import Client

    return Client(HTTP_HOST=HOST, secure=settings.SECURE_SSL_REDIRECT, **extra)


class _Missing:
    """The cache with every answer missing (the tokens are read as usual)."""

    def __init__(self, real):
        self._real = real

    def get(self, key, default=None):
        return default

    def set(self, *args, **kwargs) -> None:
        pass

    def __getattr__(self, name):
        return getattr(self._real, name)


@contextmanager
def _not_cached():
    from coverage import cache as answers

    real = answers.cache
    answers.cache = _Missing(real)
    try:
        yield
    finally:
        answers.cache = real


def _rows(user) -> list[tuple[str, object, str, object]]:
    """(label, client, path, the context each request is made in)."""
    from coverage.models import Snapshot
    from regions.models import Level, Region

    district = Region.objects.filter(level=Level.DISTRICT).order_by("code").first()
    if district is None:
        raise SystemExit("no regions: run the demo set-up first")
    township = Region.objects.filter(code="500156101000").first() or (
        Region.objects.filter(level=Level.TOWNSHIP, parent=district).order_by("code").first()
    )
    counted = Snapshot.objects.filter(region__parent=township, region__level=Level.VILLAGE)
    village = counted.order_by("region_id").values_list("region_id", flat=True).first()
    anonymous, logged_in = _client(), _client()
    logged_in.force_login(user)
    api = _client(HTTP_ACCEPT="application/json")
    api.force_login(user)
    page = f"/coverage/{district.code}/"
    snapshots = "/api/v1/coverage/snapshots/"
    return [
        ("bare view (no login)", anonymous, BARE, nullcontext),
        ("bare view (logged in)", logged_in, BARE, nullcontext),
        ("district page, cached", logged_in, page, nullcontext),
        ("township page, cached", logged_in, f"/coverage/{township.code}/", nullcontext),
        ("village page, cached", logged_in, f"/coverage/{village}/", nullcontext),
        ("trends, cached", logged_in, f"{page}trends/", nullcontext),
        ("big screen, cached", logged_in, f"{page}screen/", nullcontext),
        ("Excel, cached", logged_in, f"{page}export.xlsx", nullcontext),
        ("snapshots API, cached", api, snapshots, nullcontext),
        ("district page, not cached", logged_in, page, _not_cached),
        ("snapshots API, not cached", api, snapshots, _not_cached),
    ]


def measure(*, requests: int = 300, username: str = "", cache_url: str = "", out=print) -> float:
    """Time every row ``requests`` times, interleaved; print the table; return the cached
    district page's CPU per request over the bare view's (no login). ``username``: the account
    that reads (default: the demo bureau). ``cache_url``: measure with that Redis as the cache
    instead of the process's own."""
    from django.conf import settings
    from django.test.utils import override_settings

    from accounts.models import User
    from demo.accounts import BUREAU

    username = username or BUREAU.username
    user = User.objects.filter(username=username).first()
    if user is None:
        raise SystemExit(f"no user {username!r}: run the demo set-up first")
    caches = settings.CACHES
    if cache_url:
        backend = "django.core.cache.backends.redis.RedisCache"
        caches = {"default": {"BACKEND": backend, "LOCATION": cache_url}}
    hosts = [*settings.ALLOWED_HOSTS, HOST]  # the test client's host
    with override_settings(ALLOWED_HOSTS=hosts, CACHES=caches), _bare_route():
        return _measure(_rows(user), requests, out)


def _measure(rows, requests: int, out) -> float:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu: dict[str, list[float]] = {label: [] for label, *_ in rows}
    queries, size = {}, {}
    for label, client, path, context in rows:  # warm: the cached rows' entries are made
        with context():
            response = client.get(path)
        assert response.status_code == 200, (label, path, response.status_code)
    for label, client, path, context in rows:  # one request's queries
        with context(), CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        queries[label], size[label] = len(captured), len(response.content)
    for _ in range(requests):
        for label, client, path, context in rows:
            with context():
                started = time.process_time()
                client.get(path)
                cpu[label].append(time.process_time() - started)
    median = {label: statistics.median(times) * 1000 for label, times in cpu.items()}
    bare = median["bare view (no login)"]
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    out(f"{requests} requests a row, interleaved; cache backend {backend}; {connection.vendor}")
    out(f"{'request':28} {'CPU ms':>7} {'x bare':>7} {'queries':>8} {'bytes':>8}")
    for label, *_ in rows:
        out(
            f"{label:28} {median[label]:7.2f} {median[label] / bare:7.2f} "
            f"{queries[label]:>8} {size[label]:>8}"
        )
    ratio = median["district page, cached"] / bare
    out(f"cached page ratio to bare view: {ratio:.2f}")
    return ratio


def main() -> None:
    setup_script(BENCH_BARE_VIEW="1")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per row")
    parser.add_argument("--user", default="", help="the account that reads (the demo bureau)")
    parser.add_argument("--cache-url", default="", help="redis://...: that cache, not CACHE_URL")
    args = parser.parse_args()
    measure(requests=args.requests, username=args.user, cache_url=args.cache_url)


if __name__ == "__main__":
    main()
