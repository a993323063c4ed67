"""Every indicator of shared/docs/targets-2022.md with its 2022 target (plan 武隆府办发〔2021〕31号).

Written out here, not read from the document, so that the migration gives the same rows
forever; the bureau edits targets afterwards in the admin or the API (a later plan is a new
``Plan`` with its own targets, no code).
"""

from decimal import Decimal

from django.db import migrations

D = Decimal
# code, Chinese name, English name, group, plan section, unit, numerator, denominator,
# judged facility by facility, target value (None: tracked), comparison, level it applies to
INDICATORS = [
    # facility counts (district level)
    ("care_centres", "失能特困人员集中照护中心", "Centralised care centres for disabled extreme-poverty people", "facilities", "一(一), 二(一)", "count",
     "care centres in operation", "", False, D(3), "gte", "district"),
    ("nursing_homes_upgraded", "乡镇敬老院提档升级", "Township nursing homes upgraded", "facilities", "一(一)", "count",
     "township nursing homes with an upgrade project (提档升级) completed", "", False, D(10), "gte", "district"),
    ("nursing_homes_meeting_basic_indicators", "保留敬老院达到改造提升基础指标", "Retained nursing homes meeting the basic indicators", "facilities", "二(二)", "count",
     "retained township nursing homes meeting every basic indicator in use", "retained township nursing homes in operation", False, D(20), "gte", "district"),
    ("service_centres", "乡镇(街道)养老服务中心", "Township elderly service centres", "facilities", "一(一), 二(三)", "count",
     "township service centres in operation", "", False, D(22), "gte", "district"),
    ("mutual_aid_points", "村级互助养老点", "Village mutual-aid elderly points", "facilities", "一(一)", "count",
     "village mutual-aid points in operation", "", False, D(184), "gte", "district"),
    # village network
    ("villages_with_point", "互助养老点覆盖村", "Villages with a mutual-aid point", "village_network", "一(二), 二(四)", "percent",
     "villages with a point in operation, or served by a neighbouring point or the township centre (merged villages, the centre's host)",
     "villages (村, and communities the bureau counts as villages)", False, D(100), "gte", ""),
    ("large_points_min_area", "大村互助点独立设置且≥100㎡", "Large villages' points standing alone with ≥ 100 m² and the rooms", "village_network", "二(四)", "percent",
     "points of large villages standing alone with at least 100 m² and the five rooms",
     "points of large villages in operation", False, D(100), "gte", ""),
    ("villages_with_assistant", "配备养老助理的村", "Villages with an elderly-care assistant", "village_network", "一(二), 二(八)", "percent",
     "villages with at least one assistant in post", "villages", False, D(100), "gte", ""),
    ("villages_with_volunteer_team", "建立志愿服务队伍的村", "Villages with a volunteer team", "village_network", "一(二), 二(八)", "percent",
     "villages with at least one volunteer team", "villages", False, D(100), "gte", ""),
    ("villages_with_elders_association", "建立老年协会的村", "Villages with an elders' association", "village_network", "二(八)", "percent",
     "villages with at least one elders' association", "villages", False, D(100), "gte", ""),
    ("groups_with_mutual_aid_group", "建立互助服务小组的村民小组", "Villager groups with a mutual-aid group", "village_network", "一(二)", "percent",
     "villager groups with a mutual-aid service group", "villager groups of the villages", False, D(100), "gte", ""),
    # operation and quality
    ("care_centres_run_by_operator", "照护中心由养老机构运营", "Care centres run by an elderly-care institution", "operation", "一(三)", "percent",
     "care centres run by an institution", "care centres in operation", False, D(100), "gte", ""),
    ("service_centres_run_by_operator", "养老服务中心由养老机构运营", "Service centres run by an elderly-care institution", "operation", "一(三)", "percent",
     "service centres run by an institution", "service centres in operation", False, D(100), "gte", ""),
    ("nursing_homes_socialised", "乡镇敬老院社会化运营率", "Township nursing homes under socialised operation", "operation", "一(三)", "percent",
     "nursing homes under socialised operation", "nursing homes in operation", False, D(60), "gte", ""),
    ("care_centres_quality", "照护中心达到服务质量基本规范", "Care centres meeting the service-quality baseline (GB/T 35796)", "operation", "一(三)", "percent",
     "care centres whose latest quality check passed", "care centres in operation", False, D(90), "gte", ""),
    ("homes_and_centres_quality", "敬老院和服务中心达到服务质量基本规范", "Nursing homes and service centres meeting the baseline", "operation", "一(三)", "percent",
     "nursing homes and service centres whose latest quality check passed", "nursing homes and service centres in operation", False, D(65), "gte", ""),
    ("care_centre_nursing_bed_ratio", "照护中心护理型床位占比", "Nursing-type beds in care centres", "operation", "二(一)", "percent",
     "nursing-type beds", "beds (each care centre is judged on its own)", True, D(80), "gte", ""),
    ("care_centre_staffing", "照护中心服务人员配比(1:3)", "Care centres' staffing (1 service staff : 3 residents)", "operation", "二(五)", "ratio",
     "residents", "service staff (residents per staff member, each care centre judged on its own)", True, D(3), "lte", ""),
    ("nursing_home_staffing", "敬老院管理服务人员配比(1:10)", "Nursing homes' staffing (1 staff : 10 residents)", "operation", "二(五)", "ratio",
     "residents", "management and service staff (residents per staff member, each home judged on its own)", True, D(10), "lte", ""),
    ("nursing_homes_registered", "敬老院法人登记和备案", "Nursing homes registered as legal persons and filed", "operation", "二(五)", "percent",
     "nursing homes registered and filed", "nursing homes in operation", False, D(100), "gte", ""),
    ("caregivers_certified", "护理员持证上岗", "Caregivers holding a valid certificate", "operation", "二(十)", "percent",
     "caregivers with a certificate valid on the day", "caregivers working in nursing homes and care centres", False, D(100), "gte", ""),
    # people
    ("directors_trained", "培训院长主管", "Directors and supervisors trained", "people", "二(十)", "count",
     "people trained in director sessions (distinct ID numbers)", "", False, D(50), "gte", "district"),
    ("caregivers_trained", "培训养老护理员", "Caregivers trained", "people", "二(十)", "count",
     "people trained in caregiver sessions (distinct ID numbers)", "", False, D(300), "gte", "district"),
    ("disabled_poor_in_care", "失能特困人员应护尽护", "Disabled extreme-poverty people wanting centralised care who have it", "people", "一(一)", "percent",
     "of them, staying in a care centre", "disabled extreme-poverty people wanting centralised care", False, D(100), "gte", ""),
    ("poor_in_institution", "特困人员应养尽养", "Extreme-poverty people wanting institutional support who have it", "people", "一(一), 二(二)", "percent",
     "of them, staying in an institution", "centralised-support extreme-poverty people and dispersed ones wanting centralised care", False, D(100), "gte", ""),
    ("disabled_seniors_placed", "其他失能老人需托尽托", "Other disabled seniors wanting day or residential care who have it", "people", "一(一)", "percent",
     "of them, with a residential or day-care place", "other disabled seniors wanting day or residential care", False, D(100), "gte", ""),
    ("key_seniors_paired_one_to_one", "重点对象一对一结对帮扶", "Key targets with a one-to-one pairing", "people", "二(七)", "percent",
     "of them, with an open one-to-one pairing", "home-living extreme poverty, 低保/低收入, disabled of family-planning special families", False, D(100), "gte", ""),
    ("other_seniors_grid_covered", "其他高龄独居留守老人网格化结对", "Other high-age, living-alone and left-behind seniors covered by grid or area pairing", "people", "二(七)", "percent",
     "of them, with an open pairing", "high-age, living-alone and left-behind seniors who are not key targets", False, D(100), "gte", ""),
    ("paired_seniors_visited_on_time", "结对老人按期巡访", "Paired seniors visited within the interval", "people", "二(七)", "percent",
     "of them, no open pairing overdue", "seniors with an open pairing", False, D(100), "gte", ""),
    ("family_doctor_signed", "家庭医生签约", "Seniors with a family-doctor contract", "people", "二(十一)", "percent",
     "seniors with a contract signed by the day", "seniors in the ledger", False, D(100), "gte", ""),
    ("family_care_beds", "家庭养老床位", "Family care beds set up", "people", "二(九)", "count",
     "seniors with a family care bed set up", "", False, None, "gte", ""),
    ("home_adaptations", "适老化改造", "Home adaptations done", "people", "二(九)", "count",
     "seniors whose home adaptation is completed", "", False, None, "gte", ""),
    ("key_seniors_with_wristband", "重点老人配备安全防护手环", "Key seniors with a safety wristband", "people", "二(十二)", "percent",
     "of them, with a wristband given by the day", "home-living extreme poverty, low-income, high-age, living-alone and family-planning-special seniors", False, None, "gte", ""),
    # money
    ("township_award", "乡镇养老服务中心及村级互助点奖补(先建后补)", "Award per township for its centre and points (paid after building)", "money", "三(二)", "yuan",
     "awards paid for service centres and points (yuan)", "townships with a service centre in operation", False, D(1000000), "gte", ""),
    ("operating_funds_ratio", "运营经费占基本生活费比例", "Operating funds / residents' annual basic living allowance", "money", "三(三)", "percent",
     "operating funds of the latest year", "residents' annual basic living allowance of that year", False, D(15), "gte", ""),
]


def create(apps, schema_editor):
    Plan = apps.get_model("coverage", "Plan")
    Indicator = apps.get_model("coverage", "Indicator")
    Target = apps.get_model("coverage", "Target")
    import datetime

    plan, _ = Plan.objects.get_or_create(
        code="wulong-2022",
        defaults={
            "name": "武隆区农村养老服务全覆盖实施方案(2022年目标)",
            "document": "武隆府办发〔2021〕31号",
            "issued_on": datetime.date(2021, 5, 25),
            "due_on": datetime.date(2022, 12, 31),
        },
    )
    for position, row in enumerate(INDICATORS, start=1):
        (code, name, name_en, group, section, unit, numerator, denominator, each, value,
         comparison, level) = row  # fmt: skip
        indicator, _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "name_en": name_en, "group": group, "position": position,
                "plan_section": section, "unit": unit, "numerator": numerator,
                "denominator": denominator, "each_facility": each,
            },
        )  # fmt: skip
        Target.objects.get_or_create(
            plan=plan,
            indicator=indicator,
            defaults={"value": value, "comparison": comparison, "level": level},
        )


def remove(apps, schema_editor):
    apps.get_model("coverage", "Target").objects.filter(plan__code="wulong-2022").delete()
    apps.get_model("coverage", "Plan").objects.filter(code="wulong-2022").delete()


class Migration(migrations.Migration):
    dependencies = [("coverage", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
