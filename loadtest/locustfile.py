"""The realistic mix of the system's users, for locust (run it with ``loadtest/run.py``).

User classes (pick them by name on the locust command line; the runner does):

- ``StaffUser`` — township staff with a token: lists the seniors of the township with the
  filters people use (tag ``seniors_list``), registers new seniors with valid generated ID
  numbers (``seniors_register``) and verifies the volunteers' claims (``claim_verify``).
- ``VolunteerUser`` — a volunteer with a token: posts claims of hours with a ``client_uuid``;
  a share of the posts (``LOAD_RESEND_SHARE``, default 0.2) is sent a second time with the same
  ``client_uuid``, as a phone does that did not hear back (``claim_post``; the resend is its own
  row, ``claim_resend``, and must answer 200 with the first claim's id). Reads its own claims
  now and then (``claim_list``).
- ``BureauUser`` — the bureau, logged in through the ``/login/`` form (session and CSRF): opens
  the district's coverage dashboard page (``coverage_page``) and the snapshots in the API
  (``coverage_api``).
- ``SnapshotUser`` — the bureau with a token, reading the coverage snapshots
  (``snapshots``): the token twin of ``coverage_api``, so that it can be set beside its floor.
- ``BareUser`` — only ``GET /bench/bare/``: the floor of the stack (``loadtest/bare.py``).
- ``BareProbe`` — one user asking the bare view once a second during the mixed pass, to show
  its latency under the same load.

Environment:

- ``LOAD_PLAN``: JSON file written by the runner's prepare step: the tokens of staff and
  volunteers (made beforehand, so the login throttle and django-axes do not come into it), the
  volunteers' seniors, the villages, the bureau's password and the ID numbers already in use.
- ``LOAD_CLAIMS_OUT``: file the volunteers append every accepted claim to (one JSON a line:
  ``client_uuid``, ``id``, ``status``, ``resend``), read by ``loadtest/check.py``.
- ``LOAD_RESEND_SHARE`` (0.2), ``LOAD_WAIT`` (seconds between tasks, default 0: saturate).
- ``LOAD_FLOOR=1``: the token users send the same requests to the floor views of
  ``loadtest/floors.py`` (``/bench/floor/…``) instead of the app's endpoints; the rows of the
  stats are named by the path asked, so the two stand apart.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import threading
import uuid
from collections import defaultdict, deque
from urllib.parse import urlencode

from gevent.lock import Semaphore
from locust import FastHttpUser, constant, events, tag, task

# the ID-number rule, copied so that locust does not need Django (seniors/idnumber.py)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
LOCAL = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai, as the server
DISTRICT = "500156000000"
SENIOR_FILTERS = (
    "",
    "?disabled=true",
    "?high_age=true",
    "?not_visited_days=30",
    "?living_situation=alone",
    "?allowance=service_subsidy",
    "?village={village}",
    "?village={village}&high_age=true",
)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SNAPSHOT_FILTERS = ("", "?level=township", "?within={township}")
WAIT = float(os.environ.get("LOAD_WAIT", "0"))
FLOOR = os.environ.get("LOAD_FLOOR", "") == "1"
# the app's endpoints, or their floors (loadtest/floors.py) with LOAD_FLOOR=1
PATHS = (
    {
        "seniors": "/bench/floor/seniors/",
        "claims": "/bench/floor/service-logs/",
        "verify": "/bench/floor/service-logs/{id}/verify/",
        "snapshots": "/bench/floor/coverage/snapshots/",
    }
    if FLOOR
    else {
        "seniors": "/api/v1/seniors/",
        "claims": "/api/v1/timebank/service-logs/",
        "verify": "/api/v1/timebank/service-logs/{id}/verify/",
        "snapshots": "/api/v1/coverage/snapshots/",
    }
)
RESEND_SHARE = float(os.environ.get("LOAD_RESEND_SHARE", "0.2"))

_plan: dict | None = None
_lock = threading.Lock()
_volunteer_seq = itertools.count()
_staff_seq = itertools.count()
_used_ids: set[str] = set()
# claims accepted and not yet verified, per township code prefix (9 digits)
_to_verify: dict[str, deque] = defaultdict(deque)
_claims_out = None
_bureau_login = Semaphore()
_bureau_session: str | None = None


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make_id_number(address: str, birth_date: datetime.date, sequence: int) -> str:
    first17 = f"{address}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def new_id_number(rng: random.Random, used: set[str], today: datetime.date) -> str:
    """A valid ID number of someone aged 61 to 95 that is not in ``used`` (then added)."""
    while True:
        born = today - datetime.timedelta(days=rng.randint(61 * 366, 95 * 365))
        number = make_id_number("500156", born, rng.randint(1, 999))
        if number not in used:
            used.add(number)
            return number


def claim_slots(today: datetime.date, days: int = 28, per_day: int = 16):
    """Half-hour services from 08:00 local time, ``per_day`` a day (8 h, the policy's daily
    most), on each of the ``days`` days before today: none overlaps another, none is older than
    the policy's 30 days, none is in the future."""
    for back in range(1, days + 1):
        day = today - datetime.timedelta(days=back)
        start = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=LOCAL)
        for k in range(per_day):
            begin = start + datetime.timedelta(minutes=30 * k)
            yield begin, begin + datetime.timedelta(minutes=30)


def plan() -> dict:
    global _plan, _claims_out
    with _lock:
        if _plan is None:
            path = os.environ.get("LOAD_PLAN")
            if not path:
                raise RuntimeError("LOAD_PLAN is not set: run the load through loadtest/run.py")
            with open(path, encoding="utf-8") as f:
                _plan = json.load(f)
            _used_ids.update(_plan.get("used_id_numbers", []))
            # claims submitted beforehand for the staff to verify (the verify pass alone)
            for prefix, ids in _plan.get("to_verify", {}).items():
                _to_verify[prefix].extend(ids)
            out = os.environ.get("LOAD_CLAIMS_OUT")
            if out:
                _claims_out = open(out, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        return _plan


def record_claim(data: dict, status: int, resend: bool) -> None:
    if _claims_out is not None:
        line = {"client_uuid": data["client_uuid"], "id": data["id"], "status": status}
        _claims_out.write(json.dumps({**line, "resend": resend}) + "\n")


@events.test_stop.add_listener
def _close_claims_file(**_kwargs):
    if _claims_out is not None:
        _claims_out.flush()


class ApiUser(FastHttpUser):
    abstract = True
    wait_time = constant(WAIT)

    def use_token(self, token: str) -> None:
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}


class StaffUser(ApiUser):
    weight = 8

    def on_start(self):
        accounts = plan()["staff"]
        self.account = accounts[next(_staff_seq) % len(accounts)]
        self.use_token(self.account["token"])
        self.rng = random.Random()
        self.today = datetime.date.fromisoformat(plan()["today"])

    @tag("seniors_list")
    @task(6)
    def list_seniors(self):
        query = self.rng.choice(SENIOR_FILTERS).format(
            village=self.rng.choice(self.account["villages"])
        )
        self.client.get(
            f"{PATHS['seniors']}{query}",
            headers=self.headers,
            name=f"GET {PATHS['seniors']} (filters)",
        )

    @tag("seniors_register")
    @task(2)
    def register_senior(self):
        with _lock:
            number = new_id_number(self.rng, _used_ids, self.today)
        body = {
            "id_number": number,
            "name": f"压测{number[-6:]}",
            "village": self.rng.choice(self.account["villages"]),
            "living_situation": "alone",
            "notes": "load test",
        }
        with self.client.post(
            PATHS["seniors"],
            json=body,
            headers=self.headers,
            name=f"POST {PATHS['seniors']}",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @tag("claim_verify")
    @task(1)
    def verify_claim(self):
        queue = _to_verify[self.account["township"][:9]]
        if not queue:
            return
        claim_id = queue.popleft()
        with self.client.post(
            PATHS["verify"].format(id=claim_id),
            headers=self.headers,
            name=f"POST {PATHS['verify']}",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or response.json().get("status") != "verified":
                response.failure(f"{response.status_code}: {response.text[:200]}")


class VolunteerUser(ApiUser):
    weight = 8

    def on_start(self):
        accounts = plan()["volunteers"]
        n = next(_volunteer_seq)
        if n >= len(accounts):
            raise RuntimeError(f"{n + 1} volunteer users but {len(accounts)} accounts prepared")
        self.account = accounts[n]  # one locust user per account: their claims never overlap
        self.use_token(self.account["token"])
        self.rng = random.Random()
        self.slots = claim_slots(datetime.date.fromisoformat(plan()["today"]))

    def post_claim(self, body: dict, resend: bool):
        name = f"POST {PATHS['claims']}" + (" (resend)" if resend else "")
        with self.client.post(
            PATHS["claims"],
            json=body,
            headers=self.headers,
            name=name,
            catch_response=True,
        ) as response:
            expected = 200 if resend else 201
            if response.status_code != expected:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            data = response.json()
            if data.get("client_uuid") != body["client_uuid"] or not data.get("id"):
                response.failure(f"answer for another claim: {response.text[:200]}")
                return None
            record_claim(data, response.status_code, resend)
            return data

    @tag("claim_post")
    @task(6)
    def claim(self):
        slot = next(self.slots, None)
        if slot is None:
            return  # this account's month is full
        started, ended = slot
        body = {
            "senior": self.rng.choice(self.account["seniors"]),
            "service_type": self.rng.choice(("inspection", "meals", "errands", "companionship")),
            "started_at": started.isoformat(),
            "ended_at": ended.isoformat(),
            "notes": "load test",
            "client_uuid": str(uuid.uuid4()),
        }
        first = self.post_claim(body, resend=False)
        if first is None:
            return
        if self.rng.random() < RESEND_SHARE:
            again = self.post_claim(body, resend=True)
            if again is not None and again["id"] != first["id"]:
                events.request.fire(
                    request_type="CHECK",
                    name="resend answered another id",
                    response_time=0,
                    response_length=0,
                    exception=AssertionError(f"{first['id']} then {again['id']}"),
                )
        _to_verify[self.account["township"][:9]].append(first["id"])

    @tag("claim_list")
    @task(1)
    def my_claims(self):
        self.client.get(
            "/api/v1/timebank/service-logs/",
            headers=self.headers,
            name="GET /api/v1/timebank/service-logs/",
        )


class BureauUser(FastHttpUser):
    """The bureau's people share one login: the first user logs in through the form, the others
    wait for it and send its session cookie (twenty form logins at once would spend the pass on
    password hashing, which is not what the dashboard costs)."""

    weight = 4
    wait_time = constant(WAIT)

    def on_start(self):
        global _bureau_session
        with _bureau_login:
            if _bureau_session is None:
                self.form_login()
                _bureau_session = next(
                    (c.value for c in self.client.cookiejar if c.name == "sessionid"), None
                )
                if _bureau_session is None:
                    raise RuntimeError("the login form did not open a session")
        self.cookie = {"Cookie": f"sessionid={_bureau_session}"}

    def form_login(self):
        bureau = plan()["bureau_login"]
        page = self.client.get("/login/", name="GET /login/")
        match = CSRF_INPUT.search(page.text or "")
        if match is None:
            raise RuntimeError("no CSRF token on the login page")
        with self.client.post(
            "/login/",
            data=urlencode(
                {
                    "username": bureau["username"],
                    "password": bureau["password"],
                    "csrfmiddlewaretoken": match.group(1),
                    "next": "/",
                }
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="POST /login/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused: {response.status_code}")

    @tag("coverage_page")
    @task(3)
    def dashboard(self):
        with self.client.get(
            f"/coverage/{DISTRICT}/",
            headers=self.cookie,
            name=f"GET /coverage/{DISTRICT}/ (page)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} (logged out?)")

    @tag("coverage_api")
    @task(1)
    def snapshots(self):
        self.client.get(
            "/api/v1/coverage/snapshots/",
            headers={"Accept": "application/json", **self.cookie},
            name="GET /api/v1/coverage/snapshots/",
        )


class SnapshotUser(ApiUser):
    """The bureau with an API token: the snapshots of the newest day, of the townships, or of
    one township and its villages."""

    weight = 1

    def on_start(self):
        self.use_token(plan()["bureau_token"])
        self.townships = [account["township"] for account in plan()["staff"]]
        self.rng = random.Random()

    @tag("snapshots")
    @task
    def snapshots(self):
        query = self.rng.choice(SNAPSHOT_FILTERS).format(township=self.rng.choice(self.townships))
        self.client.get(
            f"{PATHS['snapshots']}{query}",
            headers=self.headers,
            name=f"GET {PATHS['snapshots']} (token)",
        )


class BareUser(FastHttpUser):
    """The floor: what the same stack serves when the view does nothing."""

    weight = 1
    wait_time = constant(WAIT)

    @tag("bare")
    @task
    def bare(self):
        self.client.get("/bench/bare/", name="GET /bench/bare/ (bare view)")


class BareProbe(FastHttpUser):
    """One user in the mixed pass: the bare view's latency under the app's load."""

    fixed_count = 1
    wait_time = constant(1)

    @tag("bare")
    @task
    def bare(self):
        self.client.get("/bench/bare/", name="GET /bench/bare/ (probe in the mix)")
