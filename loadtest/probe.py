"""The personal-data and reliability probe, on a production-like stack: each request of the
probe beside the answer it must get, and what the database holds afterwards.

Usage (a throwaway PostgreSQL database and Redis; the probe writes to both)::

    createdb -h 127.0.0.1 -U postgres eldercare_probe
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/eldercare_probe
    .venv/bin/python -m loadtest.probe --setup     # once: the demo's regions, accounts, people
    .venv/bin/python -m loadtest.probe

It collects the static files (the manifest storage, as the Dockerfile does), starts gunicorn
with ``DEBUG=0`` and a Celery worker on Redis (``--broker``), sends the requests as the demo
accounts over HTTP, reads the database through the ORM to see what was written, stops both
and prints one line per check: ``ok`` or ``FAILED`` with what came back. It exits 1 when any
check failed. The login-limit check runs last: it leaves the probe's address locked out of
every login for a minute.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = os.environ.get("DEMO_PASSWORD", "eldercare-demo")
FULL_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9X](?![0-9])")
BAIMA, BANQIAO = "500156101000", "500156101201"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")
    os.environ.setdefault("SECRET_KEY", "probe-only-not-secret")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def set_up_database() -> None:
    """The demo's world at a tenth of its size: enough people, facilities and a time bank."""
    steps = [
        ["migrate", "--noinput", "-v", "0"],
        ["load_regions"],
        ["generate_villager_groups"],
        ["create_demo_accounts"],
        ["generate_population", "--size", "500"],
        ["generate_facilities"],
        ["generate_volunteers"],
        ["compute_coverage"],
    ]
    env = {**os.environ, "DEMO_PASSWORD": PASSWORD, "CELERY_BROKER_URL": ""}
    for step in steps:
        print("==", " ".join(step), flush=True)
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True)


class Stack:
    """gunicorn (DEBUG=0, manifest static files) and a Celery worker, as the compose file runs
    them, on this machine's loopback."""

    def __init__(self, args, out: Path):
        self.args = args
        self.out = out
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "HTTPS": "0",
            "CELERY_BROKER_URL": args.broker,
            "CELERY_RESULT_BACKEND": args.broker,
            "CACHE_URL": args.cache,
            "STATIC_ROOT": str(out / "static"),
            "LOG_LEVEL": "WARNING",
        }
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self._spawn(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "eldercare.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.args.port}",
            ],
        )
        self._spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "eldercare",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
            ],
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer /healthz; see {self.out}/gunicorn.log")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.args.port}"

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.out / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


class Probe:
    def __init__(self, base: str):
        import requests

        self.requests = requests
        self.base = base
        self.results: list[tuple[str, bool, str]] = []
        self.sessions: dict[str, object] = {}

    # --- how a person and a phone talk to the server ---------------------------------------

    def browser(self, username: str):
        """A session logged in through the login form, as a person in a browser (once per
        account: every login counts against the address's login budget)."""
        if username in self.sessions:
            return self.sessions[username]
        session = self.requests.Session()
        session.get(f"{self.base}/login/")
        answer = session.post(
            f"{self.base}/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self._csrf(session),
            },
            headers={"Referer": f"{self.base}/login/"},
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise SystemExit(f"{username} could not log in: {answer.status_code}")
        self.sessions[username] = session
        return session

    def post_form(self, session, path: str, data=None, files=None):
        return session.post(
            f"{self.base}{path}",
            data={**(data or {}), "csrfmiddlewaretoken": self._csrf(session)},
            files=files,
            headers={"Referer": f"{self.base}{path}"},
            allow_redirects=False,
        )

    def api(self, user):
        """A session with an API token of ``user``, as a phone has."""
        from accounts.models import ApiToken

        session = self.requests.Session()
        session.headers["Authorization"] = f"Token {ApiToken.objects.create(user=user)[1]}"
        return session

    @staticmethod
    def _csrf(session) -> str:
        return session.cookies.get("csrftoken", "")

    def check(self, label: str, ok: bool, seen: str) -> None:
        self.results.append((label, bool(ok), seen))
        print(f"{'ok    ' if ok else 'FAILED'} {label}: {seen}", flush=True)


# --- the checks, one per point of the probe -------------------------------------------------


def _workbook(rows: list[list], padding_mb: int = 0) -> bytes:
    """A list of seniors as .xlsx; with ``padding_mb``, a second sheet of that many megabytes
    of text that does not pack (a file of few rows, heavy in bytes)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "身份证号", "村(社区)", "联系电话"])
    for row in rows:
        sheet.append(row)
    if padding_mb:
        notes = workbook.create_sheet("备注")
        for _ in range(padding_mb * 256):
            notes.append([secrets.token_hex(2048)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _new_people(count: int) -> list[list]:
    from seniors.idnumber import make_id_number
    from seniors.models import Senior

    people, sequence = [], 900
    while len(people) < count:
        number = make_id_number("500232", datetime.date(1951, 3, 1 + len(people)), sequence)
        sequence += 2
        if not Senior.objects.filter(id_number=number).exists():
            people.append([f"探针{len(people) + 1}", number, "板桥村", f"1391234{len(people):04d}"])
    return people


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_preview(probe: Probe) -> None:
    from audit.models import PersonView
    from seniors.models import SeniorImport

    staff = probe.browser("staff-baima")
    people = _new_people(2)
    numbers = {p[1] for p in people} | {p[3] for p in people}
    views = PersonView.objects.count()
    answer = probe.post_form(
        staff, "/seniors/import/", files={"file": ("名单.xlsx", _workbook(people), XLSX)}
    )
    preview = answer.headers.get("Location", "")
    before = staff.get(f"{probe.base}{preview}").text
    probe.post_form(staff, preview)
    after = probe.browser("bureau").get(f"{probe.base}{preview}").text
    shown = sorted(n for n in numbers if n in before or n in after)
    probe.check(
        "1 import preview, before and after confirming, uploader and bureau",
        not shown and preview,
        f"full numbers shown: {shown or 'none'}",
    )
    kept = SeniorImport.objects.get(pk=preview.strip("/").split("/")[-1])
    stored = sorted(n for n in numbers if n in str(kept.rows))
    probe.check(
        "1 an applied import keeps no number",
        kept.status == "applied" and not stored,
        f"status {kept.status}, full numbers kept: {stored or 'none'}",
    )
    probe.check(
        "1 nothing shown in full, nothing to log",
        PersonView.objects.count() == views,
        f"{PersonView.objects.count() - views} view-log rows",
    )


def service_worker(probe: Probe) -> None:
    volunteer = probe.browser("volunteer-demo")
    answer = volunteer.get(f"{probe.base}/me/sw.js")
    probe.check(
        "2 GET /me/sw.js under the manifest storage",
        answer.status_code == 200 and "javascript" in answer.headers.get("Content-Type", ""),
        f"{answer.status_code} {answer.headers.get('Content-Type')}",
    )


def heavy_upload(probe: Probe) -> None:
    from seniors.models import SeniorImport

    staff = probe.browser("staff-baima")
    content = _workbook(_new_people(2), padding_mb=3)
    started = time.monotonic()
    answer = probe.post_form(
        staff, "/seniors/import/", files={"file": ("大文件.xlsx", content, XLSX)}
    )
    seconds = time.monotonic() - started
    pk = answer.headers.get("Location", "").strip("/").split("/")[-1]
    status = SeniorImport.objects.filter(pk=pk).values_list("status", flat=True).first()
    probe.check(
        f"3 a 2-row file of {len(content) / 1e6:.1f} MB is kept, not parsed, in the request",
        status == "checking" and seconds < 3,
        f"{answer.status_code}, {status}, {seconds:.2f} s",
    )
    deadline = time.monotonic() + 60
    while status == "checking" and time.monotonic() < deadline:
        time.sleep(0.5)
        status = SeniorImport.objects.filter(pk=pk).values_list("status", flat=True).first()
    probe.check("3 the worker checks it", status == "previewed", f"status {status}")


def reports(probe: Probe) -> None:
    from coverage.models import Report

    bureau = probe.browser("bureau")
    rows = Report.objects.count()
    answers = {}
    months = ["2000-01", "1999-12", "0001-01", "%202021-1", "+2021-1", "２０２１-０１", "2021-1"]
    for month in months:
        answers[month] = bureau.get(
            f"{probe.base}/coverage/{BANQIAO}/report/{month}.pdf"
        ).status_code
    wrong = {m: s for m, s in answers.items() if s != 404}
    probe.check(
        "4/5/10 months outside the plan or oddly written are 404",
        not wrong,
        f"{wrong or 'all 404'}",
    )
    unbuilt = bureau.get(f"{probe.base}/coverage/{BANQIAO}/report/2021-06.pdf")
    probe.check(
        "4 a report not built yet: a page and a button, no row written",
        unbuilt.status_code == 200 and "<form" in unbuilt.text and Report.objects.count() == rows,
        f"{unbuilt.status_code}, {Report.objects.count() - rows} rows written",
    )


def _refused(answer, *fields: str) -> str:
    """ "400" when the answer is a 400 naming every one of ``fields``, else what came back."""
    if answer.status_code == 400 and all(f in answer.json() for f in fields):
        return "400"
    return f"{answer.status_code} {answer.text[:100]}"


def far_dates(probe: Probe) -> None:
    from accounts.models import User
    from seniors.models import Senior
    from volunteers.models import Volunteer

    staff = User.objects.get(username="staff-baima")
    api = probe.api(staff)
    senior = Senior.objects.filter(village__code__startswith=BAIMA[:9]).order_by("pk").first()
    volunteer = Volunteer.objects.filter(village__code__startswith=BAIMA[:9]).order_by("pk").first()
    codes = {}
    for day in ("0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59"):
        codes[f"visit {day}"] = _refused(
            api.post(
                f"{probe.base}/api/v1/visits/",
                json={
                    "senior": senior.pk,
                    "visited_at": day,
                    "service_type": "visit",
                    "client_uuid": str(uuid.uuid4()),
                },
            ),
            "visited_at",
        )
        codes[f"service log {day}"] = _refused(
            api.post(
                f"{probe.base}/api/v1/timebank/service-logs/",
                json={
                    "volunteer": volunteer.pk,
                    "senior": senior.pk,
                    "service_type": "visit",
                    "started_at": day,
                    "ended_at": day,
                    "client_uuid": str(uuid.uuid4()),
                },
            ),
            "started_at",
            "ended_at",
        )
    wrong = {k: v for k, v in codes.items() if v != "400"}
    probe.check("5 far dates answer 400 naming the field", not wrong, f"{wrong or 'all 400'}")
    from volunteers.models import Account

    bureau = probe.browser("bureau")
    account = Account.objects.order_by("pk").first()
    history = bureau.get(f"{probe.base}/admin/volunteers/account/{account.pk}/history/")
    probe.check(
        "5 the time-bank account's admin history",
        history.status_code == 200,
        str(history.status_code),
    )


def phones(probe: Probe) -> None:
    from accounts.models import User
    from seniors.models import Senior

    api = probe.api(User.objects.get(username="staff-baima"))
    senior = Senior.objects.filter(village__code__startswith=BAIMA[:9]).order_by("pk").first()
    codes = {}
    for phone in ("NaN", "9999-12-31", "0x10", "1381234\u202e5678"):
        codes[phone] = _refused(
            api.patch(f"{probe.base}/api/v1/seniors/{senior.pk}/", json={"phone": phone}), "phone"
        )
    wrong = {k: v for k, v in codes.items() if v != "400"}
    senior.refresh_from_db()
    probe.check(
        "10 phones that are no phone number are refused",
        not wrong,
        f"{wrong or 'all 400'}; stored {senior.phone!r}",
    )


def idempotency(probe: Probe) -> None:
    """A redemption sent by another township's clerk with the client_uuid of 白马's."""
    from accounts.models import User
    from regions.models import Region
    from volunteers.ledger import account_for, post_movement, system_account
    from volunteers.models import CatalogueItem, Redemption, Volunteer

    bureau = User.objects.get(username="bureau")
    sides = {}
    for clerk in User.objects.filter(username__in=("staff-baima", "staff-houping")):
        township = clerk.region
        village = Region.objects.filter(parent=township).order_by("code").first()
        volunteer = Volunteer.objects.create(
            name=f"探针志愿者{township.code[-3:]}",
            village=village,
            joined_on=datetime.date(2024, 1, 1),
        )
        account = account_for(volunteer)
        post_movement(
            kind="earn",
            source=system_account("earning"),
            target=account,
            hours=Decimal(10),
            by=bureau,
        )
        item = CatalogueItem.objects.create(
            region=township, name="探针米", hours_price=1, stock=100
        )
        sides[township.code] = (clerk, account, item)
    first, second = sides["500156101000"], sides["500156208000"]
    key = str(uuid.uuid4())
    mine = probe.api(first[0]).post(
        f"{probe.base}/api/v1/timebank/redemptions/",
        json={"account": first[1].pk, "item": first[2].pk, "quantity": 1, "client_uuid": key},
    )
    theirs = probe.api(second[0]).post(
        f"{probe.base}/api/v1/timebank/redemptions/",
        json={"account": second[1].pk, "item": second[2].pk, "quantity": 1, "client_uuid": key},
    )
    probe.check(
        "7 another region's client_uuid is refused, not answered with its record",
        mine.status_code == 201
        and theirs.status_code in (400, 409)
        and Redemption.objects.filter(client_uuid=key).count() == 1,
        f"first {mine.status_code}, second {theirs.status_code}: {theirs.text[:120]}",
    )


def stale_import(probe: Probe) -> None:
    from celery import current_app
    from django.utils import timezone

    from accounts.models import User
    from regions.models import Region
    from seniors.models import SeniorImport

    stopped = SeniorImport.objects.create(
        id=uuid.uuid4(),
        created_by=User.objects.get(username="staff-baima"),
        region=Region.objects.get(code=BAIMA),
        file_name="停住的.xlsx",
        status="checking",
        content=_workbook(_new_people(1)),
    )
    SeniorImport.objects.filter(pk=stopped.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    current_app.send_task("seniors.sweep_stopped_imports").get(timeout=60)
    stopped.refresh_from_db()
    probe.check(
        "9 a check stopped an hour ago is swept to failed",
        stopped.status != "checking",
        f"status {stopped.status}: {stopped.errors[:1]}",
    )


def backup(probe: Probe) -> None:
    """The nightly script's dump restored into a scratch database holds no session."""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    database = settings.DATABASES["default"]
    sessions = Session.objects.count()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "PGHOST": database["HOST"] or "127.0.0.1",
            "PGUSER": database["USER"],
            "PGPASSWORD": database["PASSWORD"] or "",
            "PGDATABASE": database["NAME"],
            "BACKUP_DIR": folder,
            "BACKUP_ONCE": "1",
        }
        subprocess.run(
            ["bash", str(ROOT / "docker" / "pg-backup.sh")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        dump = next(Path(folder).glob("*.dump"))
        listing = subprocess.run(
            ["pg_restore", "--data-only", "-f", "-", str(dump)], capture_output=True, check=True
        ).stdout
    rows = re.search(rb"COPY public\.django_session .*?\n(.*?)\\\.\n", listing, re.S)
    held = len(rows.group(1).splitlines()) if rows else 0
    probe.check(
        "8 the nightly dump holds no session",
        sessions > 0 and held == 0,
        f"{sessions} sessions live, {held} in the dump",
    )


def login_limit(probe: Probe) -> None:
    print("   (a minute's wait: the probe's own logins leave the budget of this minute)")
    time.sleep(61)
    session = probe.requests.Session()
    session.get(f"{probe.base}/admin/login/")
    codes = []
    for n in range(35):
        codes.append(
            probe.post_form(
                session, "/admin/login/", {"username": f"nobody{n}", "password": "x"}
            ).status_code
        )
    first_refused = next((n + 1 for n, code in enumerate(codes) if code == 429), None)
    form = probe.post_form(session, "/login/", {"username": "bureau", "password": "x"}).status_code
    probe.check(
        "6 the admin login shares the per-address limit",
        first_refused == 31 and form == 429,
        f"first 429 at attempt {first_refused}; then /login/ answers {form}",
    )


CHECKS = [
    import_preview,
    service_worker,
    heavy_upload,
    reports,
    far_dates,
    phones,
    idempotency,
    stale_import,
    backup,
    login_limit,
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", action="store_true", help="make the demo world first")
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a throwaway PostgreSQL database")
    os.environ.update(
        CELERY_BROKER_URL=args.broker, CELERY_RESULT_BACKEND=args.broker, CACHE_URL=args.cache
    )
    if args.setup:
        set_up_database()
    setup_django()
    with tempfile.TemporaryDirectory() as out:
        stack = Stack(args, Path(out))
        try:
            stack.start()
            probe = Probe(stack.base)
            for check in CHECKS:
                check(probe)
        finally:
            stack.stop()
    failed = [label for label, ok, _ in probe.results if not ok]
    print(f"{len(probe.results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
