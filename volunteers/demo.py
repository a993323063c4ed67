"""The volunteer side's demo data (演示数据): per village some volunteers, a volunteer team and
an elders' association for most villages, a mutual-aid group for most villager groups, an
elderly-care assistant for most villages, and 结对扶老 pairings dated since 2021 in realistic
proportions with gaps (plan 二(七), 二(八)).

Proportions (assumptions, no source checked): of the key targets about 85 % paired one-to-one,
5 % covered by a grid pairing only (a gap the rule shows), 10 % unpaired; of the other 高龄/独居/
留守 seniors about 75 % in grid or area pairings, 5 % one-to-one, 20 % unpaired. Villages
without seniors to pair still get a few volunteers.

Deterministic for a seed: one ``random.Random`` and one seeded Faker (zh_CN), villages and
seniors taken in code and id order. All or nothing in one transaction; when any volunteer is
already in the ledger the demo is considered there and nothing is added (the demo account is
still linked, if it is not yet). The bulk writes record a history row each, as the services
would (``bulk_create_with_history``); the rules the services enforce (same township, one open
pairing per pair, region levels of groups) hold by construction.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from regions.models import Level, Region
from seniors.models import Senior
from volunteers.models import (
    ElderlyCareAssistant,
    Group,
    GroupKind,
    Pairing,
    PairingMode,
    Policy,
    Volunteer,
    VolunteerKind,
)
from volunteers.pairings import GRID_OR_AREA, with_required_pairing

START = datetime.date(2021, 6, 1)
DEMO_USER = "volunteer-demo"
DEMO_VILLAGE = "500156101201"  # 板桥村
DEMO_PAIRINGS = 3
REASON = "demo data (generate_volunteers)"
KIND_WEIGHTS = {
    VolunteerKind.PARTY_MEMBER: 25,
    VolunteerKind.YOUNGER_SENIOR: 30,
    VolunteerKind.VILLAGER: 25,
    VolunteerKind.VILLAGE_CADRE: 10,
    VolunteerKind.VILLAGE_DOCTOR: 5,
    VolunteerKind.OTHER: 5,
}
P_TEAM, P_ASSOCIATION, P_MUTUAL_AID, P_ASSISTANT = 0.85, 0.8, 0.75, 0.9


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _link_demo_user(today: datetime.date) -> int:
    """Give ``volunteer-demo`` a volunteer record in 板桥村 with a few pairings; the number of
    pairings added."""
    user = User.objects.filter(username=DEMO_USER).first()
    village = Region.objects.filter(code=DEMO_VILLAGE).first()
    if user is None or village is None or Volunteer.objects.filter(user=user).exists():
        return 0
    volunteer = Volunteer.objects.filter(village=village, user__isnull=True).first()
    if volunteer is None:
        volunteer = Volunteer(
            name="演示志愿者", kind=VolunteerKind.YOUNGER_SENIOR, village=village, joined_on=START
        )
    volunteer.user = user
    volunteer._change_reason = REASON
    volunteer.save()
    policy = Policy.current()
    paired = Pairing.objects.filter(ended_on__isnull=True).values("senior_id")
    seniors = (
        Senior.objects.active().filter(village=village).exclude(pk__in=paired).order_by("id")
    )[:DEMO_PAIRINGS]
    pairings = [
        Pairing(
            helper=volunteer,
            senior=s,
            mode=PairingMode.GRID,
            started_on=START,
            visit_interval_days=policy.interval_for(PairingMode.GRID),
        )
        for s in seniors
    ]
    bulk_create_with_history(pairings, Pairing, default_change_reason=REASON)
    return len(pairings)


def volunteers_generate(*, seed: int = 2021, today: datetime.date | None = None) -> Counter:
    """Generate the demo volunteer side as of ``today``; the number of rows of each kind added
    (empty when the demo is already there, apart from linking the demo account)."""
    today = today or timezone.localdate()
    created: Counter = Counter()
    with transaction.atomic():
        if Volunteer.objects.exists():
            created["demo_pairings"] = _link_demo_user(today)
            return +created
        rng = random.Random(seed)
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        villages = list(
            Region.objects.filter(level=Level.VILLAGE, code__startswith="500156").order_by("code")
        )
        groups_of: dict[str, list[Region]] = defaultdict(list)
        for group in Region.objects.filter(level=Level.GROUP).order_by("code"):
            groups_of[group.parent_id].append(group)
        targets: dict[str, list[tuple[int, str]]] = defaultdict(list)
        rows = (
            with_required_pairing(Senior.objects.all(), today)
            .filter(required_mode__isnull=False)
            .order_by("village_id", "id")
            .values_list("pk", "village_id", "required_mode")
        )
        for pk, village, required in rows:
            targets[village].append((pk, required))

        kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        volunteers, groups, assistants = [], [], []
        for village in villages:
            n = min(12, 3 + len(targets[village.code]) // 6)
            for _ in range(n):
                volunteers.append(
                    Volunteer(
                        name=fake.name(),
                        phone=fake.phone_number(),
                        kind=rng.choices(kinds, weights)[0],
                        village=village,
                        villager_group=rng.choice(groups_of[village.code])
                        if groups_of[village.code]
                        else None,
                        joined_on=_day(rng, START, today),
                    )
                )
            founded = _day(rng, START, today)
            if rng.random() < P_TEAM:
                groups.append(
                    Group(
                        kind=GroupKind.VOLUNTEER_TEAM,
                        region=village,
                        name=f"{village.short_name}志愿服务队",
                        founded_on=founded,
                        leader=fake.name(),
                    )
                )
            if rng.random() < P_ASSOCIATION:
                groups.append(
                    Group(
                        kind=GroupKind.ELDERS_ASSOCIATION,
                        region=village,
                        name=f"{village.short_name}老年协会",
                        founded_on=founded,
                        leader=fake.name(),
                    )
                )
            for vg in groups_of[village.code]:
                if rng.random() < P_MUTUAL_AID:
                    groups.append(
                        Group(
                            kind=GroupKind.MUTUAL_AID_GROUP,
                            region=vg,
                            name=f"{village.short_name}{vg.short_name}互助服务小组",
                            founded_on=_day(rng, START, today),
                        )
                    )
            if rng.random() < P_ASSISTANT:
                assistants.append(
                    ElderlyCareAssistant(
                        village=village,
                        name=fake.name(),
                        full_time=rng.random() < 0.3,
                        started_on=_day(rng, START, today),
                    )
                )
        volunteers = bulk_create_with_history(volunteers, Volunteer, default_change_reason=REASON)
        bulk_create_with_history(groups, Group, default_change_reason=REASON)
        bulk_create_with_history(assistants, ElderlyCareAssistant, default_change_reason=REASON)
        if any(v.pk is None for v in volunteers):  # backends without RETURNING
            volunteers = list(Volunteer.objects.order_by("id"))

        helpers_of: dict[str, list[Volunteer]] = defaultdict(list)
        for v in volunteers:
            helpers_of[v.village_id].append(v)
        policy = Policy.current()
        pairings = []
        for village in villages:
            helpers = helpers_of[village.code]
            for senior_pk, required in targets[village.code]:
                roll = rng.random()
                if required == GRID_OR_AREA:
                    if roll < 0.05:
                        mode = PairingMode.ONE_TO_ONE
                    elif roll < 0.80:
                        mode = rng.choice([PairingMode.GRID, PairingMode.GRID, PairingMode.AREA])
                    else:
                        continue
                else:
                    if roll < 0.85:
                        mode = PairingMode.ONE_TO_ONE
                    elif roll < 0.90:
                        mode = PairingMode.GRID
                    else:
                        continue
                helper = rng.choice(helpers)
                pairings.append(
                    Pairing(
                        helper=helper,
                        senior_id=senior_pk,
                        mode=mode,
                        started_on=_day(rng, max(START, helper.joined_on), today),
                        visit_interval_days=policy.interval_for(mode),
                    )
                )
        bulk_create_with_history(pairings, Pairing, default_change_reason=REASON)
        created.update(
            volunteers=len(volunteers),
            groups=len(groups),
            assistants=len(assistants),
            pairings=len(pairings),
        )
        created["demo_pairings"] = _link_demo_user(today)
    return +created
