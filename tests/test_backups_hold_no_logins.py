"""No backup holds a login: the sessions (whose key, in a cookie, is a login) and the API tokens
are left out of the application's export and of the nightly ``pg_dump`` alike, both named by
``backups.archive.LOGINS``. The walk looks at every model's fields for anything else that could
log someone in, so a new table of keys or tokens has to be placed on one side or the other.
(The dump itself, made by the script against PostgreSQL: ``tests/test_pg_dump_restore.py``.)"""

import re
from pathlib import Path

from django.apps import apps
from django.db import models

from backups import archive

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docker" / "pg-backup.sh"

LOOKS_LIKE_A_SECRET = re.compile(r"session|token|digest|secret|password|key|hash")
# fields with such a name that a backup keeps, and why no one logs in with them
KEPT = {
    ("accounts.user", "password"): "a salted hash; a restored system needs it to log anyone in",
    ("axes.accesslog", "session_hash"): "django-axes' hash of a session key, for its log",
    ("django_celery_beat.periodictask", "routing_key"): "a Celery queue's name, not a secret",
}


def script_login_tables() -> set[str]:
    [line] = [line for line in SCRIPT.read_text().splitlines() if line.startswith("LOGIN_TABLES=")]
    return set(re.fullmatch(r"LOGIN_TABLES=\((.*)\)", line).group(1).split())


def test_the_nightly_dump_leaves_out_the_rows_of_the_login_tables():
    tables = {model._meta.db_table for model in archive.login_models()}
    assert tables == {"django_session", "knox_authtoken"}
    assert script_login_tables() == tables
    assert '"${LOGIN_TABLES[@]/#/--exclude-table-data=}"' in SCRIPT.read_text()


def test_the_application_export_leaves_out_the_same_logins():
    assert archive.LOGINS <= archive.EXCLUDED


def test_every_field_that_could_log_someone_in_is_left_out_or_explained():
    unplaced = []
    for model in apps.get_models():
        concrete = model._meta.concrete_model._meta.label_lower
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) or not LOOKS_LIKE_A_SECRET.search(field.name):
                continue
            if concrete in archive.LOGINS or (concrete, field.name) in KEPT:
                continue
            unplaced.append(f"{concrete}.{field.name}")
    assert unplaced == []
