"""The demo population (演示人口): plausible seniors for the real villages of Wulong, with their
categories, ability assessments and visits, dated so that the ledger makes sense month by month
since it started (2021-05-25, the day the plan 武隆府办发〔2021〕31号 was issued), not only today.

``population_plan`` is a pure function: from the seed, the size, the villages and ``today`` it
plans every record. ``population_generate`` writes a plan in one transaction with ``bulk_create``
(the services are not called row by row; the plan keeps their rules: everyone is 60 or over on
the day they are registered, no date in the future, nothing dated after a death or a move).

Determinism. Identities (ID number, birth date, sex, name, village, villager group, phone,
address, categories) come from one random stream in person order and do not depend on
``today``; every dated thing about a person (registration, contract, status, assessments,
visits) comes from a stream of that person's own. So the same seed, size and ``today`` give
identical records, and a run on another day plans the same people (give or take those who
turned 60 in between). A size is a prefix: the first 5,000 people of the full population are
the default population.

Rerunning. Planned people whose ID number is already in the ledger are left out; when they are
half of the plan or more, the population of that seed is there and nothing is added
(``PopulationResult.already_present`` says how many were found). So a rerun adds nothing, on
any day; ``--full`` after the default adds the other 45,000; another seed adds a second
population, leaving out the few people whose numbers happen to be taken.

Size. ``size`` counts the people the ledger has held since 2021-05 (about 80 % of them are still
active today; the others died or moved away since). ``FULL_SIZE`` is 50,000, an estimate of the
order of Wulong's rural population aged 60 and over; ``DEFAULT_SIZE`` is a tenth of it:

- residents: about 35.6万 in the 2020 census (常住人口; fairly sure to within 1万: 2010 was
  about 35.1万);
- aged 60+: about 23.5 % (Chongqing as a whole 21.9 % in the 2020 census, fairly sure;
  rural districts a little above; Wulong's own figure not remembered: assumption, ±3 points),
  so about 8.4万 people;
- outside the main urban area: about 60 % of them (assumption: Wulong's urbanisation was
  about half in 2020 and the old live in the villages more than the young), so about 5万.

Proportions (of the people planned; "assumption" means no source was checked, the figure is of
the order the brief and the plan's vocabulary suggest):

- age on 2021-05-25 (``AGE_BANDS``): the shares of the national 2020 census for 60-64 … 90+
  (27.8, 28.0, 18.8, 11.8, 7.7, 4.1, 1.7 %: 7,338 / 7,401 / 4,959 / 3,124 / 2,038 / 1,083 / 459
  万 of 26,402 万, from memory, fairly sure), plus those aged 50-59 then, who turn 60 while the
  ledger runs and are registered within weeks of their 60th birthday (7 % of the 60+ per year
  of age: the census' 55-59 band was about 38 % of the 60+, less those who live away;
  assumption). Someone not yet 60 on ``today`` is not in the ledger: the plan skips them. The
  ledger's active people today come out about 50 % in their 60s, 36 % in their 70s, 12 % in
  their 80s and 2 % 90+;
- registration: of those 60+ on 2021-05-25, 70 % in the drive of the first weeks (within four
  months), 22 % in the rest of the first year as townships complete their ledgers, 8 % at any
  time since (came home, moved in, found later); the others within weeks of turning 60;
  assumption;
- sex: men 50 % at 60-69, 48 % at 70-79, 43 % at 80-89, 36 % at 90+ (women live longer;
  assumption of the census' order);
- ID numbers: 97 % with 500232 (Wulong County's code before it became a district in 2016; these
  people's numbers were issued long before), 3 % with 500156 (numbers issued since); assumption;
- villages (``village_weight``): a 村 with urban–rural code 220 weighs 5, another 村 (at a
  township seat or a town's fringe) 4, a 社区 of a town or township centre 2, a 社区 of the main
  urban area 1, each times a factor 0.6–1.4 of its own (villages differ in size): about 95 % of
  the people live in 村. Assumption. A person in a 村 lives in one of its villager groups;
- 特困 3 % (men 4.2 %, women 1.9 %: most are men who never married), of them 80 % dispersed at
  home and 20 % centralised in an institution; 低保 8 %; 低收入 4 % (the three exclusive: a
  特困 person gets no 低保); 计划生育特殊家庭 1 %; 残疾 (certificate) 6 % (4.5 % at 60-69, 6.5 %
  at 70-79, 10 % at 80+); assumptions;
- living situation: 独居 12 % (90 % of the dispersed 特困; 7–15 % of the others, rising with
  age), 留守 35 %, the rest with family; assumptions. The centralised 特困 live in an
  institution, which the model cannot say: they are recorded as 独居 (孤寡, no family);
- wishes: wants centralised care 2–3 % (all centralised 特困, who chose it; 10 % of the dispersed
  特困, 8 % of the moderately or severely dependent, 5 % of the disabled, 1 % of the others);
  wants day care about 3 % (8 % of the dependent, 5 % of those alone, 4 % of the 80+, 2 % of
  the others); assumptions;
- family-doctor contract about 70 % (88 % of the key groups and the 80+, 67 % of the others,
  95 % of the centralised 特困), signed since 2021: a third before they were registered (from
  the signing campaign of early 2021 on), the others a few months after; fewer among those who
  died soon; assumption;
- safety wristband: 30 % of the dispersed 特困 and of those 80+ living alone, 12 % of the other
  key groups of plan 二(十二), nobody else, given since 2021-10 (the day drawn from a stream of
  its own, so the rest of the population does not move); assumption;
- family care bed (since 2022-03) for 6 % of the dependent living at home, with a trained
  family caregiver for most; home adaptation (since 2021-09) for 12 % of the key groups at home;
  assumptions;
- status: yearly chance of dying 1.2 % at 60-69, 3 % at 70-79, 8.5 % at 80-89, 20 % at 90+,
  twice that when moderately and three times when severely dependent (about 2.8 % a year
  overall, the order of Wulong's deaths: a crude death rate of about 7‰ of 35万, most of them
  60+); moving away 0.5 % a year; assumptions;
- ability assessments (Barthel) for about 80 % of the records (95 % of the key groups, the 80+
  and the disabled, 80 % of the others, fewer of those who died soon after registering), most
  within months of registration; levels by age (``LEVELS_BY_AGE``), a disability certificate
  (×2.5) and centralised 特困 (×3) raising the chance of dependence: about 10 % of those
  assessed moderately or severely dependent by their latest assessment, about a quarter of
  the 80+; a quarter (half of the 80+ and the dependent) assessed again one to two and a half
  years later, 35 % of them (50 % of the 80+) one level worse, 8 % one level better;
  assumptions;
- visits since registration, with the plan's ramp-up: each village starts its regular visits
  (定期巡访, plan 二(七)) on a day of its own (``VISIT_PROGRAMMES``: about 15 % of the villages
  in 2021, 85 % by the end of 2022, all by mid-2023); before that the assistant drops by only
  now and then (every ``BEFORE_PROGRAMME_FACTOR`` times the usual interval, the key groups
  only). Once it runs: the key groups of plan 二(七) (dispersed 特困, 低保, 低收入,
  计划生育特殊家庭) 92 % visited about monthly; the dependent, the 80+ and those alone 85 %
  about every 45 days; the left-behind 60 % about every 75 days; others 5 % now and then;
  nobody in an institution. 巡访 about 60 % of the visits, the rest 精神慰藉, 助医, 助餐,
  家政, 代买代缴, 春种秋收 (in season), 助浴 (mostly the dependent) and 紧急救援; a finding
  that needs follow-up in 6 % (12 % for the dependent and those alone) brings another visit
  within days. Visitors are each village's elderly-care assistant (most visits) and volunteers,
  by name: they have no logins. Assumptions.
"""

from __future__ import annotations

import bisect
import datetime
import random
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from django.conf import settings
from django.db import connection, reset_queries, transaction
from django.utils import timezone
from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider
from simple_history.utils import bulk_create_with_history

from regions.models import Kind, Level, Region
from seniors.idnumber import age_on, make_id_number
from seniors.models import (
    BARTHEL_ITEMS,
    CATEGORY_FIELDS,
    CONTRACT_TERM_YEARS,
    HIGH_AGE,
    MIN_AGE,
    Assessment,
    CategoryPeriod,
    ExtremePoverty,
    FamilyDoctorContract,
    LivingSituation,
    Senior,
    ServiceType,
    Status,
    Visit,
    barthel_level,
    years_after,
    years_before,
)
from seniors.models import Level as Ability
from seniors.services import SENIOR_FIELDS

ANCHOR = datetime.date(2021, 5, 25)  # the plan's issue date: the ledger starts
CONTRACTS_FROM = datetime.date(2021, 1, 4)  # the 2021 family-doctor signing campaign
CARE_BEDS_FROM = datetime.date(2022, 3, 1)
ADAPTATIONS_FROM = datetime.date(2021, 9, 1)
WRISTBANDS_FROM = datetime.date(2021, 10, 1)
FULL_SIZE = 50_000
DEFAULT_SIZE = FULL_SIZE // 10
# The day each village's regular visits start (定期巡访): (first day, last day, share of the
# villages), drawn per village from a stream of its own. Assumption: the plan's ramp-up, a few
# pilot villages in 2021, most during 2022, the last ones in early 2023.
VISIT_PROGRAMMES = (
    (datetime.date(2021, 6, 15), datetime.date(2021, 12, 31), 0.15),
    (datetime.date(2022, 1, 1), datetime.date(2022, 6, 30), 0.35),
    (datetime.date(2022, 7, 1), datetime.date(2022, 12, 31), 0.35),
    (datetime.date(2023, 1, 1), datetime.date(2023, 6, 30), 0.15),
)
BEFORE_PROGRAMME_FACTOR = 4  # visits this much rarer before the village's programme
CHANGE_REASON = "演示数据 demo population (seed {seed})"
ADDRESS_CODES = ("500232", "500156")
NEW_CODE_SHARE = 0.03

# (first age, last age, weight) of the age on ANCHOR; see the module docstring
AGE_BANDS = (
    (50, 59, 70.0),
    (60, 64, 27.8),
    (65, 69, 28.0),
    (70, 74, 18.8),
    (75, 79, 11.8),
    (80, 84, 7.7),
    (85, 89, 4.1),
    (90, 104, 1.7),
)
NINETIES_DECAY = 0.78  # each year of age past 90 is this much rarer than the one before

EXTREME_POVERTY_SHARE = 0.03
EXTREME_POVERTY_BY_SEX = {"M": 0.042, "F": 0.019}  # about EXTREME_POVERTY_SHARE overall
CENTRALISED_SHARE = 0.20
SUBSISTENCE_SHARE = 0.08
LOW_INCOME_SHARE = 0.04
FAMILY_PLANNING_SPECIAL_SHARE = 0.01
LEFT_BEHIND_SHARE = 0.35

# (independent, mild, moderate, severe) by the decade of age at the assessment
LEVELS_BY_AGE = {
    60: (0.745, 0.23, 0.017, 0.008),
    70: (0.57, 0.35, 0.055, 0.025),
    80: (0.34, 0.45, 0.14, 0.07),
    90: (0.15, 0.40, 0.25, 0.20),
}
LEVEL_ORDER = (Ability.INDEPENDENT, Ability.MILD, Ability.MODERATE, Ability.SEVERE)
# Totals each level takes, and how often (mild people mostly lose only stairs or bathing).
LEVEL_TOTALS = {
    Ability.INDEPENDENT: ((100,), (1,)),
    Ability.MILD: ((95, 90, 85, 80, 75, 70, 65), (6, 6, 5, 4, 3, 2, 2)),
    Ability.MODERATE: ((60, 55, 50, 45), (1, 1, 1, 1)),
    Ability.SEVERE: ((40, 35, 30, 25, 20, 15, 10, 5, 0), (4, 4, 4, 3, 3, 2, 2, 1, 1)),
}
# Which activities go first as people lose abilities (stairs and bathing first, feeding last).
DECLINE_WEIGHTS = {
    "stairs": 6,
    "bathing": 6,
    "mobility": 4,
    "dressing": 3,
    "transfers": 3,
    "grooming": 2,
    "toilet_use": 2,
    "bladder": 2,
    "bowels": 1,
    "feeding": 1,
}
DEATH_BY_AGE = ((90, 0.20), (80, 0.085), (70, 0.03), (0, 0.012))
DEATH_FACTOR = {Ability.MODERATE: 2.0, Ability.SEVERE: 3.0}
MOVE_AWAY = 0.005

# (service, weight) for everyone, and the extra weight for the dependent and those alone.
SERVICE_WEIGHTS = {
    ServiceType.INSPECTION: 64,
    ServiceType.COMPANIONSHIP: 9,
    ServiceType.MEDICAL: 7,
    ServiceType.MEALS: 6,
    ServiceType.HOUSEKEEPING: 5,
    ServiceType.ERRANDS: 5,
    ServiceType.FARMING: 3,
    ServiceType.BATHING: 1,
    ServiceType.EMERGENCY: 0.5,
}
SERVICE_EXTRA_DEPENDENT = {
    ServiceType.BATHING: 8,
    ServiceType.MEDICAL: 10,
    ServiceType.HOUSEKEEPING: 6,
}
SERVICE_EXTRA_ALONE = {ServiceType.COMPANIONSHIP: 8, ServiceType.ERRANDS: 4}
FARMING_MONTHS = {3, 4, 5, 8, 9, 10}  # 春种秋收

VISIT_NOTES = (
    "身体状况良好",
    "精神状态较好，生活能自理",
    "血压正常，按时服药",
    "家中整洁，饮食正常",
    "拉家常，老人心情愉快",
    "提醒注意用火用电安全",
    "天气转凉，提醒添衣保暖",
    "子女近期打来电话，老人很高兴",
    "讲解养老服务政策",
    "帮忙打扫院坝",
)
FOLLOW_UP_NOTES = (
    "血压偏高，建议到卫生院复查",
    "房屋漏雨，需联系村委会修缮",
    "近期行动不便，需安排助医",
    "常用药快用完，需代购",
    "情绪低落，需再次走访",
    "电线老化，存在安全隐患",
    "腿部摔伤，需跟进康复情况",
)
DEATH_NOTES = ("病故", "病故", "病故", "因病医治无效去世", "自然死亡")
MOVE_NOTES = ("随子女迁居城区", "迁往外区县子女处", "户籍迁出")

# Given names that people born 1920–1966 commonly carry: Faker's zh_CN lists less the ones
# of a younger generation (and 红霞, which is a woman's name in its men's list), plus a few.
_MALE_NAMES = (
    "伟 强 勇 军 明 刚 平 辉 华 波 斌 成 建 建华 建国 建军 建平 志强"
    " 兵 东 文 利 林 亮 龙 峰 德明 光明 国华 长生 德华 正华 永福 明华"
    " 世明 光荣 德贵 国强 宗华 树林 清明"
)
OLD_MALE_NAMES = tuple(_MALE_NAMES.split())
_FEMALE_NAMES = (
    "芳 敏 静 秀英 丽 艳 娟 霞 秀兰 燕 玲 桂英 萍 红 玉兰 桂兰 英 梅"
    " 秀珍 玉梅 玉珍 凤英 玉英 琴 兰英 云 淑珍 春梅 冬梅 秀荣 桂珍 秀云"
    " 桂荣 秀梅 玉华 淑兰 秀芳 淑英 桂芳 丽华 桂香 淑华 秀华 桂芝 金凤"
    " 桂花 凤兰 素芬 德芳 明英 天秀"
)
OLD_FEMALE_NAMES = tuple(_FEMALE_NAMES.split())


class PopulationError(ValueError):
    """The population cannot be planned (no villages loaded, a date before the ledger)."""


@dataclass(frozen=True, slots=True)
class VillageInfo:
    code: str
    short_name: str
    kind: str
    urban_rural_code: str
    groups: tuple[tuple[str, str], ...] = ()  # (code, short name) of its villager groups


@dataclass(slots=True)
class PlannedAssessment:
    assessed_on: datetime.date
    items: tuple[int, ...]  # in BARTHEL_ITEMS order
    total: int
    level: str
    assessor: str


@dataclass(slots=True)
class PlannedVisit:
    visited_at: datetime.datetime
    service_type: str
    visitor_name: str
    follow_up_needed: bool
    notes: str


@dataclass(slots=True)
class PlannedSenior:
    id_number: str
    name: str
    sex: str
    birth_date: datetime.date
    village: str
    villager_group: str | None
    address: str
    phone: str
    living_situation: str
    extreme_poverty: str
    subsistence_allowance: bool
    low_income: bool
    family_planning_special: bool
    disability_certificate: bool
    registered_on: datetime.date = ANCHOR
    status: str = Status.ACTIVE
    status_on: datetime.date | None = None
    status_note: str = ""
    wants_centralised_care: bool = False
    wants_day_care: bool = False
    family_doctor_contract_on: datetime.date | None = None
    wristband_device: str = ""
    wristband_on: datetime.date | None = None
    family_care_bed_on: datetime.date | None = None
    home_adaptation_on: datetime.date | None = None
    family_caregiver: str = ""
    family_caregiver_trained_on: datetime.date | None = None
    assessments: list[PlannedAssessment] = field(default_factory=list)
    visits: list[PlannedVisit] = field(default_factory=list)

    @property
    def key_group(self) -> bool:
        """The key targets of plan 二(七): home-living 特困, low-income households, 计生特殊."""
        return (
            self.extreme_poverty == ExtremePoverty.DISPERSED
            or self.subsistence_allowance
            or self.low_income
            or self.family_planning_special
        )

    @property
    def latest_level(self) -> str | None:
        return self.assessments[-1].level if self.assessments else None


@dataclass(frozen=True)
class PopulationResult:
    seed: int
    size: int
    today: datetime.date
    # planned people whose ID number was in the ledger already, left out; when they are half
    # the plan or more, nothing was added (seniors == 0)
    already_present: int
    seniors: int  # records created
    assessments: int
    visits: int
    by_status: dict[str, int]
    by_category: dict[str, int]


# --- planning ------------------------------------------------------------------------------


def village_weight(village: VillageInfo) -> int:
    """How many people a village has relative to the others, before its own size factor."""
    if village.kind == Kind.VILLAGE:
        return 5 if village.urban_rural_code == "220" else 4
    return 1 if village.urban_rural_code in ("111", "112") else 2


def _age_table() -> tuple[list[int], list[float]]:
    ages: list[int] = []
    weights: list[float] = []
    for first, last, weight in AGE_BANDS:
        span = list(range(first, last + 1))
        shape = [NINETIES_DECAY ** (a - first) if first >= 90 else 1.0 for a in span]
        ages.extend(span)
        weights.extend(weight * s / sum(shape) for s in shape)
    return ages, list(accumulate(weights))


AGES, AGE_CUM_WEIGHTS = _age_table()


def _male_share(age: int) -> float:
    if age >= 90:
        return 0.36
    if age >= 80:
        return 0.43
    if age >= 70:
        return 0.48
    return 0.50


def _sixtieth_birthday(birth: datetime.date) -> datetime.date:
    try:
        return birth.replace(year=birth.year + MIN_AGE)
    except ValueError:  # born on 29 February: 60 on 1 March
        return datetime.date(birth.year + MIN_AGE, 3, 1)


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _barthel(rng: random.Random, level: str) -> tuple[int, ...]:
    totals, weights = LEVEL_TOTALS[level]
    total = rng.choices(totals, weights)[0]
    scores = {item: max(allowed) for item, allowed in BARTHEL_ITEMS.items()}
    deficit = 100 - total
    while deficit > 0:
        open_items = [item for item, score in scores.items() if score > 0]
        item = rng.choices(open_items, [DECLINE_WEIGHTS[i] for i in open_items])[0]
        scores[item] -= 5  # every item's scores are 0, 5, … its maximum
        deficit -= 5
    return tuple(scores.values())


def _level(rng: random.Random, age: int, person: PlannedSenior) -> str:
    probabilities = list(LEVELS_BY_AGE[min(max(age // 10 * 10, 60), 90)])
    factor = 1.0
    if person.disability_certificate:
        factor *= 2.5
    if person.extreme_poverty == ExtremePoverty.CENTRALISED:
        factor *= 3.0
    if factor > 1:
        probabilities[2] *= factor
        probabilities[3] *= factor
        probabilities[0] = max(1 - sum(probabilities[1:]), 0.0)
    return rng.choices(LEVEL_ORDER, probabilities)[0]


def _worse(level: str) -> str:
    return LEVEL_ORDER[min(LEVEL_ORDER.index(level) + 1, 3)]


def _better(level: str) -> str:
    return LEVEL_ORDER[max(LEVEL_ORDER.index(level) - 1, 0)]


@dataclass(frozen=True, slots=True)
class _Staff:
    helpers: dict[str, tuple[str, ...]]  # village code → assistant first, then volunteers
    assessors: dict[str, tuple[str, ...]]  # township prefix → its assessors


def _name(faker: Faker, sex: str) -> str:
    given = OLD_MALE_NAMES if sex == "M" else OLD_FEMALE_NAMES
    return faker.last_name() + faker.random_element(given)


def _staff(seed: int, villages: Sequence[VillageInfo]) -> _Staff:
    """The people who visit and assess: a few per village and township, stable per code."""
    faker = Faker("zh_CN")
    helpers: dict[str, tuple[str, ...]] = {}
    assessors: dict[str, tuple[str, ...]] = {}
    for village in villages:
        faker.seed_instance(f"{seed}:staff:{village.code}")
        count = faker.random_int(3, 5)
        helpers[village.code] = tuple(faker.last_name() + faker.first_name() for _ in range(count))
        township = village.code[:9]
        if township not in assessors:
            faker.seed_instance(f"{seed}:assessors:{township}")
            assessors[township] = tuple(faker.last_name() + faker.first_name() for _ in range(2))
    return _Staff(helpers=helpers, assessors=assessors)


class _Planner:
    def __init__(self, *, seed: int, today: datetime.date, villages: Sequence[VillageInfo]):
        self.today = today
        self.villages = list(villages)
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.identity = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.staff = _staff(seed, self.villages)
        size_factor = [random.Random(f"{seed}:{v.code}").uniform(0.6, 1.4) for v in self.villages]
        self.village_cum = list(
            accumulate(
                village_weight(v) * f for v, f in zip(self.villages, size_factor, strict=True)
            )
        )
        self.used: set[str] = set()
        self.visit_programme = {v.code: visit_programme(seed, v.code) for v in self.villages}

    # -- who the person is: does not depend on today -----------------------------------------

    def person(self) -> tuple[PlannedSenior, int]:
        """The next person and their age on ANCHOR."""
        rng, faker = self.identity, self.faker
        age = AGES[bisect.bisect_right(AGE_CUM_WEIGHTS, rng.random() * AGE_CUM_WEIGHTS[-1])]
        first = years_before(ANCHOR, age + 1) + datetime.timedelta(days=1)
        birth = _day_between(rng, first, years_before(ANCHOR, age))
        sex = "M" if rng.random() < _male_share(age) else "F"
        address_code = ADDRESS_CODES[1] if rng.random() < NEW_CODE_SHARE else ADDRESS_CODES[0]
        while True:
            k = rng.randint(1, 499)  # sequence 001–999; odd for men, even for women
            id_number = make_id_number(address_code, birth, 2 * k - 1 if sex == "M" else 2 * k)
            if id_number not in self.used:
                self.used.add(id_number)
                break
        index = bisect.bisect_right(self.village_cum, rng.random() * self.village_cum[-1])
        village = self.villages[min(index, len(self.villages) - 1)]
        group_code, group_name = rng.choice(village.groups) if village.groups else (None, "")
        house = rng.randint(1, 180)
        if group_code:
            address = f"{village.short_name}{group_name}{house}号"
        else:
            address = f"{village.short_name}{faker.street_name()}{house}号"
        phone = faker.phone_number() if rng.random() < 0.55 else ""

        extreme = ""
        subsistence = low_income = False
        if rng.random() < EXTREME_POVERTY_BY_SEX[sex]:
            extreme = (
                ExtremePoverty.CENTRALISED
                if rng.random() < CENTRALISED_SHARE
                else ExtremePoverty.DISPERSED
            )
        elif rng.random() < SUBSISTENCE_SHARE / (1 - EXTREME_POVERTY_SHARE):
            subsistence = True
        elif rng.random() < LOW_INCOME_SHARE / (1 - EXTREME_POVERTY_SHARE - SUBSISTENCE_SHARE):
            low_income = True
        family_planning = rng.random() < FAMILY_PLANNING_SPECIAL_SHARE
        disability = rng.random() < (0.10 if age >= 80 else 0.065 if age >= 70 else 0.045)
        if extreme == ExtremePoverty.CENTRALISED:
            living = LivingSituation.ALONE
        elif extreme == ExtremePoverty.DISPERSED:
            living = LivingSituation.ALONE if rng.random() < 0.9 else LivingSituation.WITH_FAMILY
        else:
            alone = 0.15 if age >= 80 else 0.115 if age >= 70 else 0.075
            draw = rng.random()
            if draw < alone:
                living = LivingSituation.ALONE
            elif draw < alone + LEFT_BEHIND_SHARE / (1 - EXTREME_POVERTY_SHARE):
                living = LivingSituation.LEFT_BEHIND
            else:
                living = LivingSituation.WITH_FAMILY
        person = PlannedSenior(
            id_number=id_number,
            name=_name(faker, sex),
            sex=sex,
            birth_date=birth,
            village=village.code,
            villager_group=group_code,
            address=address,
            phone=phone,
            living_situation=living,
            extreme_poverty=extreme,
            subsistence_allowance=subsistence,
            low_income=low_income,
            family_planning_special=family_planning,
            disability_certificate=disability,
        )
        return person, age

    # -- what happened to them since 2021-05: depends on today --------------------------------

    def live(self, person: PlannedSenior, age: int, rng: random.Random) -> bool:
        """Fill in the dated part of ``person``; False when they are not yet in the ledger."""
        today = self.today
        days = datetime.timedelta
        if age >= MIN_AGE:
            draw = rng.random()
            if draw < 0.70:  # the registration drive after the plan was issued
                registered = ANCHOR + days(min(int(rng.expovariate(1 / 30)), 120))
            elif draw < 0.92:  # townships completing their ledgers in the first year
                registered = ANCHOR + days(rng.randint(120, 400))
            else:  # came home, moved in, or found later
                registered = _day_between(rng, ANCHOR + days(120), today)
        else:
            registered = _sixtieth_birthday(person.birth_date) + days(int(rng.expovariate(1 / 20)))
        registered = min(registered, today)
        if age_on(person.birth_date, registered) < MIN_AGE or registered < ANCHOR:
            return False
        person.registered_on = registered
        age_then = age_on(person.birth_date, registered)
        condition = _level(rng, age_then, person)

        # status: a yearly chance of dying or moving away
        factor = DEATH_FACTOR.get(condition, 1.0)
        year_start = registered
        while year_start < today:
            year_age = age_on(person.birth_date, year_start)
            death = next(p for lowest, p in DEATH_BY_AGE if year_age >= lowest) * factor
            draw = rng.random()
            if draw < death + MOVE_AWAY:
                day = year_start + days(rng.randint(1, 365))
                if day <= today:
                    person.status = Status.DECEASED if draw < death else Status.MOVED_OUT
                    person.status_on = day
                    notes = DEATH_NOTES if draw < death else MOVE_NOTES
                    person.status_note = rng.choice(notes)
                break
            year_start += days(365)
        # the last day on which anything can happen to the record
        last = today if person.status_on is None else person.status_on - days(1)
        high_age = age_then >= HIGH_AGE
        centralised = person.extreme_poverty == ExtremePoverty.CENTRALISED
        key = person.key_group or centralised

        # ability assessments
        assessed = (
            1.0
            if centralised
            else 0.95
            if (key or high_age or person.disability_certificate)
            else 0.80
        )
        if rng.random() < assessed:
            delay = int(rng.expovariate(1 / 60)) if rng.random() < 0.6 else rng.randint(60, 540)
            first_on = registered + days(delay)
            assessors = self.staff.assessors[person.village[:9]]
            if first_on <= last:
                person.assessments.append(self._assessment(rng, first_on, condition, assessors))
                dependent = condition in (Ability.MODERATE, Ability.SEVERE)
                if rng.random() < (0.5 if high_age or dependent else 0.25):
                    second_on = first_on + days(rng.randint(365, 900))
                    if second_on <= last:
                        draw = rng.random()
                        if draw < (0.5 if high_age else 0.35):
                            level = _worse(condition)
                        elif draw > 0.92 and condition != Ability.INDEPENDENT:
                            level = _better(condition)
                        else:
                            level = condition
                        person.assessments.append(
                            self._assessment(rng, second_on, level, assessors)
                        )
        level = person.latest_level or condition
        dependent = level in (Ability.MODERATE, Ability.SEVERE)

        # family doctor, since 2021
        chance = 0.95 if centralised else 0.88 if (key or high_age) else 0.67
        if rng.random() < chance:
            if rng.random() < 1 / 3:
                signed = _day_between(rng, max(CONTRACTS_FROM, registered - days(365)), registered)
            else:
                signed = registered + days(int(rng.expovariate(1 / 150)))
            signed = max(signed, CONTRACTS_FROM)
            if signed <= min(last, today):
                person.family_doctor_contract_on = signed

        # wishes
        if centralised:
            person.wants_centralised_care = True
        else:
            wants = 0.10 if person.extreme_poverty else 0.08 if dependent else 0.01
            if person.disability_certificate:
                wants = max(wants, 0.05)
            person.wants_centralised_care = rng.random() < wants
            day_care = (
                0.08
                if dependent
                else 0.05
                if person.living_situation == LivingSituation.ALONE
                else 0.04
                if high_age
                else 0.02
            )
            person.wants_day_care = rng.random() < day_care

        # wristbands, family care beds and home adaptations: for people at home
        if not centralised:
            alone = person.living_situation == LivingSituation.ALONE
            if person.extreme_poverty or (alone and high_age):
                wristband = 0.30
            elif person.key_group or high_age or alone:
                wristband = 0.12
            else:
                wristband = 0.0
            if rng.random() < wristband:
                person.wristband_device = f"86{rng.randrange(10**12, 10**13)}"
                given = _day_between(
                    random.Random(f"wristband-{person.id_number}"),
                    max(WRISTBANDS_FROM, registered),
                    last,
                )
                if WRISTBANDS_FROM <= given <= last:
                    person.wristband_on = given
            if dependent and rng.random() < 0.06:
                bed = _day_between(rng, max(CARE_BEDS_FROM, registered), last)
                if CARE_BEDS_FROM <= bed <= last:
                    person.family_care_bed_on = bed
                    if rng.random() < 0.8:
                        person.family_caregiver = _caregiver_name(rng)
                        trained = bed + days(rng.randint(7, 90))
                        if trained <= last:
                            person.family_caregiver_trained_on = trained
            if (key or person.disability_certificate or (alone and high_age)) and (
                rng.random() < 0.12
            ):
                adapted = _day_between(rng, max(ADAPTATIONS_FROM, registered), last)
                if ADAPTATIONS_FROM <= adapted <= last:
                    person.home_adaptation_on = adapted

        if not centralised:
            self._visits(rng, person, last, dependent, high_age)
        return True

    def _assessment(
        self, rng: random.Random, on: datetime.date, level: str, assessors: tuple[str, ...]
    ) -> PlannedAssessment:
        items = _barthel(rng, level)
        total = sum(items)
        return PlannedAssessment(
            assessed_on=on,
            items=items,
            total=total,
            level=barthel_level(total),
            assessor=rng.choice(assessors),
        )

    def _visits(
        self,
        rng: random.Random,
        person: PlannedSenior,
        last: datetime.date,
        dependent: bool,
        high_age: bool,
    ) -> None:
        alone = person.living_situation == LivingSituation.ALONE
        if person.key_group:
            chance, interval = 0.92, 30
        elif dependent or high_age or alone:
            chance, interval = 0.85, 45
        elif person.living_situation == LivingSituation.LEFT_BEHIND:
            chance, interval = 0.60, 75
        else:
            chance, interval = 0.05, 120
        if rng.random() >= chance:
            return
        first = person.registered_on
        last = min(last, self.today - datetime.timedelta(days=1))  # none later today
        if first > last:
            return
        programme = self.visit_programme[person.village]
        occasional = person.key_group  # before the programme only they get the odd visit
        helpers = self.staff.helpers[person.village]
        usual = helpers[0] if person.key_group or rng.random() < 0.6 else rng.choice(helpers)
        weights = dict(SERVICE_WEIGHTS)
        for extra in (
            (SERVICE_EXTRA_DEPENDENT if dependent else {}),
            (SERVICE_EXTRA_ALONE if alone else {}),
        ):
            for service, weight in extra.items():
                weights[service] += weight
        services = list(weights)
        off_season = [0 if s == ServiceType.FARMING else w for s, w in weights.items()]
        in_season = list(weights.values())
        follow_up_chance = 0.12 if dependent or alone else 0.06
        day = first + datetime.timedelta(days=rng.randint(0, interval - 1))
        while day <= last:
            if day < programme and not occasional:  # the first visit of the programme
                day = programme + datetime.timedelta(days=rng.randint(0, interval - 1))
                continue
            service = rng.choices(
                services, in_season if day.month in FARMING_MONTHS else off_season
            )[0]
            follow_up = rng.random() < follow_up_chance
            if follow_up:
                notes = rng.choice(FOLLOW_UP_NOTES)
            elif service == ServiceType.INSPECTION and rng.random() < 0.7:
                notes = rng.choice(VISIT_NOTES)
            else:
                notes = ""
            at = datetime.datetime.combine(
                day,
                datetime.time(
                    rng.choice((8, 9, 9, 10, 10, 11, 14, 14, 15, 15, 16, 17)), rng.randrange(60)
                ),
                tzinfo=self.tz,
            )
            person.visits.append(
                PlannedVisit(
                    visited_at=at,
                    service_type=service,
                    visitor_name=usual if rng.random() < 0.8 else rng.choice(helpers),
                    follow_up_needed=follow_up,
                    notes=notes,
                )
            )
            gap = rng.randint(2, 10) if follow_up else round(interval * rng.uniform(0.6, 1.4))
            if day < programme:
                gap = max(gap, round(interval * BEFORE_PROGRAMME_FACTOR * rng.uniform(0.6, 1.4)))
                gap = min(gap, (programme - day).days + rng.randint(0, interval - 1))
            day += datetime.timedelta(days=gap)


SURNAMES = tuple(PersonProvider.last_names)
SURNAME_WEIGHTS = tuple(PersonProvider.last_names.values())


def visit_programme(seed: int, village: str) -> datetime.date:
    """The day ``village``'s regular visits start (``VISIT_PROGRAMMES``): a pure function of
    the seed and the village code."""
    rng = random.Random(f"{seed}:programme:{village}")
    draw = rng.random()
    for first, last, share in VISIT_PROGRAMMES:
        if draw < share:
            return _day_between(rng, first, last)
        draw -= share
    return _day_between(rng, VISIT_PROGRAMMES[-1][0], VISIT_PROGRAMMES[-1][1])


def _caregiver_name(rng: random.Random) -> str:
    # a son, daughter or daughter-in-law, of the younger generation. Drawn from the person's own
    # stream, not Faker's, which only draws identities (so identities do not depend on today).
    given = rng.choice(PersonProvider.first_names)
    return rng.choices(SURNAMES, SURNAME_WEIGHTS)[0] + given


def population_plan(
    *, seed: int, size: int, today: datetime.date, villages: Sequence[VillageInfo]
) -> list[PlannedSenior]:
    """Plan ``size`` people in ``villages`` as the ledger holds them on ``today``: a pure
    function of its arguments (two calls give equal lists)."""
    if not villages:
        raise PopulationError("No villages to put people in: load the regions first.")
    if today <= ANCHOR:
        raise PopulationError(f"The ledger starts on {ANCHOR}; today is {today}.")
    if size < 0:
        raise PopulationError("The size cannot be negative.")
    planner = _Planner(seed=seed, today=today, villages=villages)
    people: list[PlannedSenior] = []
    index = 0
    while len(people) < size:
        person, age = planner.person()
        life = random.Random(seed * 1_000_003 + index)
        index += 1
        if planner.live(person, age, life):
            people.append(person)
    return people


# --- writing -------------------------------------------------------------------------------

CHUNK = 2_000  # people written at a time: bounds the memory the model instances take
BATCH = 1_000


def village_infos() -> list[VillageInfo]:
    """The villages loaded (村 and 社区, in code order) with their villager groups."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, short_name, parent in (
        Region.objects.filter(level=Level.GROUP)
        .order_by("code")
        .values_list("code", "short_name", "parent_id")
    ):
        groups[parent].append((code, short_name))
    return [
        VillageInfo(
            code=code,
            short_name=short_name,
            kind=kind,
            urban_rural_code=urban_rural,
            groups=tuple(groups.get(code, ())),
        )
        for code, short_name, kind, urban_rural in Region.objects.filter(level=Level.VILLAGE)
        .order_by("code")
        .values_list("code", "short_name", "kind", "urban_rural_code")
    ]


def _present(people: Sequence[PlannedSenior]) -> set[str]:
    """The planned ID numbers already in the ledger."""
    numbers = [p.id_number for p in people]
    present: set[str] = set()
    for i in range(0, len(numbers), 500):
        chunk = numbers[i : i + 500]
        present.update(
            Senior.objects.filter(id_number__in=chunk).values_list("id_number", flat=True)
        )
    return present


# What a person of the plan writes into their record: the fields a caller may set on a senior
# (``seniors.services``; the village and group are written by key, the demo writes no notes),
# the ones the ID number sets once, and the status with its date.
SENIOR_COPIED = (
    "id_number",
    "sex",
    "birth_date",
    *(name for name in SENIOR_FIELDS if name not in {"village", "villager_group", "notes"}),
    "status",
    "status_on",
    "status_note",
)


# Dated categories and contracts (``seniors.categories``), written beside each person: a share
# of the 低保/低收入, living-alone and left-behind people came to it after registration, on a
# day drawn between registration and today; a contract is renewed each year until the person
# leaves, except for a share who let it lapse. Drawn from a generator of its own per person,
# so the rest of the plan is the same with or without these records.
LATER_CATEGORY_SHARE = 0.3
LAPSED_CONTRACT_SHARE = 0.1


def _dated_records(senior: Senior, today: datetime.date) -> tuple[list, list]:
    rng = random.Random(f"dated:{senior.id_number}")
    end = senior.status_on if senior.status != Status.ACTIVE else today
    values = {name: getattr(senior, name) for name in CATEGORY_FIELDS}
    periods = []
    earlier = dict(values)
    if (senior.subsistence_allowance or senior.low_income) and rng.random() < LATER_CATEGORY_SHARE:
        earlier.update(subsistence_allowance=False, low_income=False)
    if senior.living_situation != LivingSituation.WITH_FAMILY and rng.random() < 0.2:
        earlier["living_situation"] = LivingSituation.WITH_FAMILY
    if earlier != values and (end - senior.registered_on).days > 1:
        change = _day_between(rng, senior.registered_on + datetime.timedelta(days=1), end)
        periods.append(CategoryPeriod(senior_id=senior.pk, valid_to=change, **earlier))
        periods.append(CategoryPeriod(senior_id=senior.pk, valid_from=change, **values))
    else:
        periods.append(CategoryPeriod(senior_id=senior.pk, **values))
    contracts = []
    signed = senior.family_doctor_contract_on
    lapses = rng.random() < LAPSED_CONTRACT_SHARE
    while signed is not None and signed <= end:
        ends = years_after(signed, CONTRACT_TERM_YEARS)
        contracts.append(FamilyDoctorContract(senior_id=senior.pk, signed_on=signed, ends_on=ends))
        if lapses and rng.random() < 0.5:
            break
        signed = ends
    return periods, contracts


def _write(people: Sequence[PlannedSenior], *, reason: str) -> None:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()

    def moment(day: datetime.date, hour: int) -> datetime.datetime:
        return min(datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz), now)

    for start in range(0, len(people), CHUNK):
        part = people[start : start + CHUNK]
        seniors = []
        for p in part:
            senior = Senior(
                village_id=p.village,
                villager_group_id=p.villager_group,
                **{name: getattr(p, name) for name in SENIOR_COPIED},
            )
            seniors.append(senior)
        Senior.objects.bulk_create(seniors, batch_size=BATCH)
        if seniors and seniors[0].pk is None:  # a backend that does not return keys
            pks = dict(
                Senior.objects.filter(id_number__in=[s.id_number for s in seniors]).values_list(
                    "id_number", "pk"
                )
            )
            for senior in seniors:
                senior.pk = pks[senior.id_number]
        # History as it happened: created active on the registration day; the death or the
        # move is a change on its own date (what senior_set_status would have recorded).
        left = [s for s in seniors if s.status != Status.ACTIVE]
        final = {s.pk: (s.status, s.status_on, s.status_note) for s in left}
        for senior in seniors:
            senior._history_date = moment(senior.registered_on, 9)
        for senior in left:
            senior.status, senior.status_on, senior.status_note = Status.ACTIVE, None, ""
        Senior.history.bulk_history_create(seniors, batch_size=BATCH, default_change_reason=reason)
        for senior in left:
            senior.status, senior.status_on, senior.status_note = final[senior.pk]
            senior._history_date = moment(senior.status_on, 16)
        Senior.history.bulk_history_create(
            left, batch_size=BATCH, update=True, default_change_reason=reason
        )
        periods, contracts = [], []
        for senior in seniors:
            more_periods, more_contracts = _dated_records(senior, now.date())
            periods += more_periods
            contracts += more_contracts
        CategoryPeriod.objects.bulk_create(periods, batch_size=BATCH)
        FamilyDoctorContract.objects.bulk_create(contracts, batch_size=BATCH)
        # the latest signing day, as senior_update would leave it
        latest = {c.senior_id: c.signed_on for c in contracts}
        renewed = []
        for senior in seniors:
            if latest.get(senior.pk, senior.family_doctor_contract_on) != (
                senior.family_doctor_contract_on
            ):
                senior.family_doctor_contract_on = latest[senior.pk]
                renewed.append(senior)
        Senior.objects.bulk_update(renewed, ["family_doctor_contract_on"], batch_size=BATCH)

        assessments = []
        visits = []
        for senior, p in zip(seniors, part, strict=True):
            for a in p.assessments:
                assessment = Assessment(
                    senior_id=senior.pk,
                    assessed_on=a.assessed_on,
                    assessor=a.assessor,
                    total=a.total,
                    level=a.level,
                    **dict(zip(BARTHEL_ITEMS, a.items, strict=True)),
                )
                assessment._history_date = moment(a.assessed_on, 11)
                assessments.append(assessment)
            for v in p.visits:
                visit = Visit(
                    senior_id=senior.pk,
                    visited_at=v.visited_at,
                    service_type=v.service_type,
                    visitor_name=v.visitor_name,
                    follow_up_needed=v.follow_up_needed,
                    notes=v.notes,
                )
                visit._history_date = v.visited_at
                visits.append(visit)
        bulk_create_with_history(
            assessments, Assessment, batch_size=BATCH, default_change_reason=reason
        )
        _visits_with_history(visits, reason=reason)
        reset_queries()  # with DEBUG on, the logged INSERTs would hold tens of megabytes


def _visits_with_history(visits: list[Visit], *, reason: str) -> None:
    """Write ``visits`` and their history rows: what ``bulk_create_with_history`` writes (a
    "+" row per visit, dated when the visit was made, no user, the change reason), the history
    rows copied from the new visits by the database, one ``INSERT … SELECT`` a batch, instead
    of a model instance built and bound for each (most of the population's writing time)."""
    if not connection.features.can_return_rows_from_bulk_insert:  # no keys back: the slow way
        bulk_create_with_history(visits, Visit, batch_size=BATCH, default_change_reason=reason)
        return
    Visit.objects.bulk_create(visits, batch_size=BATCH)
    quote = connection.ops.quote_name
    history = Visit.history.model
    columns = ", ".join(quote(f.column) for f in history.tracked_fields)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, {quote('history_date')}, "
        f"{quote('history_change_reason')}, {quote('history_type')}, "
        f"{quote('history_user_id')}) "
        f"SELECT {columns}, {quote('visited_at')}, %s, %s, NULL "
        f"FROM {quote(Visit._meta.db_table)} WHERE {quote('id')} IN ({{}})"
    )
    pks = [v.pk for v in visits]
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            part = pks[start : start + 500]
            cursor.execute(sql.format(", ".join(["%s"] * len(part))), [reason, "+", *part])


CATEGORIES = (
    "extreme_poverty_centralised",
    "extreme_poverty_dispersed",
    "subsistence_allowance",
    "low_income",
    "family_planning_special",
    "disability_certificate",
    "high_age",
    "alone",
    "left_behind",
    "with_family",
    "disabled",
    "wants_centralised_care",
    "wants_day_care",
    "family_doctor",
    "wristband",
    "family_care_bed",
    "home_adaptation",
)


def categories_of(person: PlannedSenior, *, today: datetime.date) -> list[str]:
    """The categories of ``CATEGORIES`` a planned person falls in (high age on ``today``)."""
    flags = {
        "extreme_poverty_centralised": person.extreme_poverty == ExtremePoverty.CENTRALISED,
        "extreme_poverty_dispersed": person.extreme_poverty == ExtremePoverty.DISPERSED,
        "subsistence_allowance": person.subsistence_allowance,
        "low_income": person.low_income,
        "family_planning_special": person.family_planning_special,
        "disability_certificate": person.disability_certificate,
        "high_age": person.birth_date <= years_before(today, HIGH_AGE),
        "alone": person.living_situation == LivingSituation.ALONE,
        "left_behind": person.living_situation == LivingSituation.LEFT_BEHIND,
        "with_family": person.living_situation == LivingSituation.WITH_FAMILY,
        "disabled": person.latest_level in (Ability.MODERATE, Ability.SEVERE),
        "wants_centralised_care": person.wants_centralised_care,
        "wants_day_care": person.wants_day_care,
        "family_doctor": person.family_doctor_contract_on is not None,
        "wristband": bool(person.wristband_device),
        "family_care_bed": person.family_care_bed_on is not None,
        "home_adaptation": person.home_adaptation_on is not None,
    }
    return [name for name in CATEGORIES if flags[name]]


def population_generate(
    *, seed: int = 2021, size: int | None = None, today: datetime.date | None = None
) -> PopulationResult:
    """Generate the demo population of ``seed`` into the ledger, all or nothing.

    ``size`` people (default ``DEFAULT_SIZE``, a tenth of Wulong's estimated rural 60+
    population; ``FULL_SIZE`` for the full one) over the villages loaded, as the ledger holds
    them on ``today`` (default: today in Wulong). The proportions and where each comes from are
    in this module's docstring.

    Planned people whose ID number is already in the ledger are left out. When that is half
    of the plan or more, the population of this seed is there already (a rerun, on any day):
    nothing is added. Fewer means other people happen to hold some of the numbers (another
    seed's, or someone registered by hand), or a smaller population of this seed is there
    (sizes are prefixes: ``--full`` after the default adds the other 45,000).
    """
    size = DEFAULT_SIZE if size is None else size
    today = today or timezone.localdate()
    people = population_plan(seed=seed, size=size, today=today, villages=village_infos())
    with transaction.atomic():
        present = _present(people)
        if len(present) * 2 >= len(people):
            return PopulationResult(
                seed=seed,
                size=size,
                today=today,
                already_present=len(present),
                seniors=0,
                assessments=0,
                visits=0,
                by_status={},
                by_category={},
            )
        people = [p for p in people if p.id_number not in present]
        _write(people, reason=CHANGE_REASON.format(seed=seed))
    by_category: Counter[str] = Counter()
    for person in people:
        by_category.update(categories_of(person, today=today))
    return PopulationResult(
        seed=seed,
        size=size,
        today=today,
        already_present=len(present),
        seniors=len(people),
        assessments=sum(len(p.assessments) for p in people),
        visits=sum(len(p.visits) for p in people),
        by_status={s: n for s in Status.values if (n := sum(p.status == s for p in people))},
        by_category={name: by_category[name] for name in CATEGORIES},
    )


# --- the residents of the institutions -----------------------------------------------------

RESIDENT_MIN_AGE = 65  # on ANCHOR: people living in a 敬老院 are seldom younger
RESIDENT_WOMEN_KEPT = 0.45  # most centrally supported 特困 are men who never married


def residents_plan(
    *,
    seed: int,
    today: datetime.date,
    villages: Sequence[VillageInfo],
    count: int,
    stream: str,
    registered_from: datetime.date | None = None,
) -> list[PlannedSenior]:
    """``count`` centrally supported 特困 people (集中供养) of ``villages`` as the ledger holds
    them on ``today``, for the facility demo: a network of the district's size over a sample
    of the population needs the district's residents, which the sample holds a tenth of.

    A pure function of its arguments, like ``population_plan``, with identities from a stream
    of their own (``stream``: the facility demo gives the township), aged 65 and over on
    2021-05-25 and mostly men; registration, status, assessments and family doctor follow the
    rules of everyone else. With ``registered_from``, only people registered on or after that
    day (those who came to need central support later)."""
    planner = _Planner(seed=seed, today=today, villages=villages)
    planner.identity = random.Random(f"{seed}:residents:{stream}")
    planner.faker.seed_instance(f"{seed}:residents:{stream}")
    people: list[PlannedSenior] = []
    index = 0
    while len(people) < count:
        person, age = planner.person()
        index += 1
        if age < RESIDENT_MIN_AGE or (
            person.sex == "F" and planner.identity.random() >= RESIDENT_WOMEN_KEPT
        ):
            continue
        person.extreme_poverty = ExtremePoverty.CENTRALISED
        person.living_situation = LivingSituation.ALONE
        person.subsistence_allowance = person.low_income = False
        life = random.Random(f"{seed}:residents:{stream}:{index}")
        if planner.live(person, age, life) and (
            registered_from is None or person.registered_on >= registered_from
        ):
            people.append(person)
    return people


def population_write(people: Sequence[PlannedSenior], *, reason: str) -> None:
    """Write planned people (and their assessments and visits) as ``population_generate``
    does, in the caller's transaction."""
    _write(people, reason=reason)
