"""The load test's own parts: the bare view, the post-run check and the locustfile (which is
imported in a subprocess: locust patches the standard library with gevent when imported)."""

import datetime
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from django.urls import Resolver404, path, resolve

from loadtest import bare
from loadtest.check import claim_problems, read_accepted, summarise
from loadtest.run import floor_ratios, floor_table, read_stats, table
from seniors.idnumber import parse_id_number

ROOT = Path(__file__).resolve().parent.parent

# a URLconf with the bare route, for the test through the whole middleware stack
urlpatterns = [path("bench/bare/", bare.bare)]


def accepted(client_uuid, pk, status=201, resend=False):
    return {"client_uuid": client_uuid, "id": pk, "status": status, "resend": resend}


def test_every_accepted_claim_once_is_no_problem():
    records = [accepted("a", 1), accepted("a", 1, 200, True), accepted("b", 2)]
    assert claim_problems(records, {"a": [1], "b": [2]}) == []
    assert summarise(records) == {
        "accepted answers": 3,
        "claims created (201)": 2,
        "resends answered (200)": 1,
        "distinct client_uuid": 2,
    }


@pytest.mark.parametrize(
    ("records", "in_db", "expected"),
    [
        ([accepted("a", 1)], {}, "not in the database"),
        ([accepted("a", 1)], {"a": [1, 7]}, "2 rows in the database"),
        ([accepted("a", 1)], {"a": [7]}, "the database has 7"),
        ([accepted("a", 1), accepted("a", 2, 200, True)], {"a": [1]}, "different ids"),
    ],
)
def test_a_lost_doubled_or_other_claim_is_a_problem(records, in_db, expected):
    problems = claim_problems(records, in_db)
    assert len(problems) == 1 and expected in problems[0]


def test_accepted_claims_are_read_from_the_users_files(tmp_path):
    (tmp_path / "claims-a.jsonl").write_text(
        json.dumps(accepted("a", 1)) + "\n\n" + json.dumps(accepted("a", 1, 200, True)) + "\n"
    )
    records = read_accepted([tmp_path / "claims-a.jsonl", tmp_path / "missing.jsonl"])
    assert [r["status"] for r in records] == [201, 200]


STATS_CSV = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,\
90%,95%,98%,99%,99.9%,99.99%,100%
GET,GET /bench/bare/ (bare view),1000,0,10,11,1,90,12,100.0,0.0,10,12,13,14,16,20,30,40,80,90,90
GET,GET /api/v1/seniors/ (filters),300,1,100,110,50,900,50000,20.0,0.1,100,120,130,140,160,200,\
300,400,800,900,900
GET,GET /login/,5,0,50,50,40,60,3000,0.1,0.0,50,50,50,50,60,60,60,60,60,60,60
,Aggregated,1305,1,12,30,1,900,9000,120.1,0.1,12,14,16,18,60,120,200,300,800,900,900
"""


def test_locust_stats_become_the_table(tmp_path):
    (tmp_path / "x_stats.csv").write_text(STATS_CSV)
    rows = read_stats(tmp_path / "x_stats.csv")
    assert rows[1] == {
        "name": "GET /api/v1/seniors/ (filters)",
        "type": "GET",
        "requests": 300,
        "failures": 1,
        "rps": 20.0,
        "p50": 100.0,
        "p95": 200.0,
        "p99": 400.0,
    }
    assert rows[-1]["name"] == "Aggregated"
    lines = table({"seniors_list": rows[1:], "mixed": rows[1:]}, bare_rps=rows[0]["rps"])
    assert any(
        "| seniors_list | `GET /api/v1/seniors/ (filters)` |" in x and "| 0.20 |" in x
        for x in lines
    )
    assert lines[-1].startswith("| mixed | **all app endpoints together** | 300 | 20.0 |")
    assert lines[-1].endswith("| 0.20 |")  # the login is not an app endpoint


def test_the_bare_view_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = bare.bare(RequestFactory().get("/bench/bare/"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"ok": True}


@override_settings(ROOT_URLCONF=__name__)
def test_the_bare_view_is_open_through_the_whole_stack(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/bare/", secure=True)
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert client.post("/bench/bare/", secure=True).status_code in (403, 405)  # CSRF, GET only


def test_the_bare_route_exists_only_when_switched_on(monkeypatch):
    monkeypatch.delenv(bare.ENV_FLAG, raising=False)
    assert bare.routes() == []
    with pytest.raises(Resolver404):  # the project's URLconf, as the tests load it
        resolve("/bench/bare/")
    monkeypatch.setenv(bare.ENV_FLAG, "1")
    assert [r.name for r in bare.routes()] == ["bare"]


LOCUST_PROBE = """
import datetime, json, random
from loadtest import locustfile as lf
rng = random.Random(8)
today = datetime.date(2026, 11, 29)
used = set()
numbers = [lf.new_id_number(rng, used, today) for _ in range(200)]
slots = [(a.isoformat(), b.isoformat()) for a, b in lf.claim_slots(today)]
classes = sorted(n for n, v in vars(lf).items() if isinstance(v, type))
print(json.dumps({"numbers": numbers, "slots": slots, "classes": classes}))
"""


def test_the_locustfile_imports_and_makes_valid_data():
    done = subprocess.run(
        [sys.executable, "-c", LOCUST_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    for name in ("StaffUser", "VolunteerUser", "BureauUser", "BareUser", "BareProbe"):
        assert name in probe["classes"]
    today = datetime.date(2026, 11, 29)
    assert len(set(probe["numbers"])) == 200
    for number in probe["numbers"]:
        parsed = parse_id_number(number)  # valid check digit and birth date
        assert 61 <= (today - parsed.birth_date).days // 365.25 <= 95
    # claims: half hours, none overlapping, at most 8 h a day, within the last 30 days, past
    slots = [tuple(map(datetime.datetime.fromisoformat, s)) for s in probe["slots"]]
    assert len(slots) == 28 * 16
    ordered = sorted(slots)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ordered))
    assert all((b - a) == datetime.timedelta(minutes=30) for a, b in slots)
    per_day = {}
    for a, _b in slots:
        per_day[a.date()] = per_day.get(a.date(), 0) + 1
        assert 1 <= (today - a.date()).days <= 28
    assert max(per_day.values()) * 0.5 <= 8


def test_locust_lists_the_user_classes():
    done = subprocess.run(
        [str(Path(sys.executable).parent / "locust"), "-f", "loadtest/locustfile.py", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for name in ("StaffUser", "VolunteerUser", "BureauUser", "BareUser", "BareProbe"):
        assert name in done.stdout


def test_a_floor_ratio_is_the_apps_cpu_per_request_over_the_floors():
    def rows(requests, failures=0):
        return [{"name": "Aggregated", "requests": requests, "failures": failures}]

    cpu = {
        "app-seniors_list": {"gunicorn": 6.0, "postgres": 2.0},  # 400 requests: 15 ms each
        "floor-seniors_list": {"gunicorn": 5.0, "postgres": 2.5},  # 500 requests: 10 ms each
        "app-claim_post": {"gunicorn": 1.0, "postgres": 0.0},  # no floor pass: no ratio
    }
    results = {
        "app-seniors_list": rows(400),
        "floor-seniors_list": rows(500, failures=1),
        "app-claim_post": rows(100),
    }
    assert floor_ratios(cpu, results) == {"seniors_list": pytest.approx(1.5)}
    assert floor_table(cpu, results)[-1] == (
        "| seniors_list | 400 | 15.0 | 500 | 10.0 | 1.50 | 5.0 / 5.0 | 0 / 1 |"
    )
