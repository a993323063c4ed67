"""Answers read from the snapshots (the coverage pages' figures, the big screen, the Excel
export, the snapshots API) kept in the shared cache until the snapshots they were read from
change.

An answer's key names everything that makes it differ: what was asked (the page or endpoint,
the region, the query), who asked in the only way the answer depends on them (their scope:
the code prefix they see, and their role), the language, the code that builds it (a digest of
the templates, selectors and translations, so a deploy never serves an old page), and the
*tokens* of the data it was read from:

- ``everything``: replaced by a full run and by a change of the reference data (an indicator,
  a target, a plan, a region), which changes every region's judgement or labels;
- one token per region at township level and above: a partial run of the dirty townships
  replaces the token of each township it recomputed and of their ancestors (the district,
  the city, the province), which are all the regions whose snapshots it rewrote. A village's
  answers follow its township's token;
- ``any region``: replaced by every partial run, for an answer that spans every region (an
  administrator's unfiltered snapshot list).

Nothing is deleted: a replaced token makes the old entries unreachable and they expire
(``TIMEOUT``). Tokens are random, not counters, so a token the cache evicted and created anew
never meets an entry of an earlier one. The tokens must be shared by the process that finishes
a run (a Celery worker) and the ones that serve pages: with Redis (``CACHE_URL``) they are;
with the per-process memory cache only within one process (the demo, whose Celery runs in the
web process), so there an answer is kept ``LOCAL_TIMEOUT`` only, the longest another process
can show figures older than a run. The cache is server-side: the pages still answer
``Cache-Control: no-store`` to a logged-in browser (``audit.middleware``).

Callers check the user's permission and scope first and only then read the cache; per-user
parts of a page (the header with the name, the CSRF token, messages, the breadcrumbs of what
the user may see) are rendered around the cached part, never inside it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import cache as once
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import get_language

from coverage import rules
from regions.scoping import scope_prefix

T = TypeVar("T")

# how long an answer is kept (tokens themselves never expire)
TIMEOUT = 12 * 60 * 60
LOCAL_TIMEOUT = 60
EVERYTHING = "everything"
ANY_REGION = "any-region"
TOKEN = "coverage:token:{}"
ANSWER = "coverage:answer:{}"
# what an answer is built with: a change to any of these files makes new keys
SOURCES = (
    "coverage/selectors.py",
    "coverage/definitions.py",
    "coverage/cache.py",
    "dashboard/views/coverage.py",
    "dashboard/coverage_excel.py",
    "dashboard/templates/dashboard/coverage",
    "api/coverage.py",
    "locale",
)


def owner(code: str) -> str:
    """The region whose token stands for ``code``'s answers: the township of a village or a
    villager group, the region itself at township level and above."""
    if len(code) >= 12 and code[:12].isdigit() and (len(code) > 12 or code[9:12] != "000"):
        return code[:9] + "000"
    return code


def ancestors(code: str) -> list[str]:
    """The province, city and district codes above a township (read from the code)."""
    above = [code[:n].ljust(12, "0") for n in (2, 4, 6)]
    return [c for c in dict.fromkeys(above) if c != code]


def invalidate(townships: list[str] | None = None) -> None:
    """Make the answers read from changed snapshots unreachable: every answer (``townships``
    empty: a full run, or reference data changed), or those of the townships recomputed and of
    the regions above them. Done at once and again when the transaction commits, so that no
    answer read before the commit outlives it."""
    if townships:
        codes = {ANY_REGION}
        for township in townships:
            codes.update([township, *ancestors(township)])
    else:
        codes = {EVERYTHING}
    keys = sorted(TOKEN.format(code) for code in codes)

    def replace() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)

    replace()
    if connection.in_atomic_block:
        transaction.on_commit(replace, robust=True)


def _tokens(codes: list[str]) -> list[str]:
    keys = [TOKEN.format(code) for code in codes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found.update(cache.get_many(missing))
    # a cache that keeps nothing: a fresh token each time, so nothing is ever found under it
    return [found.get(key) or uuid.uuid4().hex for key in keys]


@once
def _code_digest() -> str:
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    for source in SOURCES:
        path = base / source
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix in (".py", ".html", ".mo"):
                digest.update(str(file.relative_to(base)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def audience(user) -> tuple[str | None, str]:
    """What of the user an answer depends on: the subtree they see and their role."""
    return scope_prefix(user), rules.role_of(user)


def key(what: tuple, *, user, region: str | None) -> str:
    """The cache key of an answer about ``region`` (``None``: every region), asked as ``what``
    (the page or endpoint and its normalised query) by ``user``."""
    codes = [EVERYTHING, owner(region) if region else ANY_REGION]
    parts = (_code_digest(), get_language(), audience(user), what, _tokens(codes))
    return ANSWER.format(hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest())


def cached(what: tuple, *, user, region: str | None, build: Callable[[], T]) -> T:
    """The answer ``build()`` gives, from the cache when the same answer was built since the
    snapshots it reads last changed. The caller has checked that ``user`` may see it."""
    entry_key = key(what, user=user, region=region)
    entry = cache.get(entry_key)
    if entry is not None:
        return entry[0]
    value = build()
    cache.set(entry_key, (value,), _timeout())
    return value


def _timeout() -> int:
    backend = settings.CACHES["default"]["BACKEND"]
    return LOCAL_TIMEOUT if backend.endswith("LocMemCache") else TIMEOUT
