"""The check after a load run: nothing the server accepted is lost or doubled, the books balance.

- Every claim the server accepted (a 2xx with an id, written by the volunteer users to the
  claims file) is in the database exactly once under its ``client_uuid``, with the id the
  server answered; a resend answered with the first claim's id.
- Claims in the database for the run's volunteers that no user heard about are listed (a
  request that timed out on the client but was committed: not an error, but worth knowing).
- The time-bank ledger sums to zero and every cached balance equals its entries
  (``volunteers.ledger.books_balance``).

The pure functions take plain data so the test can feed them; ``run_check`` reads the database.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path


def read_accepted(paths: Iterable[Path]) -> list[dict]:
    """The accepted claims from the volunteers' files (one JSON object a line)."""
    accepted = []
    for path in paths:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                accepted.append(json.loads(line))
    return accepted


def claim_problems(accepted: list[dict], in_db: Mapping[str, list[int]]) -> list[str]:
    """What is wrong between what the server answered and what the database holds.

    ``accepted``: ``{"client_uuid", "id", "status", "resend"}`` per accepted answer (a resend
    is a second answer for the same uuid). ``in_db``: client_uuid → the ids of the rows with
    that uuid. Empty when every accepted claim is there exactly once with the answered id."""
    problems = []
    answered: dict[str, set[int]] = defaultdict(set)
    for record in accepted:
        answered[str(record["client_uuid"])].add(int(record["id"]))
    for client_uuid, ids in sorted(answered.items()):
        if len(ids) > 1:
            problems.append(f"{client_uuid}: the server answered different ids {sorted(ids)}")
        rows = in_db.get(client_uuid, [])
        if not rows:
            problems.append(f"{client_uuid}: accepted as {sorted(ids)} but not in the database")
        elif len(rows) > 1:
            problems.append(f"{client_uuid}: {len(rows)} rows in the database {sorted(rows)}")
        elif rows[0] not in ids:
            problems.append(f"{client_uuid}: answered {sorted(ids)}, the database has {rows[0]}")
    return problems


def summarise(accepted: list[dict]) -> dict[str, int]:
    firsts = sum(1 for r in accepted if not r.get("resend"))
    resends = sum(1 for r in accepted if r.get("resend"))
    return {
        "accepted answers": len(accepted),
        "claims created (201)": firsts,
        "resends answered (200)": resends,
        "distinct client_uuid": len({str(r["client_uuid"]) for r in accepted}),
    }


def run_check(claim_files: Iterable[Path], volunteer_ids: Iterable[int]) -> tuple[bool, list[str]]:
    """Check the database (Django set up by the caller); returns (ok, lines of the report)."""
    from django.db.models import Sum

    from volunteers.ledger import books_balance
    from volunteers.models import Entry, ServiceLog

    accepted = read_accepted(claim_files)
    uuids = sorted({str(r["client_uuid"]) for r in accepted})
    in_db: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(uuids), 1000):
        rows = ServiceLog.objects.filter(client_uuid__in=uuids[start : start + 1000])
        for client_uuid, pk in rows.values_list("client_uuid", "pk"):
            in_db[str(client_uuid)].append(pk)
    problems = claim_problems(accepted, in_db)
    unheard = (
        ServiceLog.objects.filter(volunteer_id__in=list(volunteer_ids))
        .exclude(client_uuid__in=uuids)
        .count()
    )
    total = Entry.objects.aggregate(s=Sum("amount"))["s"] or 0
    books = books_balance()
    lines = [f"{k}: {v}" for k, v in summarise(accepted).items()]
    lines.append(
        f"accepted claims found exactly once by client_uuid: {len(uuids) - len(problems)}"
        f" of {len(uuids)}"
    )
    lines += [f"PROBLEM {p}" for p in problems[:20]]
    lines.append(f"claims of the run's volunteers that no user heard about: {unheard}")
    lines.append(f"time-bank entries: {Entry.objects.count()}, SUM(amount) = {total}")
    lines.append(f"books_balance(): {books or 'balanced'}")
    ok = not problems and total == 0 and not books
    return ok, lines
