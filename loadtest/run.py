"""Run the load test end to end and print the table.

Usage (a throwaway PostgreSQL database with the demo in it; the run writes to it)::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/eldercare_load
    .venv/bin/python -m loadtest.run --users 20 --duration 60 --isolated 20 --floors 20

What it does, in one run on one gunicorn:

1. prepares accounts: tokens for the township staff (made here, so the token endpoint's
   per-address throttle and django-axes play no part), fresh volunteer accounts for each pass
   (so their claims never overlap earlier runs'), the ID numbers already in use;
2. starts gunicorn (``--workers``, sync, ``DEBUG=0``, a random ``SECRET_KEY``, Redis cache,
   ``BENCH_BARE_VIEW=1``) and waits for ``/healthz``;
3. pass ``bare``: every user asks ``GET /bench/bare/`` (``loadtest/bare.py``): the floor;
4. with ``--isolated N``: each app endpoint alone for N s, the same users, so its throughput
   stands beside the bare view's;
4b. with ``--floors N``: each key endpoint alone for N s, then its floor view
   (``loadtest/floors.py``, the same JSON with the leanest code) alone for N s, the same users
   and requests; prints ``floor ratio <endpoint>: X``, the gunicorn CPU per request of the app
   ÷ the floor's;
5. pass ``mixed``: staff, volunteers (20 % of claims sent twice) and the bureau together, plus
   one probe of the bare view;
6. stops gunicorn and runs the check (``loadtest/check.py``); prints ``cached page ratio to bare
   view (gunicorn): X`` from the ``coverage_page`` pass, and (``--page-cost N``, default 200)
   times every answer of the coverage cache in-process beside the bare view
   (``loadtest/page_cost.py``: ``cached page ratio to bare view: X``);
7. prints the table and writes ``summary.md`` and locust's CSV files into ``--out``.

Locust and gunicorn share the machine: on a small one the load generator takes part of the CPU
the server would have, which lowers every figure, the bare view's most.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "loadtest" / "locustfile.py"
BIN = Path(sys.executable).parent

# (pass name, locust user classes, tags or None for all the classes' tasks)
ISOLATED = [
    ("seniors_list", ["StaffUser"], "seniors_list"),
    ("seniors_register", ["StaffUser"], "seniors_register"),
    ("claim_post", ["VolunteerUser"], "claim_post"),
    ("coverage_page", ["BureauUser"], "coverage_page"),
    ("coverage_api", ["BureauUser"], "coverage_api"),
]
# (endpoint, locust user classes, tag): each run against the app, then against its floor
FLOOR_PAIRS = [
    ("seniors_list", ["StaffUser"], "seniors_list"),
    ("seniors_register", ["StaffUser"], "seniors_register"),
    ("claim_post", ["VolunteerUser"], "claim_post"),
    ("claim_verify", ["StaffUser"], "claim_verify"),
    ("snapshots", ["SnapshotUser"], "snapshots"),
]
# claims submitted beforehand for each verify pass, per second of the pass (more than the
# server verifies: a pass that runs out measures fewer requests, not a wrong figure)
VERIFY_CLAIMS_PER_SECOND = 120
MIXED_CLASSES = ["StaffUser", "VolunteerUser", "BureauUser", "BareProbe"]
NOT_APP = ("GET /bench/bare/", "GET /login/", "POST /login/", "CHECK", "Aggregated")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


_tokens: dict[str, str] = {}


def token_of(user) -> str:
    """One token per account for the whole run, as a phone has one: a token per pass would pile
    them up, and knox's own check (before ``api.authentication``) read every token of the user
    at each request, which made the later passes dearer."""
    from accounts.models import ApiToken

    if user.username not in _tokens:
        _tokens[user.username] = ApiToken.objects.create(user=user)[1]
    return _tokens[user.username]


def submitted_claims(accounts: list[dict], count: int, today: datetime.date) -> dict:
    """``count`` claims submitted by the volunteers of ``accounts`` (half-hour services, none
    overlapping), for the staff to verify: township prefix → claim ids. Written in bulk: the
    verify pass measures the verification, and the claims' rules are not what it verifies."""
    import uuid
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    from volunteers.models import ServiceLog, Volunteer

    local = ZoneInfo(settings.TIME_ZONE)

    def half_hours():  # 16 a day from 08:00 on each of the 28 days before today
        for back in range(1, 29):
            start = datetime.datetime.combine(
                today - datetime.timedelta(days=back), datetime.time(8), tzinfo=local
            )
            for k in range(16):
                begin = start + datetime.timedelta(minutes=30 * k)
                yield begin, begin + datetime.timedelta(minutes=30)

    ids = [a["volunteer_id"] for a in accounts]
    volunteers = {v.pk: v for v in Volunteer.objects.filter(pk__in=ids)}
    slots = [half_hours() for _ in accounts]
    claims, townships = [], []
    for k in range(count):
        n = k % len(accounts)
        account = accounts[n]
        started, ended = next(slots[n])
        claims.append(
            ServiceLog(
                volunteer=volunteers[account["volunteer_id"]],
                senior_id=account["seniors"][k % len(account["seniors"])],
                service_type="companionship",
                started_at=started,
                ended_at=ended,
                hours="0.5",
                notes="load test",
                client_uuid=uuid.uuid4(),
                entered_by_id=volunteers[account["volunteer_id"]].user_id,
                created_at=timezone.now(),
            )
        )
        townships.append(account["township"][:9])
    made = ServiceLog.objects.bulk_create(claims, batch_size=500)
    to_verify: dict[str, list[int]] = {}
    for claim, prefix in zip(made, townships, strict=True):
        to_verify.setdefault(prefix, []).append(claim.pk)
    return to_verify


def prepare(tag: str, volunteers: int, verify_claims: int = 0) -> dict:
    """Tokens, fresh volunteer accounts and the data the locust users need (Django set up)."""
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import ApiToken, Role, User
    from demo.accounts import BUREAU, STAFF_BAIMA, STAFF_HOUPING
    from regions.models import Region
    from seniors.models import Senior, Status
    from volunteers.models import Volunteer, VolunteerKind

    today = timezone.localdate()
    staff = []
    for username in (STAFF_BAIMA.username, STAFF_HOUPING.username):
        user = User.objects.get(username=username)
        township = user.region_id
        villages = list(
            Senior.objects.filter(village__code__startswith=township[:9], status=Status.ACTIVE)
            .values_list("village_id", flat=True)
            .annotate(n=Count("id"))
            .order_by("-n")[:12]
        )
        token = token_of(user)
        staff.append(
            {"username": username, "token": token, "township": township, "villages": villages}
        )
    accounts = []
    for k in range(volunteers):
        account = staff[k % len(staff)]
        village = account["villages"][(k // len(staff)) % len(account["villages"])]
        username = f"load-{tag}-v{k:02d}"
        # user_upsert's rules without its password hashing (a second each on a busy machine):
        # these accounts log in only with their token
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = Role.VOLUNTEER
        user.region = Region.objects.get(code=village)
        user.is_active = True
        user.clean()
        user.set_unusable_password()
        user.save()
        volunteer, _ = Volunteer.objects.get_or_create(
            user=user,
            defaults={
                "name": f"压测志愿者{k:02d}",
                "kind": VolunteerKind.choices[0][0],
                "village_id": village,
                "joined_on": today - datetime.timedelta(days=365),
            },
        )
        seniors = list(
            Senior.objects.filter(village_id=village, status=Status.ACTIVE).values_list(
                "pk", flat=True
            )[:30]
        )
        accounts.append(
            {
                "username": username,
                "token": ApiToken.objects.create(user=user)[1],
                "volunteer_id": volunteer.pk,
                "township": account["township"],
                "seniors": seniors,
            }
        )
    used = list(
        Senior.objects.filter(id_number__startswith="500156").values_list("id_number", flat=True)
    )
    to_verify = submitted_claims(accounts, verify_claims, today) if verify_claims else {}
    bureau_token = token_of(User.objects.get(username=BUREAU.username))
    connection.close()
    return {
        "today": today.isoformat(),
        "staff": staff,
        "volunteers": accounts,
        "bureau_login": {"username": BUREAU.username, "password": settings.DEMO_PASSWORD},
        "bureau_token": bureau_token,
        "used_id_numbers": used,
        "to_verify": to_verify,
    }


def server_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="0",
        CACHE_URL=args.cache_url,
        CELERY_BROKER_URL="",
        BENCH_BARE_VIEW="1",
        BENCH_FLOOR_VIEWS="1",
        LOG_LEVEL="WARNING",
    )
    return env


def start_gunicorn(args, out: Path) -> subprocess.Popen:
    env = server_env(args)
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        # DEBUG=0 serves the hashed files of the manifest (whitenoise)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    log = open(out / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "eldercare.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--access-logfile",
            "-" if args.access_log else "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{host(args)}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz; see {out / 'gunicorn.log'}")


def warm_up(args, plan: dict) -> None:
    """A few requests of each kind first, so that both workers have loaded their modules and
    opened their database connections before the clock runs (the first request of a worker
    takes a second or two)."""
    token = {"Authorization": f"Token {plan['staff'][0]['token']}"}
    for _ in range(4 * args.workers):
        for path, headers in (
            ("/bench/bare/", {}),
            ("/api/v1/seniors/", token),
            ("/api/v1/timebank/service-logs/", token),
            ("/api/v1/coverage/snapshots/", token),
            ("/bench/floor/seniors/", token),
            ("/bench/floor/coverage/snapshots/", token),
        ):
            request = urllib.request.Request(f"{host(args)}{path}", headers=headers)
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()


def host(args) -> str:
    return f"http://127.0.0.1:{args.port}"


def run_locust(
    args, out, server, name, classes, tags, plan_file: Path, duration: int, floor: bool = False
):
    env = dict(os.environ)
    env.update(
        LOAD_PLAN=str(plan_file),
        LOAD_CLAIMS_OUT=str(out / f"claims-{name}.jsonl"),
        LOAD_RESEND_SHARE=str(args.resend_share),
        LOAD_FLOOR="1" if floor else "",
    )
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        *classes,  # before the options: --tags takes every word after it
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{duration}s",
        "--host",
        host(args),
        "--csv",
        str(out / name),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
        *(["--tags", tags] if tags else []),
    ]
    print(f"--- pass {name}: {' '.join(command[1:])}", flush=True)
    server_cpu = cpu_seconds(server)
    database_cpu = PostgresCpu()
    database_cpu.start()
    started = time.monotonic()
    with open(out / f"locust-{name}.log", "w") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        _pid, _status, usage = os.wait4(locust.pid, 0)
        locust.returncode = 0
    cpu = {
        "wall": time.monotonic() - started,
        "locust": usage.ru_utime + usage.ru_stime,
        "gunicorn": cpu_seconds(server) - server_cpu,
        "postgres": database_cpu.stop(),
        "loadavg": os.getloadavg()[0],
    }
    return read_stats(out / f"{name}_stats.csv"), cpu


class PostgresCpu(threading.Thread):
    """CPU time of the PostgreSQL backends serving the run's database (found by their process
    titles), sampled every half second: backends come and go with gunicorn's connections
    (``CONN_MAX_AGE``), and a backend that ended keeps the time it had at its last sample."""

    def __init__(self):
        super().__init__(daemon=True)
        self.name_ = os.environ["DATABASE_URL"].rsplit("/", 1)[-1].split("?")[0]
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stopping = threading.Event()

    def sample(self) -> dict[int, float]:
        import psutil

        seen = {}
        for process in psutil.process_iter(["cmdline"]):
            title = " ".join(process.info["cmdline"] or [])
            if title.startswith("postgres:") and f" {self.name_} " in title:
                try:
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                seen[process.pid] = times.user + times.system
        return seen

    def run(self):
        self.first = self.sample()
        while not self.stopping.wait(0.5):
            self.last.update(self.sample())
        self.last.update(self.sample())

    def stop(self) -> float:
        self.stopping.set()
        self.join()
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


def cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by gunicorn's master and workers."""
    import psutil

    master = psutil.Process(server.pid)
    total = 0.0
    for process in [master, *master.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def read_stats(path: Path) -> list[dict]:
    """locust's ``*_stats.csv`` as rows: name, requests, failures, rps, p50, p95, p99."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "name": row["Name"] if row["Type"] else "Aggregated",
                    "type": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "p99": float(row["99%"] or 0),
                }
            )
    return rows


def is_app(row: dict) -> bool:
    return not row["name"].startswith(NOT_APP) and row["type"] != "CHECK"


def table(results: dict[str, list[dict]], bare_rps: float) -> list[str]:
    lines = [
        "| pass | endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | failures | "
        "req/s ÷ bare |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, rows in results.items():
        for row in rows:
            if row["name"] == "Aggregated":
                continue
            ratio = f"{row['rps'] / bare_rps:.2f}" if bare_rps else "–"
            if name == "mixed" or (not is_app(row) and name != "bare"):
                ratio = ""
            lines.append(
                f"| {name} | `{row['name']}` | {row['requests']} | {row['rps']:.1f} | "
                f"{row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} | {row['failures']} | "
                f"{ratio} |"
            )
        if name == "mixed":
            app = [r for r in rows if r["name"] != "Aggregated" and is_app(r)]
            rps = sum(r["rps"] for r in app)
            fails = sum(r["failures"] for r in app)
            lines.append(
                f"| mixed | **all app endpoints together** | {sum(r['requests'] for r in app)} "
                f"| {rps:.1f} | | | | {fails} | {rps / bare_rps:.2f} |"
            )
    return lines


def cpu_table(cpu: dict[str, dict], results: dict[str, list[dict]]) -> str:
    """Where the CPU went in each pass. The server's CPU time per request does not depend on
    what else runs on the machine, so it compares the endpoints when the machine is shared."""
    lines = [
        "| pass | wall s | requests | gunicorn CPU s | PostgreSQL CPU s | locust CPU s | "
        "gunicorn CPU ms / request | load average (1 min) at the end |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, c in cpu.items():
        total = next((r["requests"] for r in results[name] if r["name"] == "Aggregated"), 0)
        per = f"{c['gunicorn'] * 1000 / total:.1f}" if total else "–"
        lines.append(
            f"| {name} | {c['wall']:.0f} | {total} | {c['gunicorn']:.1f} | {c['postgres']:.1f} "
            f"| {c['locust']:.1f} | {per} | {c['loadavg']:.1f} |"
        )
    return "\n".join(lines)


def per_request(c: dict, rows: list[dict]) -> tuple[int, float, float]:
    """Requests of a pass, and the gunicorn and PostgreSQL CPU ms each took."""
    total = next((r["requests"] for r in rows if r["name"] == "Aggregated"), 0)
    if not total:
        return 0, float("nan"), float("nan")
    return total, c["gunicorn"] * 1000 / total, c["postgres"] * 1000 / total


def floor_ratios(cpu: dict[str, dict], results: dict[str, list[dict]]) -> dict[str, float]:
    """Endpoint → the app's gunicorn CPU per request ÷ its floor view's, from the pairs of
    passes ``app-<endpoint>`` and ``floor-<endpoint>``."""
    ratios = {}
    for endpoint, *_ in FLOOR_PAIRS:
        app, floor = f"app-{endpoint}", f"floor-{endpoint}"
        if app in cpu and floor in cpu:
            _n, app_ms, _ = per_request(cpu[app], results[app])
            _n, floor_ms, _ = per_request(cpu[floor], results[floor])
            ratios[endpoint] = app_ms / floor_ms if floor_ms else float("nan")
    return ratios


def page_cost_lines(args) -> list[str]:
    command = [
        str(BIN / "python"), "-m", "loadtest.page_cost",
        "--requests", str(args.page_cost), "--cache-url", args.cache_url,
    ]  # fmt: skip
    env = {**os.environ, "HTTPS": "0", "BENCH_BARE_VIEW": "1"}  # the test client's plain http
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        return [f"page_cost failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}"]
    return done.stdout.strip().splitlines()


def cached_page_ratio(cpu: dict[str, dict], results: dict[str, list[dict]]) -> float | None:
    """The district coverage page (served from the cache keyed by the run) alone, its gunicorn
    CPU per request ÷ the bare view's, when both passes ran."""
    if "coverage_page" not in cpu or "bare" not in cpu:
        return None
    _n, page_ms, _ = per_request(cpu["coverage_page"], results["coverage_page"])
    _n, bare_ms, _ = per_request(cpu["bare"], results["bare"])
    return page_ms / bare_ms if bare_ms else None


def floor_table(cpu: dict[str, dict], results: dict[str, list[dict]]) -> list[str]:
    lines = [
        "| endpoint | app requests | app CPU ms / request | floor requests | "
        "floor CPU ms / request | ratio app ÷ floor | PostgreSQL ms / request app / floor | "
        "failures app / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios = floor_ratios(cpu, results)
    for endpoint, ratio in ratios.items():
        app, floor = f"app-{endpoint}", f"floor-{endpoint}"
        n_app, app_ms, app_pg = per_request(cpu[app], results[app])
        n_floor, floor_ms, floor_pg = per_request(cpu[floor], results[floor])
        fails = [
            next((r["failures"] for r in results[p] if r["name"] == "Aggregated"), 0)
            for p in (app, floor)
        ]
        lines.append(
            f"| {endpoint} | {n_app} | {app_ms:.1f} | {n_floor} | {floor_ms:.1f} | {ratio:.2f} | "
            f"{app_pg:.1f} / {floor_pg:.1f} | {fails[0]} / {fails[1]} |"
        )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60, help="seconds, bare and mixed pass")
    parser.add_argument(
        "--isolated", type=int, default=0, help="seconds for each app endpoint alone (0: skip)"
    )
    parser.add_argument(
        "--floors",
        type=int,
        default=0,
        help="seconds for each key endpoint alone and then its floor view alone (0: skip)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--resend-share", type=float, default=0.2)
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--access-log", action="store_true")
    parser.add_argument(
        "--page-cost",
        type=int,
        default=200,
        help="requests a row of loadtest.page_cost after the run (0: skip it)",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL to a throwaway PostgreSQL database with the demo in it")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or ROOT / "var" / "loadtest" / stamp
    out.mkdir(parents=True, exist_ok=True)

    load_before = os.getloadavg()[0]
    setup_django()
    # (name, classes, tags, seconds, against the floor views)
    passes = [("bare", ["BareUser"], None, args.duration, False)]
    if args.isolated:
        passes += [(n, c, t, args.isolated, False) for n, c, t in ISOLATED]
    if args.floors:
        for n, c, t in FLOOR_PAIRS:
            passes += [
                (f"app-{n}", c, t, args.floors, False),
                (f"floor-{n}", c, t, args.floors, True),
            ]
    passes.append(("mixed", MIXED_CLASSES, None, args.duration, False))
    plans = {}
    for index, (name, classes, tags, duration, _floor) in enumerate(passes):
        verify = VERIFY_CLAIMS_PER_SECOND * duration if tags == "claim_verify" else 0
        volunteers = args.users + 2 if "VolunteerUser" in classes else 0
        if verify:
            volunteers = max(4, -(-verify // 400))  # 448 half-hours each in 28 days
        # a tag of its own per pass: volunteers of two passes never share claims
        plans[name] = prepare(f"{stamp[-6:]}-p{index:02d}", volunteers, verify_claims=verify)
        (out / f"plan-{name}.json").write_text(json.dumps(plans[name]), encoding="utf-8")

    server = start_gunicorn(args, out)
    warm_up(args, plans["mixed"])
    results: dict[str, list[dict]] = {}
    cpu: dict[str, dict] = {}
    try:
        for name, classes, tags, duration, floor in passes:
            results[name], cpu[name] = run_locust(
                args, out, server, name, classes, tags, out / f"plan-{name}.json", duration, floor
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from loadtest.check import run_check

    # the verify passes' volunteers claimed nothing through the server (their claims were
    # written beforehand), so they are not asked about claims nobody heard of
    volunteer_ids = [
        v["volunteer_id"] for p in plans.values() if not p["to_verify"] for v in p["volunteers"]
    ]
    ok, check_lines = run_check(sorted(out.glob("claims-*.jsonl")), volunteer_ids)
    prepared = sum(len(ids) for p in plans.values() for ids in p["to_verify"].values())
    if prepared:
        check_lines.append(f"claims written beforehand for the verify passes: {prepared}")

    bare = next(r for r in results["bare"] if r["name"].startswith("GET /bench/bare/"))
    header = [
        f"users {args.users} (spawned at once), bare and mixed passes {args.duration} s each"
        + (f", each endpoint alone {args.isolated} s" if args.isolated else "")
        + f"; gunicorn {args.workers} sync workers; no think time (each user sends its next "
        "request when the previous one is answered)",
    ]
    header.append(
        f"machine: {os.cpu_count()} cores shared by gunicorn, PostgreSQL, locust and whatever "
        f"else runs; load average (1 min) before the run {load_before:.1f}"
    )
    lines = [*header, "", *table(results, bare["rps"]), "", cpu_table(cpu, results)]
    if args.floors:
        lines += ["", "Each key endpoint beside its floor view (loadtest/floors.py):", ""]
        lines += floor_table(cpu, results)
        lines += [""] + [
            f"floor ratio {endpoint}: {ratio:.2f}"
            for endpoint, ratio in floor_ratios(cpu, results).items()
        ]
    ratio = cached_page_ratio(cpu, results)
    if ratio is not None:
        lines += ["", f"cached page ratio to bare view (gunicorn): {ratio:.2f}"]
    if args.page_cost:
        # in-process, with gunicorn stopped: each cached answer beside the bare view (its own
        # process, with the settings of Django's test client)
        lines += ["", "Answers from the coverage cache, in-process (loadtest/page_cost.py):", ""]
        lines += page_cost_lines(args)
    lines += ["", "Check:"]
    lines += [f"- {line}" for line in check_lines]
    lines.append(f"- result: {'OK' if ok else 'FAILED'}")
    errors = (out / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    tracebacks = errors.count("Traceback")
    lines.append(f"- tracebacks in gunicorn.log: {tracebacks}")
    report = "\n".join(lines)
    print(report)
    (out / "summary.md").write_text(report + "\n", encoding="utf-8")
    print(f"\nfiles: {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
