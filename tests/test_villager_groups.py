"""Villager groups are generated for the demo: deterministic, only for villages, never twice."""

import pytest
from django.core.management import call_command

from demo.villager_groups import chinese_ordinal, villager_groups_generate
from regions.models import Level, Region

pytestmark = pytest.mark.django_db


def test_every_village_and_no_community_gets_between_4_and_12_groups(regions):
    villager_groups_generate(seed=7)

    for code in ("500156101201", "500156208200"):
        groups = Region.objects.filter(parent_id=code, level=Level.GROUP)
        assert 4 <= groups.count() <= 12
        # codes extend the village's code, so a group sits in its village's subtree
        assert all(g.code.startswith(code) and len(g.code) == 15 for g in groups)
    assert not Region.objects.filter(parent_id="500156101006").exists()  # 铁佛寺社区


def test_groups_are_numbered_in_chinese_within_their_village(regions):
    villager_groups_generate(seed=7)

    first = Region.objects.get(code="500156208200001")
    assert (first.name, first.short_name, first.kind) == ("文凤村第一村民小组", "一组", "村民小组")


def test_the_same_seed_generates_the_same_groups_and_a_rerun_adds_none(regions):
    created = villager_groups_generate(seed=7)
    codes = set(Region.objects.filter(level=Level.GROUP).values_list("code", flat=True))

    assert villager_groups_generate(seed=7) == 0
    assert set(Region.objects.filter(level=Level.GROUP).values_list("code", flat=True)) == codes
    # the fixture's 3 groups of 板桥村 are kept, the rest generated
    assert created == len(codes) - 3


def test_the_command_reports_how_many_it_created(regions, capsys):
    call_command("generate_villager_groups", "--seed", "7")

    created = Region.objects.filter(level=Level.GROUP).count() - 3
    assert f"{created} " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三")]
)
def test_chinese_ordinals(n, text):
    assert chinese_ordinal(n) == text
