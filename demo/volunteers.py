"""The volunteer side's demo data (演示数据): per village some volunteers, a volunteer team and
an elders' association for most villages, a mutual-aid group for most villager groups, an
elderly-care assistant for most villages, and 结对扶老 pairings dated since 2021 in realistic
proportions with gaps (plan 二(七), 二(八)).

Proportions (assumptions, no source checked): of the key targets about 85 % paired one-to-one,
5 % covered by a grid pairing only (a gap the rule shows), 10 % unpaired; of the other 高龄/独居/
留守 seniors about 75 % in grid or area pairings, 5 % one-to-one, 20 % unpaired. Villages
without seniors to pair still get a few volunteers.

Dates follow the plan's ramp-up: each village's regular visits start on its own day
(``demo.population.visit_programme``: a few villages in 2021, most by the end of 2022, all
by mid-2023), and its volunteers join, its team, association, mutual-aid groups and assistant
start and its pairings begin around that day (a pairing not before the senior's registration
nor the helper's joining), some later; so the coverage trends rise month by month.

The time bank (时间银行, 二(八)) runs in 白马镇 since 2022-07 and in ``TIMEBANK_LATER`` more
townships since 2023: a supermarket catalogue, and an eighth of their paired volunteers (and
``volunteer-demo``, paired with seniors of 板桥村) log their services every one to three months
(every two to four weeks for the demo account). Each claim is decided through the claim
services (``claim_verify``: a visit and one credit of hours; ``claim_reject`` for a few); the
last week's wait (the demo account's through ``claim_submit``); redemptions and donations to
the fund go through ``timebank_redeem`` and ``timebank_transfer``, so every movement is
``ledger.post_movement``'s and the books balance. They run in the order they happened; the
rows the services stamp "now" are then dated on their day. Without the ``bureau`` account
(``create_demo_accounts``) nobody could verify: no time bank.

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
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from demo import accounts as demo_accounts
from demo.population import visit_programme
from regions.models import Level, Region
from seniors.models import Senior, ServiceType
from volunteers.claims import claim_reject, claim_submit, claim_verify
from volunteers.ledger import account_for, system_account
from volunteers.models import (
    AccountKind,
    CatalogueItem,
    ElderlyCareAssistant,
    Group,
    GroupKind,
    Movement,
    Pairing,
    PairingMode,
    Policy,
    Redemption,
    ServiceLog,
    Transfer,
    Volunteer,
    VolunteerKind,
)
from volunteers.pairings import GRID_OR_AREA, with_required_pairing
from volunteers.spending import items_offered_to, timebank_redeem, timebank_transfer

START = datetime.date(2021, 6, 1)
DAY = datetime.timedelta(days=1)
DEMO_USER = demo_accounts.VOLUNTEER.username
DEMO_VILLAGE = demo_accounts.VOLUNTEER.region  # 板桥村
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
# the groups a village may have, each founded with its volunteers: (chance, kind, name suffix)
VILLAGE_GROUPS = (
    (P_TEAM, GroupKind.VOLUNTEER_TEAM, "志愿服务队"),
    (P_ASSOCIATION, GroupKind.ELDERS_ASSOCIATION, "老年协会"),
)


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _around(
    rng: random.Random,
    programme: datetime.date,
    today: datetime.date,
    before: int,
    after: int,
    late_share: float,
) -> datetime.date:
    """A day near the village's programme start (``before`` days before to ``after`` days
    after), or with ``late_share`` any day since it; never before ``START`` nor after today."""
    if rng.random() < late_share:
        day = _day(rng, programme, today)
    else:
        day = _day(rng, programme - DAY * before, programme + DAY * after)
    return min(max(day, START), today)


def _link_demo_user(seed: int, today: datetime.date) -> tuple[Volunteer | None, int]:
    """Give ``volunteer-demo`` a volunteer record in 板桥村 with a few pairings, started when
    the village's regular visits did; the volunteer (None when already linked or no account)
    and the pairings added."""
    user = User.objects.filter(username=DEMO_USER).first()
    village = Region.objects.filter(code=DEMO_VILLAGE).first()
    if user is None or village is None or Volunteer.objects.filter(user=user).exists():
        return None, 0
    start = min(visit_programme(seed, DEMO_VILLAGE), today)
    volunteer = Volunteer.objects.filter(village=village, user__isnull=True).order_by("id").first()
    if volunteer is None:
        volunteer = Volunteer(
            name="演示志愿者", kind=VolunteerKind.YOUNGER_SENIOR, village=village, joined_on=start
        )
    volunteer.user = user
    volunteer.joined_on = min(volunteer.joined_on or start, start)
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
            started_on=min(max(start, s.registered_on + DAY * 14), today),
            visit_interval_days=policy.interval_for(PairingMode.GRID),
        )
        for s in seniors
    ]
    bulk_create_with_history(pairings, Pairing, default_change_reason=REASON)
    return volunteer, len(pairings)


def volunteers_generate(*, seed: int = 2021, today: datetime.date | None = None) -> Counter:
    """Generate the demo volunteer side as of ``today``; the number of rows of each kind added
    (empty when the demo is already there, apart from linking the demo account)."""
    today = today or timezone.localdate()
    created: Counter = Counter()
    with transaction.atomic():
        if Volunteer.objects.exists():
            demo, created["demo_pairings"] = _link_demo_user(seed, today)
            if demo is not None:
                created.update(
                    _timebank(
                        rng=random.Random(f"{seed}:timebank:demo"),
                        today=today,
                        volunteers=[demo],
                        pairings=list(Pairing.objects.filter(helper=demo)),
                        demo=demo,
                    )
                )
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
        targets: dict[str, list[tuple[int, str, datetime.date]]] = defaultdict(list)
        rows = (
            with_required_pairing(Senior.objects.all(), today)
            .filter(required_mode__isnull=False)
            .order_by("village_id", "id")
            .values_list("pk", "village_id", "required_mode", "registered_on")
        )
        for pk, village, required, registered in rows:
            targets[village].append((pk, required, registered))
        programme = {v.code: visit_programme(seed, v.code) for v in villages}

        kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        volunteers, groups, assistants = [], [], []
        for village in villages:
            start = programme[village.code]
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
                        joined_on=_around(rng, start, today, 180, 30, 0.2),
                    )
                )
            founded = _around(rng, start, today, 120, 60, 0.1)
            for chance, kind, suffix in VILLAGE_GROUPS:
                if rng.random() < chance:
                    groups.append(
                        Group(
                            kind=kind,
                            region=village,
                            name=f"{village.short_name}{suffix}",
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
                            founded_on=_around(rng, start, today, 90, 120, 0.15),
                        )
                    )
            if rng.random() < P_ASSISTANT:
                assistants.append(
                    ElderlyCareAssistant(
                        village=village,
                        name=fake.name(),
                        full_time=rng.random() < 0.3,
                        started_on=_around(rng, start, today, 90, 30, 0.1),
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
            start = programme[village.code]
            for senior_pk, required, registered in targets[village.code]:
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
                # paired when the village's programme starts, or soon after the senior is
                # registered (or needs it), and not before the helper joined
                started = max(
                    start + DAY * rng.randint(0, 90),
                    registered + DAY * rng.randint(7, 60),
                    helper.joined_on,
                )
                if started > today:
                    continue
                pairings.append(
                    Pairing(
                        helper=helper,
                        senior_id=senior_pk,
                        mode=mode,
                        started_on=started,
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
        demo, created["demo_pairings"] = _link_demo_user(seed, today)
        created.update(
            _timebank(
                rng=random.Random(f"{seed}:timebank"),
                today=today,
                volunteers=list(Volunteer.objects.order_by("id")),
                pairings=list(Pairing.objects.order_by("id")),
                demo=demo,
            )
        )
    return +created


# --- the time bank (时间银行, 二(八)) ------------------------------------------------------------

# Townships whose time bank runs, and since when: 白马镇 piloted it, two more followed.
TIMEBANK_PILOT = ("500156101", datetime.date(2022, 7, 1))
TIMEBANK_LATER = 2
TIMEBANK_LATER_FROM = (datetime.date(2023, 3, 1), datetime.date(2023, 12, 31))
P_TIMEBANK = 0.12  # paired volunteers of those townships who log their hours
CLAIM_GAP = (35, 90)  # days between a volunteer's claims
DEMO_CLAIM_GAP = (12, 30)
PENDING_DAYS = 7  # claims of the last days not yet decided
P_REJECTED = 0.04
CLAIM_HOURS = ((1.0, 3), (1.5, 3), (2.0, 4), (2.5, 2), (3.0, 2))
CLAIM_SERVICES = {
    ServiceType.COMPANIONSHIP: 5,
    ServiceType.HOUSEKEEPING: 4,
    ServiceType.ERRANDS: 4,
    ServiceType.MEDICAL: 2,
    ServiceType.MEALS: 2,
    ServiceType.FARMING: 3,
}
CLAIM_NOTES = {
    ServiceType.COMPANIONSHIP: ("陪老人聊天，读报", "陪同散步，拉家常"),
    ServiceType.HOUSEKEEPING: ("打扫房间，清洗被褥", "整理院坝，清理杂物"),
    ServiceType.ERRANDS: ("代缴电费、话费", "到场镇代买米油和常用药"),
    ServiceType.MEDICAL: ("陪同到卫生院复查", "代取慢性病药品"),
    ServiceType.MEALS: ("帮忙做午饭", "送餐上门"),
    ServiceType.FARMING: ("帮忙挖地、栽洋芋", "帮忙收玉米"),
}
REJECT_REASONS = ("与老人核实，当天未提供服务", "服务时长与实际不符，请按实际时长重新申报")
CATALOGUE = (  # (region: district or a township, item, hours, stock) of 互助超市
    ("500156000000", "食用盐（400克）", "0.5", 300),
    ("500156000000", "洗衣粉（2公斤）", "1.5", 200),
    ("500156000000", "挂面（1公斤）", "1.0", 300),
    ("500156000000", "大米（5公斤）", "4.0", 150),
    ("500156000000", "食用油（5升）", "5.0", 120),
    ("500156101000", "理发服务（1次）", "1.0", 100),
    ("500156101000", "老年人体检套餐（卫生院）", "8.0", 30),
)
DONATION_MEMO = "捐赠给时间银行公益基金，用于困难老人服务"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@dataclass
class _Claim:
    volunteer: Volunteer
    senior: Senior
    service: str
    started_at: datetime.datetime
    hours: Decimal
    decided_at: datetime.datetime | None  # None: still pending
    rejected: str = ""
    notes: str = ""


@dataclass
class _Spend:
    volunteer: Volunteer
    at: datetime.datetime
    kind: str  # "redeem" or "donate"
    hours: Decimal = Decimal("0")


def _deciders() -> dict[str, User]:
    """Who decides claims: the village assistant of 板桥村, the staff of 白马镇, the bureau."""
    accounts = (demo_accounts.BUREAU, demo_accounts.STAFF_BAIMA, demo_accounts.ASSISTANT_BAIMA)
    users = User.objects.filter(username__in=[account.username for account in accounts])
    return {u.username: u for u in users}


def _decider(deciders: dict[str, User], village: str) -> User | None:
    assistant = demo_accounts.ASSISTANT_BAIMA.username
    staff = demo_accounts.STAFF_BAIMA.username
    if village == DEMO_VILLAGE and assistant in deciders:
        return deciders[assistant]
    if village.startswith("500156101") and staff in deciders:
        return deciders[staff]
    return deciders.get(demo_accounts.BUREAU.username)


def _plan_claims(
    rng: random.Random,
    volunteer: Volunteer,
    pairings: list[Pairing],
    seniors: dict[int, Senior],
    since: datetime.date,
    today: datetime.date,
    gap: tuple[int, int],
) -> list[_Claim]:
    """A volunteer's claims from ``since``: one every ``gap`` days to one of their seniors
    paired and living on the day; decided a few days later, the last days' still pending."""
    claims = []
    services, weights = list(CLAIM_SERVICES), list(CLAIM_SERVICES.values())
    hours, hour_weights = [h for h, _ in CLAIM_HOURS], [w for _, w in CLAIM_HOURS]
    day = since + DAY * rng.randint(0, gap[1] - gap[0])
    last = today - DAY
    while day <= last:
        living = [
            p
            for p in pairings
            if p.started_on <= day
            and seniors[p.senior_id].registered_on <= day
            and (seniors[p.senior_id].status_on is None or day < seniors[p.senior_id].status_on)
        ]
        if living:
            senior = seniors[rng.choice(living).senior_id]
            service = rng.choices(services, weights)[0]
            if service == ServiceType.FARMING and day.month not in (3, 4, 5, 8, 9, 10):
                service = ServiceType.HOUSEKEEPING
            start = _at(day, rng.choice((8, 9, 9, 10, 14, 14, 15)), rng.choice((0, 30)))
            decided = None
            if day < today - DAY * PENDING_DAYS:
                decided = _at(min(day + DAY * rng.randint(1, 5), last), 16, rng.randrange(60))
            claims.append(
                _Claim(
                    volunteer=volunteer,
                    senior=senior,
                    service=service,
                    started_at=start,
                    hours=Decimal(str(rng.choices(hours, hour_weights)[0])),
                    decided_at=decided,
                    rejected=rng.choice(REJECT_REASONS)
                    if decided and rng.random() < P_REJECTED
                    else "",
                    notes=rng.choice(CLAIM_NOTES[service]),
                )
            )
        day += DAY * rng.randint(*gap)
    return claims


def _timebank(
    *,
    rng: random.Random,
    today: datetime.date,
    volunteers: list[Volunteer],
    pairings: list[Pairing],
    demo: Volunteer | None,
) -> Counter:
    """Seed the time bank of the townships that run one: the supermarket's catalogue, claims
    over the months (verified by ``claim_verify``, a few rejected by ``claim_reject``, the
    last days' pending), redemptions (``timebank_redeem``) and donations to the fund
    (``timebank_transfer``), in the order they happened. The services write every claim's
    visit and every movement of hours (double entry); the rows are then dated on their day."""
    created: Counter = Counter()
    deciders = _deciders()
    if demo_accounts.BUREAU.username not in deciders:  # nobody to verify claims: no time bank
        return created
    townships = sorted({v.village_id[:9] for v in volunteers} - {TIMEBANK_PILOT[0]})
    opened = {TIMEBANK_PILOT[0]: TIMEBANK_PILOT[1]}
    for township in rng.sample(townships, min(TIMEBANK_LATER, len(townships))):
        opened[township] = _day(rng, *TIMEBANK_LATER_FROM)
    opened = {t: d for t, d in opened.items() if d < today}
    if not opened:
        return created
    wanted = [row for row in CATALOGUE if row[0][:9] in opened or row[0].endswith("000000")]
    names = [name for _code, name, _price, _stock in wanted]
    there = set(CatalogueItem.objects.filter(name__in=names).values_list("region_id", "name"))
    items = [
        CatalogueItem(region_id=code, name=name, hours_price=Decimal(price), stock=stock)
        for code, name, price, stock in wanted
        if (code, name) not in there
    ]
    bulk_create_with_history(items, CatalogueItem, default_change_reason=REASON)
    created["catalogue_items"] = len(items)
    items = list(CatalogueItem.objects.filter(name__in=names).order_by("id"))

    of_helper: dict[int, list[Pairing]] = defaultdict(list)
    for p in pairings:
        of_helper[p.helper_id].append(p)
    seniors = Senior.objects.in_bulk([p.senior_id for p in pairings])
    claims: list[_Claim] = []
    spends: list[_Spend] = []
    for volunteer in volunteers:
        since = opened.get(volunteer.village_id[:9])
        mine = of_helper.get(volunteer.pk)
        is_demo = demo is not None and volunteer.pk == demo.pk
        if since is None or not mine or (not is_demo and rng.random() >= P_TIMEBANK):
            continue
        since = max(since, volunteer.joined_on, min(p.started_on for p in mine))
        gap = DEMO_CLAIM_GAP if is_demo else CLAIM_GAP
        planned = _plan_claims(rng, volunteer, mine, seniors, since, today, gap)
        if is_demo and not any(c.decided_at is None for c in planned):
            # the demo account shows a claim waiting for the assistant's check
            extra = _plan_claims(rng, volunteer, mine, seniors, today - DAY * 2, today, (9, 9))
            for claim in extra:
                claim.decided_at, claim.rejected = None, ""
            planned += extra
        claims += planned
        decided = [c for c in planned if c.decided_at and not c.rejected]
        # spending: now and then a redemption; a few donate hours to the fund
        for claim in decided[3::6] if not is_demo else decided[4::15]:
            if is_demo or rng.random() < 0.6:
                spends.append(
                    _Spend(volunteer, claim.decided_at + DAY * rng.randint(3, 20), "redeem")
                )
        if decided and (is_demo or rng.random() < 0.15):
            at = decided[len(decided) * 2 // 3].decided_at + DAY * rng.randint(1, 10)
            spends.append(
                _Spend(volunteer, at, "donate", Decimal(rng.choice(("1.0", "2.0", "3.0"))))
            )
    now = timezone.now()
    events = [(c.started_at, 0, c) for c in claims] + [
        (s.at, 1, s) for s in spends if s.at < now and s.at.date() < today
    ]
    events.sort(key=lambda e: (e[0], e[1], e[2].volunteer.pk))
    dated: dict[str, list] = defaultdict(list)  # model → (pk, when)
    for _when, _order, event in events:
        if isinstance(event, _Claim):
            _claim(event, deciders, dated, created)
        else:
            _spend(rng, event, items, dated, created)
    _date_rows(dated)
    return +created


def _claim(claim: _Claim, deciders: dict[str, User], dated: dict, created: Counter) -> None:
    """A claim as the volunteer's phone submits it (the policy's rules hold by construction:
    half-hour units, no overlap, one a day), then decided through the claim services."""
    volunteer = claim.volunteer
    by = _decider(deciders, claim.senior.village_id)
    ended_at = claim.started_at + datetime.timedelta(hours=float(claim.hours))
    oldest = timezone.localdate() - DAY * Policy.current().max_claim_age_days
    if (
        claim.decided_at is None
        and volunteer.user is not None
        and claim.senior.status == "active"
        and ended_at <= timezone.now()
        and claim.started_at.date() >= oldest
    ):  # the volunteer's own recent claim: through the claim service, as the app sends it
        claim_submit(
            by=volunteer.user,
            volunteer=volunteer,
            senior=claim.senior,
            service_type=claim.service,
            started_at=claim.started_at,
            ended_at=ended_at,
            notes=claim.notes,
        )
        created["claims"] += 1
        created["claims_pending"] += 1
        return
    from_paper = volunteer.user_id is None and volunteer.pk % 3 == 0
    log = ServiceLog(
        volunteer=volunteer,
        senior=claim.senior,
        service_type=claim.service,
        started_at=claim.started_at,
        ended_at=ended_at,
        hours=claim.hours,
        notes=claim.notes,
        from_paper=from_paper,
        entered_by=by if from_paper else volunteer.user,
    )
    log._change_reason = REASON
    log.save()
    created["claims"] += 1
    dated["claim"].append((log.pk, claim.started_at + datetime.timedelta(hours=4)))
    if claim.decided_at is None:
        created["claims_pending"] += 1
        return
    if claim.rejected:
        claim_reject(by=by, claim=log, reason=claim.rejected)
        created["claims_rejected"] += 1
    else:
        log = claim_verify(by=by, claim=log)
        dated["movement"].append((log.movement_id, claim.decided_at))
        created["claims_verified"] += 1
    dated["decision"].append((log.pk, claim.decided_at))


def _spend(
    rng: random.Random, spend: _Spend, items: list[CatalogueItem], dated: dict, created: Counter
) -> None:
    account = account_for(spend.volunteer)
    account.refresh_from_db()
    if spend.kind == "donate":
        if account.balance < spend.hours + 1:
            return
        transfer, _created = timebank_transfer(
            by=spend.volunteer.user,
            from_account=account,
            to_account=system_account(AccountKind.FUND),
            hours=spend.hours,
            relation=DONATION_MEMO,
        )
        dated["transfer"].append((transfer.pk, spend.at))
        dated["movement"].append((transfer.movement_id, spend.at))
        created["donations"] += 1
        return
    offered = set(items_offered_to(account).values_list("pk", flat=True))
    # leave a little in the account: people keep some hours for later
    affordable = [
        i for i in items if i.pk in offered and i.hours_price <= account.balance - 1 and i.stock
    ]
    if not affordable:
        return
    item = rng.choice(affordable)
    redemption, _created = timebank_redeem(
        by=spend.volunteer.user, account=account, item=item, quantity=1
    )
    item.stock -= 1
    dated["redemption"].append((redemption.pk, spend.at))
    dated["movement"].append((redemption.movement_id, spend.at))
    created["redemptions"] += 1


def _date_rows(dated: dict) -> None:
    """Date the rows the services wrote "now" on the day they happened."""
    for key, model, fields in (
        ("claim", ServiceLog, ("created_at",)),
        ("decision", ServiceLog, ("decided_at",)),
        ("movement", Movement, ("created_at",)),
        ("redemption", Redemption, ("created_at",)),
        ("transfer", Transfer, ("created_at",)),
    ):
        rows = dated.get(key, [])
        objs = []
        for pk, when in rows:
            obj = model(pk=pk)
            for name in fields:
                setattr(obj, name, when)
            objs.append(obj)
        model.objects.bulk_update(objs, list(fields), batch_size=500)
