"""Load test of the system over HTTP: locust against gunicorn on PostgreSQL.

- ``loadtest/locustfile.py``: the users (township staff, volunteers, the bureau, the bare view).
- ``loadtest/run.py``: the whole run (prepare accounts, start gunicorn, the passes, the check).
- ``loadtest/check.py``: the post-run check (every accepted claim once, the ledger at zero).

See the docstring of ``loadtest/run.py`` for the command.
"""
