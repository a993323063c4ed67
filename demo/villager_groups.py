"""Villager groups (村民小组) for the demo: no official list or code exists for them, so every
village gets a plausible, numbered set (第一村民小组 …), the same on every machine for a seed.
"""

from __future__ import annotations

import random

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from regions.models import Kind, Level, Region

CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (villager groups are numbered 第一…第二十)."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    tens, units = divmod(n, 10)
    return (
        (CHINESE_NUMERALS[tens] if tens > 1 else "")
        + "十"
        + (CHINESE_NUMERALS[units] if units else "")
    )


def villager_groups_generate(*, seed: int = 2021, min_groups: int = 4, max_groups: int = 12) -> int:
    """Give every village (村, not 社区) a plausible set of villager groups (第一村民小组 …).

    There is no official list or code for villager groups; these are generated for the demo.
    The count per village depends only on the seed and the village code, so a rerun creates
    nothing new and two machines generate the same groups.
    """
    villages = Region.objects.filter(level=Level.VILLAGE, kind=Kind.VILLAGE).order_by("code")
    have = set(Region.objects.filter(level=Level.GROUP).values_list("code", flat=True))
    new: list[Region] = []
    for village in villages:
        count = random.Random(f"{seed}:{village.code}").randint(min_groups, max_groups)
        for n in range(1, count + 1):
            code = f"{village.code}{n:03d}"
            if code in have:
                continue
            name = f"{village.short_name}第{chinese_ordinal(n)}村民小组"
            new.append(
                Region(
                    code=code,
                    name=name,
                    short_name=f"{chinese_ordinal(n)}组",
                    level=Level.GROUP,
                    kind=Kind.VILLAGER_GROUP,
                    parent_id=village.code,
                )
            )
    with transaction.atomic():
        bulk_create_with_history(new, Region, batch_size=500)
    return len(new)
