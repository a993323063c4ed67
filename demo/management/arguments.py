"""The arguments the demo generators share: a seed (the same seed generates the same data) and
the day they generate as of."""

import datetime

DEFAULT_SEED = 2021


def add_seed(parser) -> None:
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )


def add_today(parser, *, help: str = "as of (YYYY-MM-DD; default today)") -> None:
    parser.add_argument("--today", type=datetime.date.fromisoformat, help=help)
