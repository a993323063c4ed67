"""Counting the queries a piece of work issues (benchmarks and the coverage run's record)."""

from __future__ import annotations


class QueryCounter:
    """An ``execute_wrapper`` that counts: ``with connection.execute_wrapper(counter): ...``."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
