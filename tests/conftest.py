"""The cast every test shares: two townships of the real district and the people in them.

白马镇 (500156101) with 板桥村 and its groups and 铁佛寺社区; 后坪乡 (500156208) with
文凤村. Users: the bureau (district), staff of each township, an assistant and a volunteer in
板桥村, an outsider with no role, one with a role but no region, and an administrator.
"""

import datetime
import importlib
import os
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.db import connections, transaction
from rest_framework.test import APIClient

from accounts.models import Role
from conftest import CHROMIUM
from coverage.models import Indicator
from eldercare.celery import app
from regions.models import Kind
from volunteers import ledger
from volunteers.models import Account

from . import factories as f
from .helpers import earn
from .served import ON_POSTGRESQL, Gunicorn, InProcess

PASSWORD = "pw-for-tests"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Login throttles and lockout counters live in the cache; tests must not share them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def district(db):
    return f.district()


@pytest.fixture
def baima(district):
    return f.township(district, "500156101000", "白马镇")


@pytest.fixture
def houping(district):
    return f.township(district, "500156208000", "后坪苗族土家族乡", kind=Kind.TOWNSHIP)


@pytest.fixture
def banqiao(baima):
    return f.village(baima, "500156101201", "板桥村村民委员会")


@pytest.fixture
def tiefosi(baima):
    return f.village(
        baima, "500156101006", "铁佛寺社区居民委员会", kind=Kind.COMMUNITY, urban_rural_code="121"
    )


@pytest.fixture
def wenfeng(houping):
    return f.village(houping, "500156208200", "文凤村村民委员会")


@pytest.fixture
def banqiao_groups(banqiao):
    return [f.villager_group(banqiao, n) for n in (1, 2, 3)]


@pytest.fixture
def regions(district, baima, houping, banqiao, tiefosi, wenfeng, banqiao_groups):
    """The whole cast's map: 1 district, 2 townships, 3 villages, 3 groups (9 regions)."""
    return {
        "district": district,
        "baima": baima,
        "houping": houping,
        "banqiao": banqiao,
        "tiefosi": tiefosi,
        "wenfeng": wenfeng,
        "groups": banqiao_groups,
    }


@pytest.fixture
def bureau(regions):
    return f.UserFactory(
        username="bureau", role=Role.BUREAU, region=regions["district"], is_staff=True
    )


@pytest.fixture
def staff_baima(regions):
    return f.UserFactory(username="staff-baima", role=Role.TOWNSHIP_STAFF, region=regions["baima"])


@pytest.fixture
def staff_houping(regions):
    return f.UserFactory(
        username="staff-houping", role=Role.TOWNSHIP_STAFF, region=regions["houping"]
    )


@pytest.fixture
def assistant_baima(regions):
    return f.UserFactory(
        username="assistant-baima", role=Role.VILLAGE_ASSISTANT, region=regions["banqiao"]
    )


@pytest.fixture
def volunteer(regions):
    return f.UserFactory(username="volunteer-demo", role=Role.VOLUNTEER, region=regions["banqiao"])


@pytest.fixture
def operator_houping(regions):
    return f.UserFactory(
        username="operator-houping", role=Role.FACILITY_OPERATOR, region=regions["houping"]
    )


@pytest.fixture
def outsider(regions):
    """Logged in, but given neither role nor region."""
    return f.UserFactory(username="outsider", role="", region=None)


@pytest.fixture
def roleless_with_region(regions):
    return f.UserFactory(username="no-role", role="", region=regions["baima"])


@pytest.fixture
def admin_user(regions):
    return f.UserFactory(username="admin", role="", region=None, is_staff=True, is_superuser=True)


def module_data(django_db_blocker, build):
    """Data built once for a module's tests that only read it (the costly demo world), for a
    module-scoped fixture to ``yield from``: ``build()`` runs inside a transaction that is rolled
    back after the module's last test. Each test asking for ``db`` runs in a savepoint of that
    transaction, so what one test writes on top is gone before the next, in whatever order they
    run; between tests the database stays blocked as usual. Not for modules with transactional
    tests (their closing flush would empty the shared data)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            data = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(api):
    def login(user):
        api.force_authenticate(user=user)
        return api

    return login


# --- the seniors' ledger -------------------------------------------------------------------
# Valid ID numbers (GB 11643 check digits worked out by hand) and who they are.
ZHANG_ID = "500232194003011230"  # born 1940-03-01, male: 86 on 2026-11-29
LI_ID = "500232194607202468"  # born 1946-07-20, female: turned 80 on 2026-07-20
WANG_ID = "50023219300115011X"  # born 1930-01-15, male: 96
ALMOST_60_ID = "500232196612010312"  # born 1966-12-01: 59 on 2026-11-29, 60 two days later


@pytest.fixture
def today():
    """The suite's "today": 2026-11-29, 10:00 in Wulong."""
    moment = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield moment.date()


@pytest.fixture
def zhang(regions, today):
    """张大爷 of 板桥村 (白马镇), 86, living alone."""
    return f.SeniorFactory(
        id_number=ZHANG_ID,
        name="张大爷",
        sex="M",
        birth_date=f.datetime.date(1940, 3, 1),
        village=regions["banqiao"],
        living_situation="alone",
        registered_on=f.datetime.date(2021, 6, 1),
    )


@pytest.fixture
def liu(regions, today):
    """刘奶奶 of 文凤村 (后坪乡), 80."""
    return f.SeniorFactory(
        id_number=LI_ID,
        name="刘奶奶",
        sex="F",
        birth_date=f.datetime.date(1946, 7, 20),
        village=regions["wenfeng"],
        registered_on=f.datetime.date(2021, 6, 1),
    )


@pytest.fixture
def browser():
    """Debian's Chromium, headless, for the tests marked ``browser``."""
    # Playwright's sync API runs an event loop in this thread; the live server's database
    # work happens in its own thread, the test's own queries here are plain synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # imported here, not at the top: Playwright only when a browser test runs, and
    # tests.browser imports this module (PASSWORD)
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        # Playwright's event loop runs in this thread, so the test's queries had a database
        # connection of their own (Django keeps one per asyncio context); closed here, in that
        # context, or it would outlive the session and keep the test database from being dropped
        connections.close_all()
        chromium.close()


@pytest.fixture(scope="session")
def served_site(django_db_setup, django_db_blocker, collected_static):
    """The site over HTTP for the whole session (tests/served.py): gunicorn with production's
    settings on PostgreSQL, a thread of this process on the embedded default. Stopped before
    the test database is dropped."""
    site = Gunicorn(collected_static) if ON_POSTGRESQL else InProcess()
    with django_db_blocker.unblock():
        site.start()
    yield site
    site.stop()


@pytest.fixture
def server(request, transactional_db, served_site):
    """The served site's base URL as ``server.url``, for a test whose data is committed
    (transactional) so that the server sees it. A test that freezes the clock with ``today``
    freezes the site's too."""
    if "today" in request.fixturenames:
        request.getfixturevalue("today")
        served_site.set_clock(datetime.datetime.now(datetime.UTC))
    yield served_site
    served_site.set_clock(None)


def reseed_plan_rows():
    """Put back the plan's indicators and targets (a data migration's rows): a transactional
    test ends with a flush that empties them too."""
    if not Indicator.objects.exists():
        importlib.import_module("coverage.migrations.0002_targets_2022").create(apps, None)
        importlib.import_module("coverage.migrations.0006_counting_rules_2022").forward(apps, None)
        importlib.import_module("coverage.migrations.0007_indicator_parameters").write_defaults(
            apps, None
        )


def reseed_migration_rows():
    """The rows the data migrations wrote (the plan's indicators and targets, the time bank's
    system accounts), put back after a transactional test's closing flush emptied them."""
    reseed_plan_rows()
    for kind in ("earning", "redemption", "expiry", "fund"):
        Account.objects.get_or_create(kind=kind, volunteer=None)


@pytest.fixture
def migration_rows(transactional_db):
    """The data migrations' rows, for a transactional test that needs them."""
    reseed_migration_rows()


@pytest.fixture(scope="module")
def migration_rows_after_module(django_db_setup, django_db_blocker):
    """A module of transactional tests leaves the data migrations' rows for the modules after
    it (its last test's flush empties them)."""
    yield
    with django_db_blocker.unblock():
        reseed_migration_rows()


@pytest.fixture
def plan_rows(transactional_db):
    """The plan's indicators and targets, for transactional tests (browser, services)."""
    reseed_plan_rows()


@pytest.fixture
def eager():
    """Celery tasks run in the test's process, whatever broker this pass has (the PostgreSQL
    pass has a real one)."""
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


# --- the volunteers' side ------------------------------------------------------------------


@pytest.fixture
def books_stay_balanced():
    """After the test, the time bank's books balance (every movement's two sides agree)."""
    yield
    assert ledger.books_balance() == {}


@pytest.fixture
def helper(regions, volunteer):
    """李志愿 of 板桥村, the volunteer the ``volunteer`` login speaks for."""
    return f.VolunteerFactory(village=regions["banqiao"], user=volunteer, name="李志愿")


@pytest.fixture
def helper_account(helper):
    """李志愿's time-bank account, holding 5 h."""
    account = ledger.account_for(helper)
    earn(account, "5")
    return account


@pytest.fixture
def rice(regions):
    """大米 at 板桥村's supermarket: 2 hours a bag, 3 bags in stock."""
    return f.CatalogueItemFactory(
        region=regions["banqiao"], name="大米", hours_price=Decimal("2"), stock=3
    )


# --- facilities ----------------------------------------------------------------------------


@pytest.fixture
def home(regions, today):
    """白马镇敬老院, a nursing home of 白马镇 with no beds."""
    return f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])


@pytest.fixture
def operator_baima(regions, home):
    """Runs 白马镇敬老院 (``home``), and only that."""
    user = f.UserFactory(
        username="operator-baima", role=Role.FACILITY_OPERATOR, region=regions["baima"]
    )
    home.operators.add(user)
    return user


@pytest.fixture
def home_with_two_beds(home):
    """白马镇敬老院 with 2 ordinary beds: the ``home`` of the tests that admit residents."""
    f.beds(home, 2)
    return home


@pytest.fixture
def home_houping(regions, today):
    """后坪乡敬老院, a nursing home of 后坪乡 with no beds."""
    return f.FacilityFactory(name="后坪乡敬老院", region=regions["houping"])
