"""What the benchmarks share: Django set up for a script run on its own, and the timing of
repeated requests."""

from __future__ import annotations

import logging
import os
import time

import django
from django.db import reset_queries


def setup_script(**environ: str) -> None:
    """Django set up for a benchmark run as ``python -m loadtest.<name>``: the project's
    settings with a bench-only secret, plain http for the test client, and ``environ`` as
    further defaults; the expected 4xx answers are not logged."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("HTTPS", "0")  # the test client speaks plain http
    for name, value in environ.items():
        os.environ.setdefault(name, value)
    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)


def wall_times_ms(client, path: str, times: int) -> list[float]:
    """``times`` GETs of ``path`` by ``client``: the wall-clock milliseconds of each, sorted."""
    timings = []
    for _ in range(times):
        reset_queries()  # with DEBUG on, the log of queries does not grow over the run
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return timings


def p95(timings: list[float]) -> float:
    """The 95th percentile of sorted timings (the nearest rank below)."""
    return timings[max(0, int(len(timings) * 0.95) - 1)]
