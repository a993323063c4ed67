"""Real parallel transactions for the tests marked ``services`` (PostgreSQL)."""

import threading

from django.db import connection

CLIENTS = 8


def run_together(work):
    """Run ``work(i)`` in CLIENTS threads released at the same instant; collect results."""
    barrier = threading.Barrier(CLIENTS)
    results: list = [None] * CLIENTS

    def target(i):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", work(i))
        except Exception as exc:  # the test inspects what each client got
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
