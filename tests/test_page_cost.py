"""``loadtest.page_cost``: the cached coverage page's CPU beside the bare view's, in one run."""

import datetime

import pytest
from django.urls import Resolver404, resolve

from coverage.compute import compute
from loadtest import page_cost

pytestmark = pytest.mark.django_db


def test_it_prints_the_cached_pages_ratio_to_the_bare_view(bureau, regions, today):
    compute(datetime.date(2026, 11, 29))
    lines = []
    ratio = page_cost.measure(requests=2, username=bureau.username, out=lines.append)
    assert ratio > 0
    assert lines[-1] == f"cached page ratio to bare view: {ratio:.2f}"
    rows = {line.split("  ")[0] for line in lines[2:-1]}
    assert {"bare view (no login)", "district page, cached", "district page, not cached"} <= rows
    # the bare route was switched on for the measure only
    with pytest.raises(Resolver404):
        resolve("/bench/bare/")
