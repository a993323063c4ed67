"""The facility network's demo data (演示数据): the three-tier network of the plan
武隆府办发〔2021〕31号 on the real townships and villages of Wulong, dated so that every target of
``shared/docs/targets-2022.md`` can be computed month by month since 2021-05-25 and shows real
gaps as of 2022-12-31, not all green.

``facilities_generate`` plans everything in memory from the seed and ``today`` (a pure plan:
``random.Random`` streams and Faker instances seeded per facility, person and session), then
writes it in one transaction with ``bulk_create`` and a history row per dated change, as the
services would have recorded it on those days. The services are not called row by row: they
judge "now", and cannot replay the past (``placement_admit`` refuses a stay at a home that has
since been merged, or of a person who has since died). The plan keeps their rules instead: no
date after ``today``; a facility operates only with an opening day and stops only with a date;
every resident has a bed of their own for the whole stay (so residents never outnumber beds on
any day); a person has one stay at a time; a stay ends when the person dies or moves away.

What is generated (all proportions are the constants below; "assumption" means that no source
was checked, the figure is of the order the plan and its vocabulary suggest):

- 3 care centres (失能特困人员集中照护中心, plan 一(一), 二(一)): 鸭江片区中心福利院 adds the
  function (operating since 2022-06), 白马镇敬老院 rebuilt (since 2022-09) and 后坪乡敬老院
  rebuilt (late: 2023-05, a gap as of 2022). The old 白马镇敬老院 and 后坪乡敬老院 stay in the
  ledger as nursing homes, closed on the day their residents moved into the care centre.
  Nursing-type beds ≥ 80 % in two, below in 鸭江; staffing 1:3 met in two, not in 白马; run by an
  elderly-care institution in two, by the township in 后坪.
- 26 township nursing homes (乡镇敬老院, 二(二), 二(五)), one per township: 20 retained, 4
  merged (撤并) into a neighbour in 2021–2022, and the 2 rebuilt as care centres; 10 upgraded
  (提档升级) by 2022, 4 later, 1 under way, 1 approved; about 55 % socialised by 2022 and 65 %
  today; legal-person registration and filing for most, not all.
- 22 township service centres (乡镇(街道)养老服务中心, 二(三)), one per township except the two
  central sub-districts (served by urban community stations) and the two smallest townships:
  19 operating by the end of 2022, the others later or still being built; most ≥ 800 m², 4
  below; most run by an institution; each with its township's award paid after building
  (先建后补, 三(二)).
- One mutual-aid point (村级互助养老点, 二(四)) per village (村; communities are served by the
  township centre): 171 of 184 operating at the end of 2022, some later, a few still planned.
- Beds, residents (placements of the seniors in the ledger), staff, certificates, quality
  checks, operating funds, projects with funding, milestones, awards and basic-indicator
  checks, and training sessions with attendances.

Size: one scale, the district's (``SCALE`` = 1). Beds, residents, staff, trainees and operating
funds are those of Wulong's network as it is, in proportion to one another: 20 retained homes
of 25–55 beds, 60–90 % full when the plan was issued (about 700 centrally supported 特困),
staffed near 1:10 (``HOME_RESIDENTS_PER_STAFF``; ``UNDERSTAFFED_HOMES`` short of it), care
centres near 1:3, the plan's 50 directors and 300 caregivers trained against about 100
caregivers employed, and operating funds of tens of thousands of yuan a year per home (15–32 %
of its residents' allowance, ``FUNDS_BELOW_SHARE`` below 15 %). The ledger's default population
is a tenth of the district's seniors (``demo.population``), which holds a tenth of the homes'
residents too: ``_add_residents`` registers the others (centrally supported 特困 of each home's
township, planned by ``demo.population.residents_plan`` with the population's own rules), so
the ledger holds the district's institution residents and a tenth of the people at home. The
people's ratios (coverage percentages) are the same at any scale; the homes' are not, which is
why the network is not scaled down.

History. Every dated change is a history row on its day (09:00 in Wulong), with the change
reason ``CHANGE_REASON`` and the ``bureau`` account as the user when it exists (no user
otherwise: the demo is the district's data entry, not any operator's).

Rerunning. When any facility of the plan (same kind, region and name) is already in the
ledger, the demo network is there: nothing is added (``FacilityResult.already_present``).
"""

from __future__ import annotations

import datetime
import math
import random
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from faker import Faker

from accounts.models import User
from demo import accounts as demo_accounts
from demo.population import (
    PlannedSenior,
    VillageInfo,
    population_write,
    residents_plan,
    village_infos,
)
from facilities.models import (
    BasicIndicator,
    Bed,
    BedKind,
    Certificate,
    CertificateLevel,
    Facility,
    FundingSource,
    IndicatorCheck,
    Kind,
    Milestone,
    OperatingFund,
    OperationMode,
    Placement,
    PlacementKind,
    ProjectFunding,
    ProjectKind,
    ProjectStatus,
    QualityCheck,
    Retention,
    Siting,
    StaffMember,
    StaffRole,
    Status,
    TrainingAttendance,
    TrainingKind,
    TrainingSession,
    UpgradeProject,
)
from regions.models import Kind as RegionKind
from regions.models import Level, Region
from seniors.idnumber import make_id_number
from seniors.models import DISABLED_LEVELS, Assessment, ExtremePoverty, Senior
from seniors.models import Status as SeniorStatus

date = datetime.date
days = datetime.timedelta

ANCHOR = date(2021, 5, 25)  # the plan is issued; the ledger starts
TARGET_DAY = date(2022, 12, 31)  # the plan's targets are for 2022
DISTRICT = "500156000000"
CHANGE_REASON = "演示数据 demo facilities (seed {seed})"
BATCH = 1_000

# --- size ---------------------------------------------------------------------------------
SCALE = 1.0  # the district's network as it is: beds, residents, staff, trainees and funds
MIN_BEDS = {"care_centre": 10, "home": 4, "merged": 3, "service_centre": 2}
# Of a township home's beds, the share its centrally supported 特困 held when the plan was
# issued (assumption: rural homes were 60–90 % full; deaths and later admissions move it).
HOME_OCCUPANCY = (0.62, 0.9)
# Newly approved 特困 admitted to a retained home each year since 2022-07, of its residents in
# 2021 (assumption: about what deaths and moves to the care centres take away).
HOME_ADMISSIONS = 0.08

# --- areas (片区) -------------------------------------------------------------------------
# The plan puts one care centre in each of the 白马, 鸭平 and 桐梓 areas. Which townships belong
# to which area is an assumption from the map (west / south / north and east).
AREAS = {
    "baima": ("001", "002", "004", "101", "107", "204", "206", "212"),
    "yaping": ("104", "105", "108", "113", "201", "202", "210", "211"),
    "tongzi": ("003", "102", "109", "111", "112", "203", "205", "207", "208", "209"),
}


@dataclass(frozen=True)
class CareCentreSpec:
    area: str
    township: str  # the 3 digits after 500156
    name: str
    notes: str
    project_title: str
    budget: int
    approved: date
    started: date
    planned_completion: date
    completed: date
    opened: date
    beds: int  # assumed real bed count
    nursing_share: float  # nursing-type beds (护理型床位) of all; the plan asks ≥ 0.8
    meets_staffing: bool  # 1:3 service staff to residents (二(五))
    operator: str  # "" = run by the township itself
    quality: tuple[tuple[date, bool], ...]  # GB/T 35796 checks
    predecessor: str = ""  # the nursing home it replaces, closed on the opening day
    predecessor_opened: date | None = None
    predecessor_beds: int = 0


CARE_CENTRES = (
    CareCentreSpec(
        area="yaping",
        township="105",
        name="鸭江片区中心福利院",
        notes="片区中心福利院增加失能特困人员集中照护功能（武隆府办发〔2021〕31号 二(一)）。",
        project_title="鸭江片区中心福利院增加失能特困人员集中照护功能改造",
        budget=3_600_000,
        approved=date(2021, 8, 10),
        started=date(2021, 9, 15),
        planned_completion=date(2022, 4, 30),
        completed=date(2022, 5, 20),
        opened=date(2022, 6, 28),
        beds=120,
        nursing_share=0.70,  # below 80 %: the old welfare home keeps ordinary rooms
        meets_staffing=True,
        operator="重庆颐康养老服务有限公司",
        quality=((date(2022, 11, 15), True), (date(2023, 11, 8), True), (date(2024, 11, 20), True)),
    ),
    CareCentreSpec(
        area="baima",
        township="101",
        name="白马片区失能特困人员集中照护中心（白马镇敬老院改建）",
        notes="由白马镇敬老院改建，2022年9月投入运营，原敬老院住养人员整体转入。",
        project_title="白马镇敬老院改建失能特困人员集中照护中心",
        budget=8_600_000,
        approved=date(2021, 6, 28),
        started=date(2021, 8, 10),
        planned_completion=date(2022, 6, 30),
        completed=date(2022, 8, 30),
        opened=date(2022, 9, 26),
        beds=150,
        nursing_share=0.85,
        meets_staffing=False,  # the one centre short of caregivers
        operator="重庆康泰养老服务有限公司",
        quality=(
            (date(2022, 12, 8), True),
            (date(2023, 12, 5), True),
            (date(2024, 12, 10), False),
            (date(2025, 5, 20), True),
        ),
        predecessor="白马镇敬老院",
        predecessor_opened=date(2006, 9, 1),
        predecessor_beds=60,
    ),
    CareCentreSpec(
        area="tongzi",
        township="208",
        name="桐梓片区失能特困人员集中照护中心（后坪乡敬老院改建）",
        notes="由后坪乡敬老院改建，原计划2022年10月完工，因施工便道受阻延至2023年5月投入运营。",
        project_title="后坪乡敬老院改建失能特困人员集中照护中心",
        budget=6_200_000,
        approved=date(2021, 12, 20),
        started=date(2022, 3, 18),
        planned_completion=date(2022, 10, 31),
        completed=date(2023, 4, 25),  # late: no third care centre at the end of 2022
        opened=date(2023, 5, 18),
        beds=100,
        nursing_share=0.90,
        meets_staffing=True,
        operator="",  # run by the township: a gap for care_centres_run_by_operator
        quality=((date(2023, 10, 20), False), (date(2024, 6, 18), True), (date(2025, 6, 24), True)),
        predecessor="后坪乡敬老院",
        predecessor_opened=date(2009, 5, 1),
        predecessor_beds=50,
    ),
)
CARE_CENTRE_FUNDING = {  # 三(二): central budget, municipal, district, lottery fund, bonds
    FundingSource.CENTRAL: 0.45,
    FundingSource.MUNICIPAL: 0.20,
    FundingSource.DISTRICT: 0.15,
    FundingSource.LOTTERY: 0.10,
    FundingSource.BONDS: 0.10,
}

# --- nursing homes (乡镇敬老院) -------------------------------------------------------------
# 撤并: the home of a township merged into a neighbour's, with the day its residents moved.
MERGED_HOMES = {
    "001": ("004", date(2021, 9, 30)),  # 凤山街道 → 羊角街道
    "211": ("210", date(2021, 12, 31)),  # 赵家乡 → 接龙乡
    "003": ("112", date(2022, 3, 31)),  # 仙女山街道 → 双河镇
    "212": ("206", date(2022, 6, 30)),  # 大洞河乡 → 土地乡
}
RETAINED_HOMES = 20  # 二(二): "保留的20个乡镇敬老院"
HOME_OPENED = (date(2003, 1, 1), date(2011, 12, 31))  # built in the 2000s (assumption)
HOME_BEDS = (25, 55)  # assumed real beds of a retained home
HOME_NURSING_SHARE = (0.0, 0.15)  # nursing-type beds before an upgrade
MERGED_HOME_BEDS = (15, 30)
UPGRADE_NURSING_BEDS = (0.20, 0.35)  # nursing beds an upgrade adds, of the home's beds
# Upgrades (提档升级) of the 20 retained homes, counted: the plan asks 10 by 2022.
UPGRADES_BY_2022 = 10
UPGRADES_LATER = ((2023, 2), (2024, 2))  # completed in these years
UPGRADES_UNDER_WAY = 1  # started 2026, not finished
UPGRADES_APPROVED = 1  # approved, not started
# the other retained homes have no project yet
UPGRADE_DELAYED = 3  # projects finishing 4–8 months after their planned date
UPGRADE_CENTRAL_SHARE = 0.4  # projects with central budget money (中央预算内)
# Socialised operation (社会化运营, 一(三)): ≥ 60 % asked by 2022.
SOCIALISED_BEFORE_PLAN = 5
SOCIALISED_BY_2022 = 6  # during 2021-06 … 2022-12: 11 of 20 (55 %) at the end of 2022
SOCIALISED_LATER = 2  # in 2023–2025: 13 of 20 (65 %) today
# Legal-person registration and filing (法人登记和备案, 二(五)): all asked.
REGISTERED_BEFORE_PLAN = 12
REGISTERED_BY_2022 = 5  # 17 of 20 at the end of 2022
REGISTERED_LATER = 1  # 18 of 20 today; 2 never
REGISTERED_NOT_FILED = 1  # registered but not filed
UNDERSTAFFED_HOMES = 3  # short of 1:10
# residents per management and service staff member of a home: (meeting 1:10, short of it)
HOME_RESIDENTS_PER_STAFF = {False: (7.0, 10.5), True: (12.5, 16.0)}

# --- service centres (乡镇(街道)养老服务中心) -------------------------------------------------
# No centre in the two central sub-districts (urban community stations serve them) nor in the
# two smallest townships: 22 centres, the plan's number.
NO_SERVICE_CENTRE = ("001", "002", "211", "212")
SERVICE_CENTRES_BY_2022 = 19
SERVICE_CENTRES_LATER = (date(2023, 9, 12), date(2024, 4, 16))  # opening days of two more
# the rest: under construction since 2026-03
SERVICE_CENTRES_SMALL = 4  # below 800 m²
SERVICE_CENTRES_PUBLIC = 5  # run by the township, not an institution
SERVICE_CENTRES_WITH_BEDS = 13  # 托养床位 for short and long stays
SERVICE_CENTRE_BEDS = (10, 30)
SERVICE_CENTRE_NURSING_SHARE = 0.4
SERVICE_CENTRE_DAY_CARE = 20  # offer day care
# 三(二) 先建后补: about 1,000,000 yuan per township for its centre and its villages' points.
AWARD_BASE = 600_000
AWARD_PER_VILLAGE = 55_000  # about 7.3 villages per township with a centre: ≈ 1,000,000

# --- village points (村级互助养老点) --------------------------------------------------------
# Shares of the villages by the year their point opened: 171 of 184 by the end of 2022.
POINT_OPENINGS = ((2021, 0.435), (2022, 0.495), (2023, 0.033), (2024, 0.016), (2025, 0.005))
POINTS_UNDER_CONSTRUCTION = 1  # the remaining ones are planned
POINTS_SUSPENDED = 2  # stopped in 2024–2025 (no room, no helper)
LARGE_VILLAGE_SHARE = 0.30  # of the villages coded 220 (村庄): large, populous ones
LARGE_STANDALONE_SHARE = 0.80  # large villages' points that stand alone
LARGE_COMPLETE_SHARE = 0.85  # of those, with ≥ 100 m² and all five rooms
SMALL_SITING = (  # siting of the other points (二(四): share a public building)
    (Siting.VILLAGE_SERVICE_CENTRE, 0.55),
    (Siting.CLINIC, 0.20),
    (Siting.STANDALONE, 0.12),
    (Siting.OTHER, 0.13),
)
MODEL_HOME_SHARE = (0.10, 0.02)  # 幸福家园 (concentrated living): standalone / sharing
MODEL_CANTEEN_SHARE = (0.65, 0.30)  # 幸福食堂: large / small village
MODEL_PARADISE_SHARE = 0.85  # 幸福乐园
POINTS_RUN_BY_ASSOCIATION = 0.2  # 老年协会 or a social-work agency runs the point

# --- residents -----------------------------------------------------------------------------
POOR_ADMITTED_SHARE = 0.6  # dispersed 特困 who ask for centralised support and get it
DISABLED_ADMITTED_SHARE = 0.65  # other disabled seniors wanting centralised care, admitted
DISABLED_GO_HOME_SHARE = 0.1  # of those, back home after some months
CARE_CENTRE_TRANSFER_SHARE = 0.85  # disabled residents of homes moving to the area's centre
DAY_CARE_SHARE = 0.5  # seniors wanting day care who go to their township centre
DAY_CARE_STOP_SHARE = 0.25  # of those, stopped coming
MAX_RETRIES = 4  # later days a waiting person is tried again (when beds come into use)

# --- staff ---------------------------------------------------------------------------------
TURNOVER = {  # yearly chance of leaving (assumption)
    StaffRole.DIRECTOR: 0.06,
    StaffRole.MANAGER: 0.08,
    StaffRole.CAREGIVER: 0.12,
    StaffRole.NURSE: 0.10,
    StaffRole.COOK: 0.10,
    StaffRole.SOCIAL_WORKER: 0.15,
    StaffRole.OTHER: 0.12,
}
FEMALE_SHARE = {
    StaffRole.DIRECTOR: 0.4,
    StaffRole.MANAGER: 0.5,
    StaffRole.CAREGIVER: 0.85,
    StaffRole.NURSE: 0.8,
    StaffRole.COOK: 0.7,
    StaffRole.SOCIAL_WORKER: 0.65,
    StaffRole.OTHER: 0.5,
}
STAFF_BIRTH_YEARS = (1960, 1995)
STAFF_FOLLOW_SHARE = 0.5  # staff of a merged or rebuilt home who move to its successor
# Caregivers' certificates (持证上岗, 二(十)).
CERTIFIED_SHARE = {"residential": 0.92, "service_centre": 0.6}
CAME_CERTIFIED_SHARE = 0.6  # the others get theirs 1–10 months after starting
CERTIFICATE_EXPIRES_SHARE = 0.25  # certificates with an expiry (3 years): some have expired
CERTIFICATE_LEVELS = (
    (CertificateLevel.BASIC, 55),
    (CertificateLevel.INTERMEDIATE, 30),
    (CertificateLevel.ADVANCED, 12),
    (CertificateLevel.TECHNICIAN, 3),
)
# Address codes of staff ID numbers: Wulong (old and new code), Fuling, Pengshui, Fengdu.
ID_ADDRESSES = (
    ("500232", 0.80),
    ("500156", 0.10),
    ("500102", 0.04),
    ("500243", 0.03),
    ("500230", 0.03),
)

# --- quality (GB/T 35796, 一(三)): ≥ 90 % of care centres, ≥ 65 % of homes and centres -----
QUALITY_PASS_BY_2022 = 0.68  # of retained homes and service centres: about 60 % of those open
QUALITY_PASS_LATER = 0.25  # pass in 2023–2025; the rest have not passed yet
QUALITY_REGRESS_SHARE = 0.1  # a passing facility failing one later check
QUALITY_FAULTS = (
    "消防通道堆放杂物，灭火器过期",
    "护理记录不完整，入住评估不规范",
    "食品留样制度未落实",
    "应急预案未组织演练",
    "老年人能力评估未按期复评",
    "服务合同与收费公示不规范",
)

# --- money ---------------------------------------------------------------------------------
# Annual basic living allowance of a centralised 特困 person (集中供养基本生活金), yuan.
# Assumption: about 7,000–8,000 a year (about 1.3 times the rural 低保 standard), rising.
ALLOWANCE = {2021: 7_200, 2022: 7_440, 2023: 7_680, 2024: 7_800, 2025: 7_920, 2026: 8_040}
FUNDS_BELOW_SHARE = 0.2  # facilities whose operating funds stay below 15 % (三(三))
FUNDS_RATIO = ((0.15, 0.32), (0.09, 0.145))  # meeting / below

# --- training (二(十)): 50 directors and 300 caregivers by 2022 -----------------------------
DIRECTORS_TRAINED_BY_2022 = 53  # met
CAREGIVERS_TRAINED_BY_2022 = 281  # missed
NOT_PASSED_SHARE = 0.03  # attendees who did not complete the course
LATER_NEW_SHARE = 0.35  # of the seats of courses after 2022, people trained the first time
# (held on, title, organiser, hours, seats, township or "" for the district)
DIRECTOR_SESSIONS = (
    (date(2021, 7, 20), "全区养老机构院长（主管）培训班（第一期）", "武隆区民政局", 24, 18, ""),
    (date(2021, 11, 16), "农村养老服务机构负责人能力提升培训", "武隆区民政局", 16, 16, ""),
    (date(2022, 4, 26), "全区养老机构院长（主管）培训班（第二期）", "武隆区民政局", 24, 17, ""),
    (date(2022, 9, 20), "重庆市养老机构院长培训班（武隆教学点）", "重庆市民政局", 32, 12, ""),
    (date(2023, 6, 13), "养老机构安全管理与服务质量提升培训", "武隆区民政局", 16, 16, ""),
    (date(2023, 10, 17), "乡镇养老服务中心主任培训班", "武隆区民政局", 16, 14, ""),
    (date(2024, 5, 21), "全区养老机构院长（主管）培训班（第三期）", "武隆区民政局", 24, 16, ""),
    (date(2024, 10, 15), "养老机构等级评定与标准化建设培训", "重庆市民政局", 16, 12, ""),
    (date(2025, 6, 10), "养老机构院长（主管）轮训班", "武隆区民政局", 24, 15, ""),
    (date(2026, 5, 19), "养老机构院长（主管）轮训班", "武隆区民政局", 24, 14, ""),
)
CAREGIVER_SESSIONS = (
    (date(2021, 6, 22), "养老护理员职业技能培训（初级）第一期", "武隆区民政局", 56, 40, ""),
    (date(2021, 9, 14), "养老护理员职业技能培训（初级）第二期", "武隆区民政局", 56, 36, ""),
    (date(2021, 12, 7), "养老护理员职业技能提升培训", "武隆区人力资源和社会保障局", 40, 45, ""),
    (date(2022, 3, 15), "养老护理员职业技能培训（初级）第三期", "武隆区民政局", 56, 38, ""),
    (date(2022, 5, 17), "失能老年人照护技能培训", "武隆区民政局", 40, 30, "101"),
    (date(2022, 7, 12), "养老护理员职业技能培训（中级）", "武隆区人力资源和社会保障局", 80, 42, ""),
    (date(2022, 9, 27), "养老护理员职业技能培训（初级）第四期", "武隆区民政局", 56, 35, ""),
    (date(2022, 11, 22), "农村互助养老点养老助理培训", "武隆区民政局", 24, 33, ""),
    (date(2023, 4, 18), "养老护理员职业技能培训（初级）第五期", "武隆区民政局", 56, 36, ""),
    (date(2023, 8, 22), "失能老年人照护技能培训", "武隆区民政局", 40, 30, "208"),
    (date(2023, 11, 14), "养老护理员职业技能提升培训", "武隆区人力资源和社会保障局", 40, 40, ""),
    (date(2024, 4, 23), "养老护理员职业技能培训（初级）第六期", "武隆区民政局", 56, 35, ""),
    (date(2024, 9, 10), "养老护理员职业技能培训（中级）", "武隆区人力资源和社会保障局", 80, 30, ""),
    (date(2025, 4, 15), "养老护理员职业技能培训（初级）第七期", "武隆区民政局", 56, 34, ""),
    (date(2025, 10, 21), "居家上门照护技能培训", "武隆区民政局", 40, 30, "105"),
    (date(2026, 4, 21), "养老护理员职业技能培训（初级）第八期", "武隆区民政局", 56, 32, ""),
)

OPERATORS = (  # fictitious elderly-care institutions (养老机构) that run facilities
    "重庆颐康养老服务有限公司",
    "重庆康泰养老服务有限公司",
    "重庆夕阳红养老服务有限公司",
    "武隆区乌江康养服务中心",
    "重庆和苑社区养老服务有限公司",
    "重庆福寿康养老服务有限公司",
    "武隆区仙女山颐养服务有限公司",
    "重庆乐享年华养老服务有限公司",
)
INSPECTORS = ("武隆区民政局", "武隆区民政局", "重庆市养老服务评估中心（第三方）")


class FacilityDemoError(ValueError):
    """The demo network cannot be generated (no regions loaded, a day before the plan)."""


@dataclass(frozen=True)
class FacilityResult:
    seed: int
    today: datetime.date
    scale: float
    already_present: int  # planned facilities found in the ledger; then nothing was added
    residents_skipped: bool  # no seniors in the ledger: no placements, no operating funds
    residents_added: int  # centrally supported 特困 registered for the homes (see _add_residents)
    created: dict[str, int]  # model → rows
    by_kind_status: dict[str, dict[str, dict[str, int]]]  # "2022-12-31" / "today" → kind → …
    villages_with_point: dict[str, int]  # day → villages with an operating point
    waiting: dict[str, int]  # who wants a place and has none today
    trained: dict[str, dict[str, int]]  # day → training kind → distinct people


# --- the plan in memory --------------------------------------------------------------------


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + days(rng.randint(0, max((last - first).days, 0)))


def _add_months_end(day: date) -> date:
    """The last day of the month after ``day``'s."""
    first = (day.replace(day=1) + days(32)).replace(day=1)
    return (first + days(32)).replace(day=1) - days(1)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Rec:
    """A row to write: its values as they changed, each change on its day. The first change is
    the day the row was entered; changes after ``today`` are not written."""

    def __init__(self, model: type[models.Model], day: date, values: dict[str, Any]):
        self.model = model
        self.events: list[tuple[date, dict[str, Any]]] = [(day, dict(values))]
        self.obj: models.Model | None = None

    @property
    def entered(self) -> date:
        return self.events[0][0]

    def add(self, day: date, **changes: Any) -> None:
        """A change on ``day``; one before the row was entered is part of its first values."""
        if day <= self.entered:
            self.events[0][1].update(changes)
            return
        index = len(self.events)
        while index > 1 and self.events[index - 1][0] > day:
            index -= 1
        self.events.insert(index, (day, changes))

    def state_on(self, day: date) -> dict[str, Any] | None:
        if self.entered > day:
            return None
        state: dict[str, Any] = {}
        for when, changes in self.events:
            if when > day:
                break
            state.update(changes)
        return state


@dataclass(eq=False)
class _Bed:
    fac: _Fac
    label: str
    kind: str
    in_use_from: date
    retired_on: date | None = None
    stays: list[_Stay] = field(default_factory=list)

    def free(self, start: date, end: date | None) -> bool:
        if self.in_use_from > start:
            return False
        if self.retired_on is not None and (end is None or self.retired_on < end):
            return False
        for stay in self.stays:
            if (end is None or stay.start < end) and (stay.end is None or start < stay.end):
                return False
        return True


@dataclass(eq=False)
class _Stay:
    person: _Person
    fac: _Fac
    bed: _Bed | None
    kind: str
    start: date
    end: date | None
    admission_reason: str
    discharge_reason: str = ""


@dataclass(eq=False)
class _Staff:
    fac: _Fac
    role: str
    who: _Identity
    started_on: date
    ended_on: date | None
    full_time: bool = True
    rec: Rec | None = None


@dataclass(frozen=True)
class _Identity:
    name: str
    id_number: str
    phone: str
    birth_date: date


@dataclass(eq=False)
class _Fac:
    kind: str
    name: str
    region: str
    township: str
    rec: Rec
    area: str = ""
    key: str = ""  # care centres: the area; homes: "retained" / "merged" / "predecessor"
    successor: _Fac | None = None
    served: list[str] = field(default_factory=list)
    beds: list[_Bed] = field(default_factory=list)
    stays: list[_Stay] = field(default_factory=list)
    staff: list[_Staff] = field(default_factory=list)
    understaffed: bool = False
    lead: _Fac | None = None  # a point's township centre (中心带点)
    full_beds: int = 0  # assumed real beds (before an upgrade or a supplement)
    upgraded: tuple[date, int] | None = None  # upgrade completed, nursing beds it adds
    opened_on: date | None = None  # as of today
    closes: date | None = None  # as of today
    rng: random.Random | None = None

    def add(self, day: date, **changes: Any) -> None:
        self.rec.add(day, **changes)

    def settle(self, today: date) -> None:
        state = self.rec.state_on(today) or {}
        self.opened_on = state.get("opened_on")
        stopped = state.get("status") in (Status.SUSPENDED, Status.CLOSED, Status.MERGED)
        self.closes = state.get("status_on") if stopped else None

    def operating_on(self, day: date) -> bool:
        return (
            self.opened_on is not None
            and self.opened_on <= day
            and (self.closes is None or day < self.closes)
        )

    def free_bed(self, start: date, end: date | None, nursing: bool) -> _Bed | None:
        order = (
            (BedKind.NURSING, BedKind.ORDINARY) if nursing else (BedKind.ORDINARY, BedKind.NURSING)
        )
        for kind in order:
            for bed in self.beds:
                if bed.kind == kind and bed.free(start, end):
                    return bed
        return None

    def add_beds(self, count: int, kind: str, in_use_from: date) -> None:
        for _ in range(count):
            n = len(self.beds)
            label = f"{1 + n // 20}{(n % 20) // 2 + 1:02d}-{n % 2 + 1}"
            self.beds.append(_Bed(self, label, kind, in_use_from))

    def residents_on(self, day: date) -> int:
        return sum(
            1
            for s in self.stays
            if s.kind != PlacementKind.DAY_CARE
            and s.start <= day
            and (s.end is None or s.end > day)
        )

    def peak(self) -> int:
        moves: list[tuple[date, int]] = []
        for s in self.stays:
            if s.kind == PlacementKind.DAY_CARE:
                continue
            moves.append((s.start, 1))
            if s.end is not None:
                moves.append((s.end, -1))
        moves.sort()  # on a day, leaving (-1) sorts before arriving
        peak = current = 0
        for _, step in moves:
            current += step
            peak = max(peak, current)
        return peak


@dataclass(eq=False)
class _Person:
    pk: int
    id_number: str
    village: str
    township: str
    birth_date: date
    status: str
    status_on: date | None
    registered_on: date
    poverty: str
    wants_centralised: bool
    wants_day_care: bool
    levels: list[tuple[date, str]]
    rng: random.Random
    home_on: date | None = None  # back home for good (a residential stay ends)
    transfer_on: date | None = None  # moves from a home to the area's care centre
    stays: list[_Stay] = field(default_factory=list)

    @property
    def end(self) -> date | None:
        ends = [d for d in (self.status_on, self.home_on) if d is not None]
        return min(ends) if ends else None

    def end_reason(self) -> str:
        if self.home_on is not None and (self.status_on is None or self.home_on < self.status_on):
            return "回家由子女照料"
        return {SeniorStatus.DECEASED: "病故", SeniorStatus.MOVED_OUT: "迁出本区"}.get(
            self.status, ""
        )

    def disabled_on(self, day: date) -> bool:
        level = None
        for when, lv in self.levels:
            if when > day:
                break
            level = lv
        return level in DISABLED_LEVELS

    @property
    def disabled_from(self) -> date | None:
        """Since when the person is moderately or severely dependent, to their latest
        assessment (None when the latest assessment says otherwise)."""
        since = None
        for when, level in reversed(self.levels):
            if level not in DISABLED_LEVELS:
                break
            since = when
        return since


class _Planner:
    def __init__(self, *, seed: int, today: date, scale: float, regions: list[dict]):
        self.seed = seed
        self.today = today
        self.scale = scale
        self.townships = {
            r["code"][6:9]: r for r in regions if r["level"] == Level.TOWNSHIP
        }  # 3-digit key → row
        self.villages: dict[str, list[dict]] = defaultdict(list)
        self.communities: dict[str, list[str]] = defaultdict(list)
        for r in regions:
            if r["level"] != Level.VILLAGE:
                continue
            if r["kind"] == RegionKind.VILLAGE:
                self.villages[r["code"][6:9]].append(r)
            else:
                self.communities[r["code"][6:9]].append(r["code"])
        self.area_of = {t: a for a, townships in AREAS.items() for t in townships}
        self.facs: list[_Fac] = []
        self.homes: dict[str, _Fac] = {}  # township key → its original home
        self.care_centres: dict[str, _Fac] = {}  # area → care centre
        self.service_centres: dict[str, _Fac] = {}  # township key → centre
        self.projects: list[Rec] = []
        self.fundings: list[Rec] = []
        self.milestones: list[Rec] = []
        self.indicator_checks: list[Rec] = []
        self.quality_checks: list[Rec] = []
        self.funds: list[Rec] = []
        self.certificates: list[Rec] = []
        self.sessions: list[Rec] = []
        self.attendances: list[Rec] = []
        self.project_of: dict[int, Rec] = {}  # id(fac) → its upgrade project
        self.used_ids: set[str] = set()
        self.faker = Faker("zh_CN")
        self.people: list[_Person] = []
        self.waiting: Counter[str] = Counter()
        self.certificate_seq = 0

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def beds_scaled(self, count: int, floor: str) -> int:
        return max(MIN_BEDS[floor], round(count * self.scale))

    # -- facilities ------------------------------------------------------------------------

    def facility(
        self, kind: str, name: str, region: str, township: str, entered: date, **values: Any
    ) -> _Fac:
        base = {
            "kind": kind,
            "name": name,
            "region_id": region,
            "status": Status.PLANNED,
            "status_on": None,
            "opened_on": None,
            "operation_mode": OperationMode.PUBLIC,
            "operator_name": "",
            "run_by_institution_since": None,
            "legal_person_registered_on": None,
            "filed_on": None,
        }
        base.update(values)
        fac = _Fac(
            kind=kind,
            name=name,
            region=region,
            township=township,
            rec=Rec(Facility, entered, base),
            rng=self.rng("facility", kind, region),
        )
        self.facs.append(fac)
        return fac

    def township_code(self, key: str) -> str:
        return self.townships[key]["code"]

    def township_name(self, key: str) -> str:
        return self.townships[key]["short_name"]

    def plan_network(self) -> None:
        self.plan_care_centres()
        self.plan_homes()
        self.plan_service_centres()
        self.plan_points()
        for fac in self.facs:
            fac.settle(self.today)
            for bed in fac.beds:
                if fac.closes is not None and bed.retired_on is None:
                    bed.retired_on = fac.closes
        self.plan_beds_after_upgrades()

    def plan_care_centres(self) -> None:
        for spec in CARE_CENTRES:
            if spec.township not in self.townships:
                continue
            township = self.township_code(spec.township)
            fac = self.facility(
                Kind.CARE_CENTRE, spec.name, township, spec.township, ANCHOR, notes=spec.notes
            )
            fac.area, fac.key = spec.area, spec.area
            fac.served = [
                self.township_code(t)
                for t in AREAS[spec.area]
                if t in self.townships and t != spec.township
            ]
            fac.add(spec.started, status=Status.UNDER_CONSTRUCTION)
            fac.add(spec.opened, status=Status.OPERATING, opened_on=spec.opened)
            fac.add(spec.opened + days(20), legal_person_registered_on=spec.opened + days(20))
            fac.add(spec.opened + days(45), filed_on=spec.opened + days(45))
            if spec.operator:
                fac.add(
                    spec.opened,
                    operation_mode=OperationMode.SOCIALISED,
                    operator_name=spec.operator,
                    run_by_institution_since=spec.opened,
                )
            fac.understaffed = not spec.meets_staffing
            beds = self.beds_scaled(spec.beds, "care_centre")
            nursing = round(beds * spec.nursing_share)
            fac.add_beds(nursing, BedKind.NURSING, spec.opened)
            fac.add_beds(beds - nursing, BedKind.ORDINARY, spec.opened)
            self.care_centres[spec.area] = fac
            self.project(
                fac,
                ProjectKind.REBUILD,
                spec.project_title,
                spec.budget,
                CARE_CENTRE_FUNDING,
                approved=spec.approved,
                started=spec.started,
                planned_completion=spec.planned_completion,
                completed=spec.completed,
                opened=spec.opened,
            )
            for checked_on, passed in spec.quality:
                self.quality_check(fac, checked_on, passed)
            if spec.predecessor:
                old = self.facility(
                    Kind.NURSING_HOME,
                    spec.predecessor,
                    township,
                    spec.township,
                    ANCHOR,
                    status=Status.OPERATING,
                    opened_on=spec.predecessor_opened,
                    legal_person_registered_on=date(2017, 6, 12),
                    filed_on=date(2017, 8, 3),
                    notes=f"{spec.opened:%Y年%m月}改建为{spec.name}，住养人员整体转入。",
                )
                old.key, old.area, old.successor = "predecessor", spec.area, fac
                old.add(spec.opened, status=Status.CLOSED, status_on=spec.opened)
                beds = self.beds_scaled(spec.predecessor_beds, "home")
                old.full_beds = spec.predecessor_beds
                nursing = round(beds * 0.1)
                old.add_beds(nursing, BedKind.NURSING, spec.predecessor_opened)
                old.add_beds(beds - nursing, BedKind.ORDINARY, spec.predecessor_opened)
                self.homes[spec.township] = old

    def plan_homes(self) -> None:
        rng = self.rng("homes")
        keys = [k for k in sorted(self.townships) if k not in self.homes]
        retained = [k for k in keys if k not in MERGED_HOMES]
        for key in keys:
            frng = self.rng("home", key)
            name = f"{self.township_name(key)}敬老院"
            opened = _between(frng, *HOME_OPENED)
            merged = key in MERGED_HOMES and MERGED_HOMES[key][0] in self.townships
            fac = self.facility(
                Kind.NURSING_HOME,
                name,
                self.township_code(key),
                key,
                ANCHOR,
                status=Status.OPERATING,
                opened_on=opened,
                retention=Retention.MERGED if merged else Retention.RETAINED,
            )
            fac.key, fac.area = ("merged" if merged else "retained"), self.area_of.get(key, "")
            full = frng.randint(*(MERGED_HOME_BEDS if merged else HOME_BEDS))
            beds = self.beds_scaled(full, "merged" if merged else "home")
            nursing = 0 if merged else round(beds * frng.uniform(*HOME_NURSING_SHARE))
            fac.add_beds(nursing, BedKind.NURSING, opened)
            fac.add_beds(beds - nursing, BedKind.ORDINARY, opened)
            fac.full_beds = full
            self.homes[key] = fac
        for key, (target, on) in MERGED_HOMES.items():
            if key in self.homes and target in self.homes:
                fac, successor = self.homes[key], self.homes[target]
                fac.successor = successor
                fac.add(on, status=Status.MERGED, status_on=on)
                fac.add(ANCHOR, notes=f"撤并计划：{on:%Y年%m月}并入{successor.name}。")
                # 补建: the receiving home builds rooms for the merged home's residents first
                completed = on - days(fac.rng.randint(20, 60))
                self.project(
                    successor,
                    ProjectKind.SUPPLEMENT,
                    f"{successor.name}补建（接收{fac.name}）",
                    fac.rng.randint(120, 250) * 10_000,
                    {
                        FundingSource.DISTRICT: 0.5,
                        FundingSource.BONDS: 0.3,
                        FundingSource.LOTTERY: 0.2,
                    },
                    approved=completed - days(210),
                    started=completed - days(150),
                    planned_completion=completed - days(10),
                    completed=completed,
                )
                successor.add_beds(len(fac.beds), BedKind.ORDINARY, completed + days(7))
        self.plan_retained(rng, [self.homes[k] for k in retained if k in self.homes])

    def plan_retained(self, rng: random.Random, homes: list[_Fac]) -> None:
        order = list(homes)
        rng.shuffle(order)
        # upgrades (提档升级)
        delayed = set(map(id, rng.sample(order[:UPGRADES_BY_2022], UPGRADE_DELAYED)))
        cursor = 0
        done_by_2022 = order[cursor : cursor + UPGRADES_BY_2022]
        cursor += UPGRADES_BY_2022
        for i, fac in enumerate(done_by_2022):
            started = date(2021, 6, 20) + days(i * 28 + fac.rng.randint(0, 20))
            completed = started + days(fac.rng.randint(150, 300))
            if id(fac) in delayed:
                planned = started + days(fac.rng.randint(120, 180))
                completed = min(planned + days(fac.rng.randint(120, 240)), date(2022, 12, 15))
            else:
                completed = min(completed, date(2022, 12, 15))
                planned = completed - days(fac.rng.randint(0, 45))
            self.upgrade(fac, started, planned, completed)
        for year, count in UPGRADES_LATER:
            for fac in order[cursor : cursor + count]:
                started = date(year - 1, 9, 1) + days(fac.rng.randint(0, 120))
                completed = date(year, 3, 1) + days(fac.rng.randint(0, 240))
                self.upgrade(fac, started, completed - days(fac.rng.randint(30, 120)), completed)
            cursor += count
        for fac in order[cursor : cursor + UPGRADES_UNDER_WAY]:
            started = date(2026, 3, 10) + days(fac.rng.randint(0, 60))
            self.upgrade(fac, started, date(2027, 3, 31), None)
        cursor += UPGRADES_UNDER_WAY
        for fac in order[cursor : cursor + UPGRADES_APPROVED]:
            self.upgrade(fac, None, date(2027, 9, 30), None, approved=date(2026, 6, 16))
        # socialised operation, registration, staffing: independent draws of the same homes
        order = list(homes)
        rng.shuffle(order)
        spans = (
            (SOCIALISED_BEFORE_PLAN, date(2018, 1, 1), ANCHOR - days(1)),
            (SOCIALISED_BY_2022, ANCHOR + days(30), date(2022, 12, 20)),
            (SOCIALISED_LATER, date(2023, 3, 1), date(2025, 10, 31)),
        )
        cursor = 0
        for count, first, last in spans:
            for fac in order[cursor : cursor + count]:
                since = _between(fac.rng, first, last)
                fac.add(
                    since,
                    operation_mode=OperationMode.SOCIALISED,
                    operator_name=fac.rng.choice(OPERATORS[2:]),
                    run_by_institution_since=since,
                )
            cursor += count
        order = list(homes)
        rng.shuffle(order)
        spans = (
            (REGISTERED_BEFORE_PLAN, date(2016, 3, 1), ANCHOR - days(1)),
            (REGISTERED_BY_2022, ANCHOR + days(30), date(2022, 11, 30)),
            (REGISTERED_LATER, date(2023, 5, 1), date(2024, 6, 30)),
        )
        cursor = 0
        registered: list[_Fac] = []
        for count, first, last in spans:
            for fac in order[cursor : cursor + count]:
                on = _between(fac.rng, first, last)
                fac.add(on, legal_person_registered_on=on)
                registered.append(fac)
                if len(registered) > REGISTERED_NOT_FILED:
                    filed = on + days(fac.rng.randint(10, 90))
                    fac.add(filed, filed_on=filed)
            cursor += count
        # the homes short of staff are among the larger ones (a small home is run by two)
        larger = sorted(homes, key=lambda f: (-f.full_beds, f.township))[: 2 * UNDERSTAFFED_HOMES]
        for fac in rng.sample(larger, min(UNDERSTAFFED_HOMES, len(larger))):
            fac.understaffed = True
        # GB/T 35796 checks
        self.quality_plan(homes, "homes")

    def upgrade(
        self,
        fac: _Fac,
        started: date | None,
        planned: date,
        completed: date | None,
        approved: date | None = None,
    ) -> None:
        rng = fac.rng
        funding = (
            {
                FundingSource.CENTRAL: 0.5,
                FundingSource.MUNICIPAL: 0.2,
                FundingSource.DISTRICT: 0.2,
                FundingSource.LOTTERY: 0.1,
            }
            if rng.random() < UPGRADE_CENTRAL_SHARE
            else {
                FundingSource.MUNICIPAL: 0.4,
                FundingSource.DISTRICT: 0.35,
                FundingSource.LOTTERY: 0.25,
            }
        )
        state = fac.rec.state_on(started or approved or planned) or {}
        if state.get("operation_mode") == OperationMode.SOCIALISED or rng.random() < 0.2:
            funding = {**{k: v * 0.85 for k, v in funding.items()}, FundingSource.SOCIAL: 0.15}
        budget = rng.randint(80, 320) * 10_000
        project = self.project(
            fac,
            ProjectKind.UPGRADE,
            f"{fac.name}提档升级改造",
            budget,
            funding,
            approved=approved or (started - days(rng.randint(45, 100))),
            started=started,
            planned_completion=planned,
            completed=completed,
        )
        self.project_of[id(fac)] = project
        if completed is not None:
            share = rng.uniform(*UPGRADE_NURSING_BEDS)
            fac.upgraded = (completed, max(1, round(fac.full_beds * share * self.scale)))

    def plan_beds_after_upgrades(self) -> None:
        for fac in self.facs:
            upgraded = fac.upgraded
            if upgraded and upgraded[0] + days(7) <= self.today:
                fac.add_beds(upgraded[1], BedKind.NURSING, upgraded[0] + days(7))

    def project(
        self,
        fac: _Fac,
        kind: str,
        title: str,
        budget: int,
        funding: dict,
        *,
        approved: date,
        started: date | None,
        planned_completion: date,
        completed: date | None,
        opened: date | None = None,
        award: int | None = None,
    ) -> Rec:
        rng = self.rng("project", title)
        entered = approved - days(rng.randint(30, 90))
        rec = Rec(
            UpgradeProject,
            entered,
            {
                "facility": fac,
                "kind": kind,
                "title": title,
                "budget": Decimal(budget),
                "status": ProjectStatus.PLANNED,
                "started_on": None,
                "completed_on": None,
                "award_amount": None,
                "award_paid_on": None,
                "notes": "",
            },
        )
        rec.add(approved, status=ProjectStatus.APPROVED)
        accepted = None
        if started is not None:
            rec.add(started, status=ProjectStatus.UNDER_CONSTRUCTION, started_on=started)
        if completed is not None:
            rec.add(completed, status=ProjectStatus.COMPLETED, completed_on=completed)
            accepted = completed + days(rng.randint(15, 40))
            if opened is not None:
                accepted = min(accepted, opened)
            rec.add(accepted, status=ProjectStatus.ACCEPTED)
            if award:
                paid = accepted + days(rng.randint(60, 240))
                rec.add(paid, award_amount=Decimal(award), award_paid_on=paid)
        if completed is not None and completed > planned_completion + days(60):
            rec.add(completed, notes=f"计划{planned_completion:%Y年%m月}完工，延期完成。")
        self.projects.append(rec)
        # funding: rounded to 10,000 yuan, the last source takes the rest
        sources = list(funding.items())
        total = sum(share for _, share in sources)
        left = budget
        for i, (source, share) in enumerate(sources):
            amount = left if i == len(sources) - 1 else round(budget * share / total, -4)
            left -= amount
            if amount > 0:
                self.fundings.append(
                    Rec(
                        ProjectFunding,
                        approved,
                        {"project": rec, "source": source, "amount": Decimal(amount)},
                    )
                )
        # milestones: the schedule, and the day each was done
        span = (planned_completion - (started or approved)).days
        plan_start = started or (approved + days(120))
        schedule = [
            ("立项批复", approved, approved),
            ("开工建设", plan_start, started),
            (
                "主体完工",
                plan_start + days(int(span * 0.6)),
                started + days(int(((completed or self.today) - started).days * 0.6))
                if started and completed
                else None,
            ),
            ("竣工验收", planned_completion + days(20), accepted),
        ]
        if opened is not None:
            schedule.append(("投入运营", planned_completion + days(45), opened))
        for name, planned_on, done_on in schedule:
            m = Rec(
                Milestone,
                approved,
                {"project": rec, "name": name, "planned_on": planned_on, "done_on": None},
            )
            if done_on is not None:
                m.add(done_on, done_on=done_on)
            self.milestones.append(m)
        return rec

    def plan_service_centres(self) -> None:
        rng = self.rng("service_centres")
        keys = [k for k in sorted(self.townships) if k not in NO_SERVICE_CENTRE]
        order = list(keys)
        rng.shuffle(order)
        by_2022 = order[:SERVICE_CENTRES_BY_2022]
        openings: dict[str, date | None] = {}
        span = (date(2022, 12, 20) - date(2021, 9, 1)).days
        for i, key in enumerate(by_2022):
            step = span * i // max(len(by_2022) - 1, 1)
            openings[key] = date(2021, 9, 1) + days(step + rng.randint(-10, 10))
        rest = order[SERVICE_CENTRES_BY_2022:]
        for key, opened in zip(rest, SERVICE_CENTRES_LATER, strict=False):
            openings[key] = opened
        for key in rest[len(SERVICE_CENTRES_LATER) :]:
            openings[key] = None
        small = set(rng.sample(keys, min(SERVICE_CENTRES_SMALL, len(keys))))
        public = set(rng.sample(keys, min(SERVICE_CENTRES_PUBLIC, len(keys))))
        with_beds = set(rng.sample(keys, min(SERVICE_CENTRES_WITH_BEDS, len(keys))))
        day_care = set(rng.sample(keys, min(SERVICE_CENTRE_DAY_CARE, len(keys))))
        for key in keys:
            frng = self.rng("service_centre", key)
            opened = openings[key]
            home = self.homes.get(key)
            siting = frng.choices(
                ("home", "school", "clinic", "new"),
                (4 if home and home.key == "retained" else 0, 3, 2, 2),
            )[0]
            notes = {
                "home": f"依托{home.name if home else ''}改扩建，一体化管理。",
                "school": "利用闲置学校改建。",
                "clinic": "利用乡镇卫生院闲置用房改建，医养结合。",
                "new": "在场镇新建。",
            }[siting]
            area = frng.randint(520, 780) if key in small else frng.randint(800, 1_600)
            fac = self.facility(
                Kind.SERVICE_CENTRE,
                f"{self.township_name(key)}养老服务中心",
                self.township_code(key),
                key,
                ANCHOR,
                floor_area=Decimal(area),
                notes=notes,
                has_dining_room=True,
                has_rest_room=True,
                has_activity_room=True,
                has_rehab_room=True,
                has_library=True,
                offers_day_care=key in day_care,
                offers_rehabilitation=frng.random() < 0.75,
                offers_recreation=True,
                offers_emergency_rescue=True,
                model_happy_canteen=True,
                model_happy_paradise=True,
            )
            fac.area = self.area_of.get(key, "")
            fac.served = list(self.communities.get(key, ()))
            self.service_centres[key] = fac
            if opened is not None:
                completed = opened - days(frng.randint(15, 60))
                started = completed - days(frng.randint(150, 300))
                fac.add(started, status=Status.UNDER_CONSTRUCTION)
                fac.add(opened, status=Status.OPERATING, opened_on=opened)
                planned = completed - days(frng.randint(0, 40))
            else:
                started = date(2026, 3, 2) + days(frng.randint(0, 40))
                completed, planned = None, date(2027, 6, 30)
                fac.add(started, status=Status.UNDER_CONSTRUCTION)
            if opened is not None and key not in public:
                since = opened + days(frng.randint(0, 90))
                fac.add(
                    since,
                    operation_mode=OperationMode.SOCIALISED,
                    operator_name=frng.choice(OPERATORS),
                    run_by_institution_since=since,
                )
            if key in with_beds and opened is not None:
                full = frng.randint(*SERVICE_CENTRE_BEDS)
                beds = self.beds_scaled(full, "service_centre")
                nursing = round(beds * SERVICE_CENTRE_NURSING_SHARE)
                fac.add_beds(nursing, BedKind.NURSING, opened)
                fac.add_beds(beds - nursing, BedKind.ORDINARY, opened)
            budget = (frng.randint(120, 240) if siting == "new" else frng.randint(50, 150)) * 10_000
            funding = (
                {FundingSource.DISTRICT: 0.5, FundingSource.LOTTERY: 0.3, FundingSource.SOCIAL: 0.2}
                if key not in public
                else {FundingSource.DISTRICT: 0.6, FundingSource.LOTTERY: 0.4}
            )
            villages = len(self.villages.get(key, ()))
            self.project(
                fac,
                ProjectKind.NEW if siting == "new" else ProjectKind.REBUILD,
                f"{fac.name}建设",
                budget,
                funding,
                approved=started - days(frng.randint(30, 80)),
                started=started,
                planned_completion=planned,
                completed=completed,
                opened=opened,
                award=AWARD_BASE + AWARD_PER_VILLAGE * villages,
            )
        self.quality_plan(list(self.service_centres.values()), "service_centres")

    def plan_points(self) -> None:
        rng = self.rng("points")
        villages = [v for key in sorted(self.villages) for v in self.villages[key]]
        order = list(villages)
        rng.shuffle(order)
        n = len(order)
        schedule: list[tuple[str, int | None]] = []
        for year, share in POINT_OPENINGS:
            schedule.extend([("open", year)] * round(n * share))
        schedule.extend([("building", None)] * POINTS_UNDER_CONSTRUCTION)
        schedule = schedule[:n] + [("planned", None)] * max(0, n - len(schedule))
        opened_by_2022: list[_Fac] = []
        for village, (state, year) in zip(order, schedule, strict=True):
            fac = self.point(village, state, year)
            if fac.rec.state_on(TARGET_DAY) and fac.rec.state_on(TARGET_DAY).get("opened_on"):
                opened_by_2022.append(fac)
        opened_by_2022.sort(key=lambda f: f.region)
        for fac in rng.sample(opened_by_2022, min(POINTS_SUSPENDED, len(opened_by_2022))):
            on = _between(fac.rng, date(2024, 3, 1), date(2025, 9, 30))
            fac.add(
                on,
                status=Status.SUSPENDED,
                status_on=on,
                notes="因场地收回、养老助理外出务工暂停运营。",
            )

    def point(self, village: dict, state: str, year: int | None) -> _Fac:
        key = village["code"][6:9]
        rng = self.rng("point", village["code"])
        large = village["urban_rural_code"] == "220" and rng.random() < LARGE_VILLAGE_SHARE
        rooms = dict.fromkeys(
            (
                "has_dining_room",
                "has_rest_room",
                "has_activity_room",
                "has_rehab_room",
                "has_library",
            ),
            False,
        )
        if large and rng.random() < LARGE_STANDALONE_SHARE:
            siting = Siting.STANDALONE
            if rng.random() < LARGE_COMPLETE_SHARE:
                area = rng.randint(100, 260)
                rooms = dict.fromkeys(rooms, True)
            else:  # too small, or a room missing
                area = rng.randint(60, 98) if rng.random() < 0.5 else rng.randint(100, 180)
                rooms = dict.fromkeys(rooms, True)
                for room in rng.sample(sorted(rooms), rng.randint(1, 2)):
                    rooms[room] = False
        else:
            siting = (
                Siting.VILLAGE_SERVICE_CENTRE
                if large
                else rng.choices([s for s, _ in SMALL_SITING], [w for _, w in SMALL_SITING])[0]
            )
            area = rng.randint(50, 120) if siting == Siting.STANDALONE else rng.randint(30, 95)
            rooms["has_activity_room"] = rng.random() < 0.9
            rooms["has_rest_room"] = rng.random() < 0.55
            rooms["has_rehab_room"] = rng.random() < 0.15
            rooms["has_library"] = rng.random() < 0.45
        standalone = siting == Siting.STANDALONE
        happy_home = rng.random() < MODEL_HOME_SHARE[0 if standalone else 1]
        canteen = rng.random() < MODEL_CANTEEN_SHARE[0 if large else 1]
        paradise = rng.random() < MODEL_PARADISE_SHARE or not (happy_home or canteen)
        if canteen:
            rooms["has_dining_room"] = True
        if happy_home:
            rooms["has_rest_room"] = True
        name = f"{village['short_name']}" + (
            "老年幸福家园" if happy_home else "老年幸福食堂" if canteen else "互助养老点"
        )
        lead = self.service_centres.get(key)
        values = {
            "floor_area": Decimal(area),
            "siting": siting,
            "large_village": large,
            "model_happy_home": happy_home,
            "model_happy_canteen": canteen,
            "model_happy_paradise": paradise,
            # the plan's four functions (二(三)): most points offer them with a rest room and
            # simple rehabilitation equipment in a shared room; about one in five lacks one
            "offers_day_care": happy_home or rooms["has_rest_room"] or rng.random() < 0.85,
            "offers_rehabilitation": rooms["has_rehab_room"] or rng.random() < 0.9,
            "offers_recreation": paradise or rooms["has_activity_room"],
            "offers_emergency_rescue": rng.random() < 0.95,
            "notes": "",
            **rooms,
        }
        # the township lists its planned points within weeks of the plan; building takes 1–4
        # months before the point opens
        opened = None
        if state == "open" and year is not None:
            first = date(2021, 7, 1) if year == 2021 else date(year, 1, 10)
            last = date(2021, 12, 28) if year == 2021 else date(year, 12, 26)
            opened = _between(rng, first, last)
        entered = ANCHOR + days(rng.randint(0, 30))
        if opened is not None:
            entered = min(entered, opened - days(10))
        fac = self.facility(Kind.MUTUAL_AID_POINT, name, village["code"], key, entered, **values)
        fac.lead = lead
        fac.area = self.area_of.get(key, "")
        if opened is not None:
            started = max(entered + days(1), opened - days(rng.randint(30, 120)))
            fac.add(started, status=Status.UNDER_CONSTRUCTION)
            fac.add(opened, status=Status.OPERATING, opened_on=opened)
            if rng.random() < POINTS_RUN_BY_ASSOCIATION:
                fac.add(
                    opened,
                    operation_mode=OperationMode.SOCIALISED,
                    operator_name=f"{village['short_name']}老年协会",
                )
        elif state == "building":
            fac.add(
                _between(rng, date(2026, 3, 1), date(2026, 6, 30)), status=Status.UNDER_CONSTRUCTION
            )
        else:
            fac.add(entered, notes="村即将合并调整，暂缓设点，由乡镇养老服务中心提供延伸服务。")
        return fac

    # -- quality (GB/T 35796) ----------------------------------------------------------------

    def quality_check(self, fac: _Fac, checked_on: date, passed: bool) -> None:
        rng = self.rng("quality", fac.region, fac.kind, checked_on)
        inspector = rng.choice(INSPECTORS)
        if inspector == "武隆区民政局":
            self.faker.seed_instance(f"{self.seed}:inspector:{fac.region}:{checked_on}")
            inspector = f"{inspector} {self.faker.name()}"
        note = "符合《养老机构服务质量基本规范》" if passed else rng.choice(QUALITY_FAULTS)
        self.quality_checks.append(
            Rec(
                QualityCheck,
                checked_on,
                {
                    "facility": fac,
                    "checked_on": checked_on,
                    "passed": passed,
                    "inspector": inspector,
                    "note": note,
                },
            )
        )

    def quality_plan(self, facs: list[_Fac], stream: str) -> None:
        rng = self.rng("quality", stream)
        order = list(facs)
        rng.shuffle(order)
        n = len(order)
        by_2022 = round(n * QUALITY_PASS_BY_2022)
        later = round(n * QUALITY_PASS_LATER)
        for i, fac in enumerate(order):
            state = fac.rec.state_on(self.today) or {}
            opened = state.get("opened_on")
            if opened is None:
                continue
            stops = state.get("status_on") if state.get("status") != Status.OPERATING else None
            first = max(opened + days(60), date(2021, 9, 1)) + days(fac.rng.randint(0, 120))
            if i < by_2022:
                pass_on = _between(fac.rng, first, max(first, date(2022, 12, 15)))
            elif i < by_2022 + later:
                pass_on = _between(fac.rng, max(first, date(2023, 3, 1)), date(2025, 10, 31))
            else:
                pass_on = None
            checks = []
            day = first
            while day <= date(2026, 12, 31):
                checks.append(day)
                day += days(fac.rng.randint(270, 450))
            if pass_on is not None:
                checks = sorted(
                    {*(c for c in checks if c < pass_on or c > pass_on + days(90)), pass_on}
                )
            regress = pass_on is not None and fac.rng.random() < QUALITY_REGRESS_SHARE
            failed_once = False
            for day in checks:
                if stops is not None and day >= stops:
                    break
                passed = pass_on is not None and day >= pass_on
                if passed and regress and not failed_once and day >= date(2024, 1, 1):
                    passed, failed_once = False, True
                self.quality_check(fac, day, passed)

    # -- residents ---------------------------------------------------------------------------

    def load_people(self) -> None:
        wanted = (
            Senior.objects.filter(
                Q(extreme_poverty__in=[ExtremePoverty.CENTRALISED, ExtremePoverty.DISPERSED])
                | Q(wants_centralised_care=True)
                | Q(wants_day_care=True)
            )
            .order_by("id_number")
            .values_list(
                "pk",
                "id_number",
                "village_id",
                "birth_date",
                "status",
                "status_on",
                "registered_on",
                "extreme_poverty",
                "wants_centralised_care",
                "wants_day_care",
            )
        )
        rows = list(wanted)
        levels: dict[int, list[tuple[date, str]]] = defaultdict(list)
        pks = [r[0] for r in rows]
        for i in range(0, len(pks), 500):
            for senior_id, on, level in (
                Assessment.objects.filter(senior_id__in=pks[i : i + 500])
                .order_by("senior_id", "assessed_on", "id")
                .values_list("senior_id", "assessed_on", "level")
            ):
                levels[senior_id].append((on, level))
        today = self.today
        for pk, number, village, birth, status, status_on, registered, poverty, *wishes in rows:
            if registered > today:  # a ledger generated for a later day: not in it yet
                continue
            if status_on is None or status_on > today or status == SeniorStatus.ACTIVE:
                status, status_on = SeniorStatus.ACTIVE, None
            self.people.append(
                _Person(
                    pk=pk,
                    id_number=number,
                    village=village,
                    township=village[6:9],
                    birth_date=birth,
                    status=status,
                    status_on=status_on,
                    registered_on=registered,
                    poverty=poverty,
                    wants_centralised=wishes[0],
                    wants_day_care=wishes[1],
                    levels=[(on, lv) for on, lv in levels.get(pk, []) if on <= today],
                    rng=self.rng("senior", number),
                )
            )

    def home_of(self, township: str, day: date) -> _Fac | None:
        fac = self.homes.get(township)
        while fac is not None and fac.closes is not None and fac.closes <= day:
            fac = fac.successor
        return fac if fac is not None and fac.operating_on(day) else None

    def choices(self, person: _Person, day: date, social: bool) -> list[_Fac]:
        centre = self.care_centres.get(self.area_of.get(person.township, ""))
        home = self.home_of(person.township, day)
        service = self.service_centres.get(person.township)
        area = self.area_of.get(person.township, "")
        others = [
            f
            for f in self.facs
            if f.kind == Kind.NURSING_HOME
            and f.key == "retained"
            and f.area == area
            and f is not home
        ]
        others.sort(key=lambda f: (abs(int(f.township) - int(person.township)), f.township))
        if person.poverty == ExtremePoverty.CENTRALISED:
            # 应养尽养: when the area's homes are full, one elsewhere in the district
            others += sorted(
                (
                    f
                    for f in self.facs
                    if f.kind == Kind.NURSING_HOME and f.key == "retained" and f.area != area
                ),
                key=lambda f: f.township,
            )
        if person.disabled_on(day):
            order = [centre, home, service, *others]
        elif social:
            order = [home, service, *others]
        else:
            order = [home, *others]
        seen: list[_Fac] = []
        for f in order:
            if f is not None and f not in seen and f.beds and f.operating_on(day):
                seen.append(f)
        return seen

    def plan_residents(self) -> None:
        today = self.today
        candidates: list[tuple[date, str, _Person]] = []
        for p in self.people:
            rng = p.rng
            last = p.end - days(1) if p.end else today
            sixty = _add_years(p.birth_date, 60)
            if p.poverty == ExtremePoverty.CENTRALISED:
                if p.registered_on <= ANCHOR + days(400):  # in a home before the ledger
                    first = max(sixty, date(2012, 1, 1))
                    start = _between(rng, first, min(p.registered_on, ANCHOR))
                    if first > min(p.registered_on, ANCHOR):
                        start = p.registered_on
                else:
                    start = min(p.registered_on + days(rng.randint(0, 20)), today)
                kind = "poor"
            elif p.poverty == ExtremePoverty.DISPERSED and p.wants_centralised:
                if rng.random() >= POOR_ADMITTED_SHARE:
                    self.waiting_for(p, "extreme_poverty")
                    continue
                start, kind = p.registered_on + days(rng.randint(30, 240)), "poor"
            elif p.wants_centralised and p.disabled_from is not None:
                if rng.random() >= DISABLED_ADMITTED_SHARE:
                    self.waiting_for(p, "disabled")
                    continue
                since = max(p.disabled_from, p.registered_on)
                start, kind = since + days(rng.randint(20, 180)), "disabled"
                if rng.random() < DISABLED_GO_HOME_SHARE:
                    p.home_on = start + days(rng.randint(90, 540))
                    if p.home_on > today:
                        p.home_on = None
            else:
                continue
            if start > last:
                self.waiting_for(p, "extreme_poverty" if kind == "poor" else "disabled")
                continue
            centre = self.care_centres.get(self.area_of.get(p.township, ""))
            if p.disabled_from is not None and centre is not None and centre.opened_on:
                transfer = max(centre.opened_on, p.disabled_from) + days(rng.randint(0, 45))
                if rng.random() < CARE_CENTRE_TRANSFER_SHARE and transfer <= today:
                    p.transfer_on = transfer
            candidates.append((start, kind, p))
        candidates.sort(key=lambda c: (c[0], c[2].id_number))
        bed_days = sorted({b.in_use_from for f in self.facs for b in f.beds})
        for start, kind, p in candidates:
            last = p.end - days(1) if p.end else today
            tries = [start, *[d for d in bed_days if start < d <= last][:MAX_RETRIES]]
            placed = False
            for day in tries:
                for fac in self.choices(p, day, social=kind == "disabled"):
                    if self.stay(p, fac, day, kind, self.admission_reason(p, kind, fac)):
                        placed = True
                        break
                if placed:
                    break
            if not placed:
                self.waiting_for(p, "extreme_poverty" if kind == "poor" else "disabled")
        self.plan_day_care()

    def waiting_for(self, person: _Person, why: str) -> None:
        if person.status == SeniorStatus.ACTIVE:
            self.waiting[why] += 1

    @staticmethod
    def admission_reason(person: _Person, kind: str, fac: _Fac) -> str:
        if kind == "poor":
            if person.poverty == ExtremePoverty.CENTRALISED:
                return "特困人员集中供养"
            return "分散供养特困人员申请集中供养"
        return "失能老年人申请入住（社会老年人）"

    def stay(self, person: _Person, fac: _Fac, start: date, kind: str, reason: str) -> bool:
        """Reserve a bed at ``fac`` from ``start`` to the person's end, moving on when the
        facility closes or the person moves to the area's care centre. False: no bed."""
        end = person.end
        if fac.closes is not None and (end is None or fac.closes < end):
            end = fac.closes
        transfer: tuple[_Fac, _Bed] | None = None
        t = person.transfer_on
        if (
            fac.kind == Kind.NURSING_HOME
            and t is not None
            and start < t
            and (end is None or t < end)
        ):
            centre = self.care_centres.get(self.area_of.get(person.township, ""))
            if centre is not None and centre.operating_on(t):
                bed = centre.free_bed(t, person.end, nursing=True)
                if bed is not None:
                    end, transfer = t, (centre, bed)
        bed = fac.free_bed(start, end, nursing=person.disabled_on(start))
        if bed is None:
            return False
        placement_kind = (
            PlacementKind.CENTRALISED_SUPPORT if kind == "poor" else PlacementKind.RESIDENTIAL
        )
        current = self.reserve(person, fac, bed, placement_kind, start, end, reason)
        if transfer is not None:
            centre, centre_bed = transfer
            current.discharge_reason = f"转入{centre.name}"
            self.reserve(
                person, centre, centre_bed, placement_kind, t, person.end, f"失能，由{fac.name}转入"
            )
            current = person.stays[-1]
        elif end is not None and end == fac.closes and (person.end is None or end < person.end):
            moved = False
            nexts = [fac.successor, *self.choices(person, end, social=kind == "disabled")]
            why = "撤并" if fac.key == "merged" else "改建为照护中心"
            for following in nexts:
                if following is None or following is fac or not following.operating_on(end):
                    continue
                if self.stay(person, following, end, kind, f"原{fac.name}{why}，转入"):
                    current.discharge_reason = f"{fac.name}{why}，转入{following.name}"
                    moved = True
                    break
            if not moved:
                current.discharge_reason = f"{fac.name}{why}，回家分散供养"
            return True
        if current.end is not None and current.end == person.end:
            current.discharge_reason = person.end_reason()
        return True

    def reserve(
        self,
        person: _Person,
        fac: _Fac,
        bed: _Bed | None,
        kind: str,
        start: date,
        end: date | None,
        reason: str,
    ) -> _Stay:
        stay = _Stay(person, fac, bed, kind, start, end, reason)
        if bed is not None:
            bed.stays.append(stay)
        fac.stays.append(stay)
        person.stays.append(stay)
        return stay

    def plan_day_care(self) -> None:
        for p in self.people:
            if not p.wants_day_care or p.stays or p.poverty == ExtremePoverty.CENTRALISED:
                continue
            centre = self.service_centres.get(p.township)
            if (
                centre is None
                or centre.opened_on is None
                or not centre.rec.events[0][1].get("offers_day_care")
            ):
                self.waiting_for(p, "day_care")
                continue
            rng = self.rng("day_care", p.id_number)
            if rng.random() >= DAY_CARE_SHARE:
                self.waiting_for(p, "day_care")
                continue
            start = max(centre.opened_on, p.registered_on) + days(rng.randint(7, 150))
            end = p.status_on
            if rng.random() < DAY_CARE_STOP_SHARE:
                stop = start + days(rng.randint(60, 400))
                if stop <= self.today and (end is None or stop < end):
                    end = stop
            if start > self.today or (end is not None and end <= start):
                self.waiting_for(p, "day_care")
                continue
            if not centre.operating_on(start):
                continue
            stay = self.reserve(p, centre, None, PlacementKind.DAY_CARE, start, end, "日间照料")
            if end is not None:
                stay.discharge_reason = (
                    p.end_reason() if end == p.status_on else "家人接回，不再参加日间照料"
                )

    # -- staff ------------------------------------------------------------------------------

    def identity(self, key: str, role: str, start: date) -> _Identity:
        rng = self.rng("person", key)
        self.faker.seed_instance(f"{self.seed}:person:{key}")
        female = rng.random() < FEMALE_SHARE[role]
        name = self.faker.name_female() if female else self.faker.name_male()
        last_year = min(STAFF_BIRTH_YEARS[1], start.year - 20)
        first_year = min(STAFF_BIRTH_YEARS[0], last_year)
        address = rng.choices([a for a, _ in ID_ADDRESSES], [w for _, w in ID_ADDRESSES])[0]
        while True:
            birth = _between(rng, date(first_year, 1, 1), date(last_year, 12, 31))
            k = rng.randint(1, 499)
            number = make_id_number(address, birth, 2 * k if female else 2 * k - 1)
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        return _Identity(
            name=name, id_number=number, phone=self.faker.phone_number(), birth_date=birth
        )

    def usual_residents(self, fac: _Fac) -> int:
        """The median of the residents at the end of each month the facility has operated
        since the plan was issued."""
        counts = []
        day = None if fac.opened_on is None else max(fac.opened_on, ANCHOR)
        while day is not None and day <= self.today:
            counts.append(fac.residents_on(day))
            day = _add_months_end(day)
        counts.sort()
        return counts[len(counts) // 2] if counts else 0

    def slots(self, fac: _Fac) -> list[tuple[str, bool]]:
        peak = fac.peak()
        roles: list[tuple[str, bool]] = [(StaffRole.DIRECTOR, True)]
        if fac.kind == Kind.CARE_CENTRE:
            roles.append((StaffRole.MANAGER, True))
            if fac.understaffed:  # about one caregiver for four residents, and no more
                roles += [(StaffRole.CAREGIVER, True)] * max(1, self.usual_residents(fac) // 4)
                return roles
            service = max(4, math.ceil(peak / 3) + 1)
            extra = [StaffRole.COOK]
            if service >= 4:
                extra.append(StaffRole.NURSE)
            if service >= 6:
                extra.append(StaffRole.OTHER)
            if service >= 8:
                extra.append(StaffRole.SOCIAL_WORKER)
            if service >= 10:
                extra.append(StaffRole.COOK)
            roles += [(r, True) for r in extra]
            roles += [(StaffRole.CAREGIVER, True)] * max(1, service - len(extra))
        elif fac.kind == Kind.NURSING_HOME:
            # 1:10 counts management and service staff, the director included
            per = fac.rng.uniform(*HOME_RESIDENTS_PER_STAFF[fac.understaffed])
            service = max(2, math.ceil(self.usual_residents(fac) / per)) - 1  # the director aside
            others = [StaffRole.COOK]
            if service >= 5:
                others.append(StaffRole.MANAGER)
            if service >= 7:
                others.append(StaffRole.OTHER)
            others = others[: service - 1]  # one caregiver at least
            roles += [(r, True) for r in others]
            roles += [(StaffRole.CAREGIVER, True)] * (service - len(others))
            if not fac.understaffed and fac.rng.random() < 0.3:
                roles.append((StaffRole.NURSE, False))  # the township clinic's doctor
        elif fac.kind == Kind.SERVICE_CENTRE:
            if fac.rng.random() < 0.7:
                roles.append((StaffRole.SOCIAL_WORKER, True))
            roles.append((StaffRole.COOK, fac.rng.random() < 0.6))
            day_care = fac.rec.events[0][1].get("offers_day_care")
            roles += [(StaffRole.CAREGIVER, True)] * max(1, math.ceil(peak / 6) + int(day_care))
        return roles

    def plan_staff(self) -> None:
        residential = (Kind.CARE_CENTRE, Kind.NURSING_HOME, Kind.SERVICE_CENTRE)
        followers: dict[int, list[_Staff]] = defaultdict(list)
        for fac in self.facs:
            if fac.kind not in residential or fac.opened_on is None:
                continue
            for index, (role, full_time) in enumerate(self.slots(fac)):
                key = f"{fac.kind}:{fac.region}:{index}"
                rng = self.rng("slot", key)
                if fac.opened_on < ANCHOR:
                    start = _between(rng, max(fac.opened_on, date(2012, 1, 1)), ANCHOR - days(1))
                else:
                    start = max(ANCHOR, fac.opened_on - days(rng.randint(0, 30)))
                generation = 0
                while start <= self.today and (fac.closes is None or start < fac.closes):
                    who = self.identity(f"{key}:{generation}", role, start)
                    leave = None
                    year0 = max(start, ANCHOR)
                    for k in range(12):
                        if rng.random() < TURNOVER[role]:
                            leave = year0 + days(365 * k + rng.randint(0, 364))
                            break
                    end = leave if leave is not None and leave <= self.today else None
                    if fac.closes is not None and (end is None or end > fac.closes):
                        end = fac.closes
                    member = _Staff(fac, role, who, start, end, full_time)
                    fac.staff.append(member)
                    closing = end is not None and end == fac.closes
                    if closing and fac.successor and rng.random() < STAFF_FOLLOW_SHARE:
                        followers[id(fac.successor)].append(member)
                    if end is None or end == fac.closes:
                        break
                    start = end + days(rng.randint(7, 60))
                    generation += 1
        for fac in self.facs:
            for member in followers.get(id(fac), ()):
                day = member.ended_on
                role = member.role
                if fac.kind == Kind.CARE_CENTRE and role == StaffRole.DIRECTOR:
                    role = StaffRole.MANAGER  # the centre has its own director
                fac.staff.append(_Staff(fac, role, member.who, day, None, member.full_time))

    def plan_certificates(self) -> None:
        certified: set[str] = set()
        for fac in self.facs:
            for member in fac.staff:
                if member.role != StaffRole.CAREGIVER:
                    continue
                rng = self.rng("certificate", member.who.id_number)
                share = CERTIFIED_SHARE[
                    "service_centre" if fac.kind == Kind.SERVICE_CENTRE else "residential"
                ]
                if rng.random() >= share or member.who.id_number in certified:
                    continue
                if rng.random() < CAME_CERTIFIED_SHARE:
                    issued = member.started_on - days(rng.randint(30, 1800))
                    issued = max(issued, _add_years(member.who.birth_date, 18))
                else:
                    issued = member.started_on + days(rng.randint(30, 300))
                if issued > self.today:
                    continue
                expires = None
                if rng.random() < CERTIFICATE_EXPIRES_SHARE:
                    expires = _add_years(issued, 3)
                level = rng.choices(
                    [lv for lv, _ in CERTIFICATE_LEVELS], [w for _, w in CERTIFICATE_LEVELS]
                )[0]
                self.certificate_seq += 1
                number = f"YLHL{issued:%Y}{level}{self.certificate_seq:06d}"
                certified.add(member.who.id_number)
                self.certificates.append(
                    Rec(
                        Certificate,
                        issued,
                        {
                            "staff": member,
                            "number": number,
                            "level": level,
                            "issued_on": issued,
                            "expires_on": expires,
                        },
                    )
                )

    # -- money ------------------------------------------------------------------------------

    def plan_funds(self) -> None:
        funded = [
            f
            for f in self.facs
            if f.kind in (Kind.NURSING_HOME, Kind.CARE_CENTRE) and f.opened_on is not None
        ]
        below = self.rng("funds").sample(funded, round(len(funded) * FUNDS_BELOW_SHARE))
        for fac in funded:
            rng = self.rng("funds", fac.region, fac.kind)
            low = fac in below
            for year in range(2021, self.today.year + 1):
                first, last = date(year, 1, 1), min(date(year, 12, 31), self.today)
                stays = [s for s in fac.stays if s.kind == PlacementKind.CENTRALISED_SUPPORT]
                resident_days = 0
                for s in stays:
                    a = max(s.start, first)
                    b = min(s.end - days(1) if s.end else last, last)
                    resident_days += max(0, (b - a).days + 1)
                if resident_days == 0:
                    continue
                rate = ALLOWANCE.get(year, ALLOWANCE[max(ALLOWANCE)])
                allowance = round(resident_days / ((last - first).days + 1) * rate)
                ratio = rng.uniform(*FUNDS_RATIO[1 if low else 0])
                funds = round(allowance * ratio, -2)
                self.funds.append(
                    Rec(
                        OperatingFund,
                        last,
                        {
                            "facility": fac,
                            "year": year,
                            "operating_funds": Decimal(funds),
                            "residents_basic_allowance": Decimal(allowance),
                        },
                    )
                )

    def plan_indicator_checks(self, indicators: list[tuple[int, str]]) -> None:
        rng = self.rng("indicators")
        done = []
        for fac in self.facs:
            project = self.project_of.get(id(fac))
            if project is None:
                continue
            state = project.state_on(self.today) or {}
            if state.get("status") != ProjectStatus.ACCEPTED:
                continue
            accepted = next(d for d, ch in project.events if ch.get("status") == "accepted")
            done.append((fac, project, accepted))
        failing = {id(p) for _, p, _ in rng.sample(done, min(3, len(done)))}
        weak = [
            pk
            for pk, code in indicators
            if code in ("call-system", "kitchen-license", "video-monitoring", "barrier-free")
        ]
        for _fac, project, accepted in done:
            missed = set(rng.sample(weak, rng.randint(1, 2))) if id(project) in failing else set()
            for pk, _code in indicators:
                met = pk not in missed
                self.indicator_checks.append(
                    Rec(
                        IndicatorCheck,
                        accepted,
                        {
                            "project": project,
                            "indicator_id": pk,
                            "met": met,
                            "checked_on": accepted,
                            "note": "" if met else "验收时未达标，限期整改",
                        },
                    )
                )

    # -- training ---------------------------------------------------------------------------

    def plan_training(self) -> None:
        for kind, sessions, quota, roles in (
            (
                TrainingKind.DIRECTOR,
                DIRECTOR_SESSIONS,
                DIRECTORS_TRAINED_BY_2022,
                (StaffRole.DIRECTOR, StaffRole.MANAGER),
            ),
            (
                TrainingKind.CAREGIVER,
                CAREGIVER_SESSIONS,
                CAREGIVERS_TRAINED_BY_2022,
                (StaffRole.CAREGIVER,),
            ),
        ):
            self.plan_course(kind, sessions, quota, roles)

    def plan_course(self, kind: str, sessions: tuple, quota: int, roles: tuple) -> None:
        rng = self.rng("training", kind)
        staff = [m for f in self.facs for m in f.staff if m.role in roles]
        staff.sort(key=lambda m: (m.started_on, m.who.id_number))
        rng.shuffle(staff)
        trained: dict[str, tuple[str, _Staff | None]] = {}  # passed: id → (name, staff)
        seats_by_2022 = sum(s[4] for s in sessions if s[0] <= TARGET_DAY)
        repeat_share = max(0.0, 1 - quota / seats_by_2022)
        new_left = quota
        external = 0
        early = [s for s in sessions if s[0] <= TARGET_DAY]
        for held_on, title, organiser, hours, seats, township in sessions:
            region = self.township_code(township) if township in self.townships else DISTRICT
            session = Rec(
                TrainingSession,
                held_on,
                {
                    "kind": kind,
                    "title": title,
                    "held_on": held_on,
                    "organiser": organiser,
                    "hours": Decimal(hours),
                    "region_id": region,
                },
            )
            self.sessions.append(session)
            if held_on <= TARGET_DAY:
                if (held_on, title) == early[-1][:2]:
                    new = new_left
                else:
                    new = seats if not trained else round(seats * (1 - repeat_share))
                    new = min(new, new_left)
                new_left -= new
            else:
                new = round(seats * LATER_NEW_SHARE)
            repeats = min(seats - new, len(trained))
            attendees: list[tuple[str, str, _Staff | None, bool]] = []
            working = [
                m
                for m in staff
                if m.started_on <= held_on
                and (m.ended_on is None or m.ended_on > held_on)
                and m.who.id_number not in trained
                and (not township or m.fac.township == township)
            ]
            chosen: set[str] = set()
            for _ in range(new):
                member = next((m for m in working if m.who.id_number not in chosen), None)
                if member is not None:
                    who = member.who
                else:
                    external += 1
                    who = self.identity(f"trainee:{kind}:{external}", roles[0], held_on)
                chosen.add(who.id_number)
                attendees.append((who.name, who.id_number, member, True))
            for number in rng.sample(sorted(trained), repeats):
                name, member = trained[number]
                attendees.append((name, number, member, True))
            for _ in range(round(seats * NOT_PASSED_SHARE)):
                external += 1
                who = self.identity(f"trainee:{kind}:{external}", roles[0], held_on)
                attendees.append((who.name, who.id_number, None, False))
            for name, number, member, passed in attendees:
                if passed:
                    trained.setdefault(number, (name, member))
                self.attendances.append(
                    Rec(
                        TrainingAttendance,
                        held_on,
                        {
                            "session": session,
                            "name": name,
                            "id_number": number,
                            "staff": member,
                            "passed": passed,
                        },
                    )
                )


# --- writing --------------------------------------------------------------------------------


class _Writer:
    def __init__(self, *, today: date, user_id: int | None, reason: str):
        self.today = today
        self.user_id = user_id
        self.reason = reason
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        self.created: dict[str, int] = {}

    def moment(self, day: date, index: int) -> datetime.datetime:
        at = datetime.datetime.combine(day, datetime.time(9), tzinfo=self.tz)
        return min(at + days(minutes=index), self.now)

    @staticmethod
    def resolve(values: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in values.items():
            if isinstance(value, Rec | _Fac | _Staff):
                target = value.rec if isinstance(value, _Fac | _Staff) else value
                out[f"{name}_id"] = target.obj.pk if target is not None and target.obj else None
            else:
                out[name] = value
        return out

    def write(self, model: type[models.Model], recs: list[Rec]) -> list[Rec]:
        live = [(r, r.state_on(self.today)) for r in recs]
        live = [(r, s) for r, s in live if s is not None]
        objs = [model(**self.resolve(state)) for _, state in live]
        model.objects.bulk_create(objs, batch_size=BATCH)
        for (rec, _), obj in zip(live, objs, strict=True):
            if obj.pk is None:  # pragma: no cover - every supported backend returns keys
                raise RuntimeError(f"{model.__name__}: the database returned no keys")
            rec.obj = obj
        self.created[model._meta.model_name] = len(objs)
        history = model.history.model
        fields = [f.attname for f in history.tracked_fields]
        rows = []
        for rec, _ in live:
            base = {name: getattr(rec.obj, name) for name in fields}
            state: dict[str, Any] = {}
            for index, (day, changes) in enumerate(rec.events):
                if day > self.today:
                    break
                state.update(self.resolve(changes))
                row = history(
                    history_date=self.moment(day, index),
                    history_type="+" if index == 0 else "~",
                    history_user_id=self.user_id,
                    history_change_reason=self.reason,
                    **{**base, **{k: v for k, v in state.items() if k in base}},
                )
                rows.append((rec, row))
        history.objects.bulk_create([row for _, row in rows], batch_size=BATCH)
        return [rec for rec, _ in live]

    def write_served(self, facs: list[_Fac]) -> None:
        through = Facility.served_regions.through
        links = [
            through(facility_id=f.rec.obj.pk, region_id=code)
            for f in facs
            if f.rec.obj is not None
            for code in f.served
        ]
        through.objects.bulk_create(links, batch_size=BATCH)
        # each history row of these facilities lists what they serve
        historical = apps.get_model("facilities", "HistoricalFacility_served_regions")
        served = {f.rec.obj.pk: f.served for f in facs if f.rec.obj is not None and f.served}
        link_ids = {(link.facility_id, link.region_id): link.pk for link in links}
        rows = [
            historical(id=link_ids[pk, code], history_id=history_id, facility_id=pk, region_id=code)
            for history_id, pk in Facility.history.filter(id__in=list(served)).values_list(
                "history_id", "id"
            )
            for code in served[pk]
        ]
        historical.objects.bulk_create(rows, batch_size=BATCH)


def _regions() -> list[dict]:
    return list(
        Region.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
        .filter(code__startswith=DISTRICT[:6])
        .order_by("code")
        .values("code", "short_name", "level", "kind", "urban_rural_code")
    )


def _add_residents(planner: _Planner, *, seed: int, today: date) -> int:
    """Register the homes' residents that the ledger's sample lacks: per township, its home's
    beds times ``HOME_OCCUPANCY`` less the centrally supported 特困 of the township already in
    the ledger (registered in the plan's first year, so living in the home when it was issued),
    planned by ``demo.population.residents_plan`` and written as the population is. A full
    population (``generate_population --full``) needs few or none. The number registered."""
    present: Counter[str] = Counter(
        code[6:9]
        for code in Senior.objects.filter(
            extreme_poverty=ExtremePoverty.CENTRALISED, registered_on__lte=ANCHOR + days(400)
        ).values_list("village_id", flat=True)
    )
    infos: dict[str, list[VillageInfo]] = defaultdict(list)
    for info in village_infos():
        if info.kind == RegionKind.VILLAGE:
            infos[info.code[6:9]].append(info)
    people: list[PlannedSenior] = []
    for key, home in sorted(planner.homes.items()):
        villages = infos.get(key)
        if not villages or not home.full_beds:
            continue
        occupancy = planner.rng("occupancy", key).uniform(*HOME_OCCUPANCY)
        residents = round(home.full_beds * occupancy)
        wanted = residents - present[key]
        if wanted > 0:
            people += residents_plan(
                seed=seed, today=today, villages=villages, count=wanted, stream=key
            )
        later = ANCHOR + days(400)
        if home.key == "retained" and today > later:
            years = (today - later).days / 365
            people += residents_plan(
                seed=seed,
                today=today,
                villages=villages,
                count=round(residents * HOME_ADMISSIONS * years),
                stream=f"{key}:later",
                registered_from=later,
            )
    numbers = [p.id_number for p in people]
    taken = {
        n
        for i in range(0, len(numbers), 500)
        for n in Senior.objects.filter(id_number__in=numbers[i : i + 500]).values_list(
            "id_number", flat=True
        )
    }
    people = [p for p in people if p.id_number not in taken]
    population_write(people, reason=CHANGE_REASON.format(seed=seed))
    return len(people)


def _status_on(fac: _Fac, day: date) -> str | None:
    state = fac.rec.state_on(day)
    return None if state is None else state["status"]


def facilities_generate(*, seed: int = 2021, today: date | None = None) -> FacilityResult:
    """Generate the demo facility network of ``seed`` as it stands on ``today`` (default: today
    in Wulong), all or nothing. See the module docstring for what and how much."""
    today = today or timezone.localdate()
    if today <= ANCHOR:
        raise FacilityDemoError(f"The plan starts on {ANCHOR}; today is {today}.")
    regions = _regions()
    if not any(r["level"] == Level.VILLAGE for r in regions):
        raise FacilityDemoError("No villages of Wulong (500156…): load the regions first.")
    ledger = Senior.objects.count()
    scale = SCALE
    planner = _Planner(seed=seed, today=today, scale=scale, regions=regions)
    planner.plan_network()
    with transaction.atomic():
        keys = {(f.kind, f.region, f.name) for f in planner.facs if f.rec.entered <= today}
        present = sum(
            1
            for row in Facility.objects.filter(name__in={k[2] for k in keys}).values_list(
                "kind", "region_id", "name"
            )
            if row in keys
        )
        if present:
            return FacilityResult(
                seed=seed,
                today=today,
                scale=scale,
                already_present=present,
                residents_skipped=False,
                residents_added=0,
                created={},
                by_kind_status={},
                villages_with_point={},
                waiting={},
                trained={},
            )
        residents_skipped = ledger == 0
        residents_added = 0
        if not residents_skipped:
            residents_added = _add_residents(planner, seed=seed, today=today)
            planner.load_people()
            planner.plan_residents()
        # staff and trainees are not people of the ledger: keep their numbers apart
        planner.used_ids.update(
            Senior.objects.filter(birth_date__gte=date(STAFF_BIRTH_YEARS[0], 1, 1)).values_list(
                "id_number", flat=True
            )
        )
        planner.plan_staff()
        planner.plan_certificates()
        planner.plan_funds()
        indicators = list(
            BasicIndicator.objects.filter(active=True).order_by("code").values_list("pk", "code")
        )
        planner.plan_indicator_checks(indicators)
        if Region.objects.filter(code=DISTRICT).exists():
            planner.plan_training()
        bureau = (
            User.objects.filter(username=demo_accounts.BUREAU.username)
            .values_list("pk", flat=True)
            .first()
        )
        writer = _Writer(today=today, user_id=bureau, reason=CHANGE_REASON.format(seed=seed))
        _write_all(planner, writer)
    return _result(
        planner,
        writer,
        seed=seed,
        today=today,
        scale=scale,
        residents_skipped=residents_skipped,
        residents_added=residents_added,
    )


def _write_all(planner: _Planner, writer: _Writer) -> None:
    facs = planner.facs
    first = [f for f in facs if f.kind != Kind.MUTUAL_AID_POINT]
    points = [f for f in facs if f.kind == Kind.MUTUAL_AID_POINT]
    writer.write(Facility, [f.rec for f in first])
    for point in points:  # 中心带点: the township centre leads its villages' points
        lead = point.lead
        if lead is not None and lead.rec.obj is not None:
            point.rec.events[0][1]["lead_centre"] = lead
    writer.write(Facility, [f.rec for f in points])
    writer.created["facility"] = sum(1 for f in facs if f.rec.obj is not None)
    writer.write_served(first)
    beds: list[Rec] = []
    bed_recs: dict[int, Rec] = {}
    for fac in facs:
        if fac.rec.obj is None:
            continue
        for bed in fac.beds:
            if bed.in_use_from > planner.today:
                continue
            rec = Rec(
                Bed,
                bed.in_use_from,
                {
                    "facility": fac,
                    "label": bed.label,
                    "kind": bed.kind,
                    "in_use_from": bed.in_use_from,
                    "retired_on": None,
                },
            )
            if bed.retired_on is not None:
                rec.add(bed.retired_on, retired_on=bed.retired_on)
            beds.append(rec)
            bed_recs[id(bed)] = rec
    writer.write(Bed, beds)
    writer.write(UpgradeProject, planner.projects)
    writer.write(ProjectFunding, planner.fundings)
    writer.write(Milestone, planner.milestones)
    writer.write(IndicatorCheck, planner.indicator_checks)
    placements = []
    for fac in facs:
        for stay in fac.stays:
            rec = Rec(
                Placement,
                stay.start,
                {
                    "senior_id": stay.person.pk,
                    "facility": fac,
                    "bed": bed_recs.get(id(stay.bed)),
                    "kind": stay.kind,
                    "admitted_on": stay.start,
                    "admission_reason": stay.admission_reason,
                    "discharged_on": None,
                    "discharge_reason": "",
                },
            )
            if stay.end is not None:
                rec.add(stay.end, discharged_on=stay.end, discharge_reason=stay.discharge_reason)
            placements.append(rec)
    writer.write(Placement, placements)
    staff = []
    for fac in facs:
        for member in fac.staff:
            member.rec = Rec(
                StaffMember,
                member.started_on,
                {
                    "facility": fac,
                    "name": member.who.name,
                    "id_number": member.who.id_number,
                    "phone": member.who.phone,
                    "role": member.role,
                    "full_time": member.full_time,
                    "started_on": member.started_on,
                    "ended_on": None,
                },
            )
            if member.ended_on is not None:
                member.rec.add(member.ended_on, ended_on=member.ended_on)
            staff.append(member.rec)
    writer.write(StaffMember, staff)
    taken = set(
        Certificate.objects.filter(
            number__in=[c.events[0][1]["number"] for c in planner.certificates]
        ).values_list("number", flat=True)
    )
    writer.write(
        Certificate, [c for c in planner.certificates if c.events[0][1]["number"] not in taken]
    )
    writer.write(QualityCheck, planner.quality_checks)
    writer.write(OperatingFund, planner.funds)
    writer.write(TrainingSession, planner.sessions)
    writer.write(TrainingAttendance, planner.attendances)


def _result(
    planner: _Planner,
    writer: _Writer,
    *,
    seed: int,
    today: date,
    scale: float,
    residents_skipped: bool,
    residents_added: int,
) -> FacilityResult:
    by_kind_status: dict[str, dict[str, dict[str, int]]] = {}
    points: dict[str, int] = {}
    trained: dict[str, dict[str, int]] = {}
    for label, day in (("2022-12-31", min(TARGET_DAY, today)), ("today", today)):
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for fac in planner.facs:
            status = _status_on(fac, day)
            if status is not None:
                table[fac.kind][status] += 1
        by_kind_status[label] = {k: dict(sorted(v.items())) for k, v in sorted(table.items())}
        points[label] = len(
            {
                f.region
                for f in planner.facs
                if f.kind == Kind.MUTUAL_AID_POINT and f.operating_on(day)
            }
        )
        trained[label] = {}
        for kind in TrainingKind.values:
            people = {
                a.events[0][1]["id_number"]
                for a in planner.attendances
                if a.obj is not None
                and a.events[0][1]["passed"]
                and a.events[0][1]["session"].events[0][1]["kind"] == kind
                and a.entered <= day
            }
            trained[label][kind] = len(people)
    return FacilityResult(
        seed=seed,
        today=today,
        scale=scale,
        already_present=0,
        residents_skipped=residents_skipped,
        residents_added=residents_added,
        created=dict(writer.created),
        by_kind_status=by_kind_status,
        villages_with_point=points,
        waiting=dict(planner.waiting),
        trained=trained,
    )
