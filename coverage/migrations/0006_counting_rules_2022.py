"""The plan's counting rules as data: each institution judged on its own (operating funds per
year, legal registration), the award as the district's average, service centres of at least
800 m², village points offering the named functions, the 中心带点 indicator, and a note on how
each indicator is counted. Snapshots written before get their judgement from ``met``."""

from decimal import Decimal

from django.db import migrations

NOTES = {
    "care_centres": "统计当日在运营的失能特困人员集中照护中心（开业日期不晚于当日，未停办、合并或暂停）；区级目标。",
    "nursing_homes_upgraded": "统计已完成或已验收提档升级项目（完工日期不晚于当日）的乡镇敬老院；区级目标。",
    "nursing_homes_meeting_basic_indicators": "保留的在运营敬老院中，已完工项目对每一项在用基础指标均核查达标的；区级目标。",
    "service_centres": "只统计建筑面积不低于指标所设面积（800㎡，方案“原则上不低于800平方米”）的在运营乡镇养老服务中心；面积不足或未填面积的列为不达标机构；区级目标。",
    "mutual_aid_points": "统计当日在运营的村级互助养老点；区级目标。",
    "villages_with_point": "村（及区民政局认定按村统计的社区）有在运营互助养老点且该点具备方案列明的全部功能（日间照料、康复理疗、休闲娱乐、紧急救援）的，或由乡镇养老服务中心、邻近互助点延伸服务（即将合并的村、中心所在村）的，计为有点。",
    "large_points_min_area": "大村的互助点：独立设置、面积不低于100㎡、五类功能用房齐全的计为达标。",
    "villages_with_assistant": "当日至少有1名在岗专兼职养老助理的村。",
    "villages_with_volunteer_team": "当日至少有1支志愿服务队伍（成立不晚于当日、未解散）的村。",
    "villages_with_elders_association": "当日至少有1个老年协会的村。",
    "groups_with_mutual_aid_group": "有互助服务小组的村民小组占全部村民小组的比例。",
    "care_centres_run_by_operator": "在运营照护中心中由养老机构运营的比例；无照护中心的区域不适用。",
    "service_centres_run_by_operator": "在运营养老服务中心中由养老机构运营的比例；无中心的区域不适用。",
    "nursing_homes_socialised": "在运营乡镇敬老院中社会化运营的比例；无敬老院的区域不适用。",
    "care_centres_quality": "以每个照护中心最近一次服务质量检查结果为准；未检查或未通过的列出名单；按比例判定。",
    "homes_and_centres_quality": "以每所敬老院和养老服务中心最近一次检查结果为准；未检查或未通过的列出名单；按比例判定。",
    "care_centre_nursing_bed_ratio": "逐个照护中心判定：护理型床位占本中心在用床位不低于80%；所有中心达标，区域才达标；合计比例仅供参考；无照护中心的区域不适用。",
    "care_centre_staffing": "逐个照护中心判定：入住人数与服务人员之比不高于3:1；无服务人员即不达标；无照护中心或无入住的区域不适用。",
    "nursing_home_staffing": "逐所敬老院判定：入住人数与管理服务人员之比不高于10:1；无敬老院或无入住的区域不适用。",
    "nursing_homes_registered": "逐所敬老院判定：当日已完成法人登记且已备案；无敬老院的区域不适用。",
    "caregivers_certified": "敬老院和照护中心的护理员中，当日持有效证书的比例。",
    "directors_trained": "参加院长主管培训并合格的人数，按身份证号去重；区级目标。",
    "caregivers_trained": "参加养老护理员培训并合格的人数，按身份证号去重；区级目标。",
    "disabled_poor_in_care": "有集中照护意愿的失能特困人员中，入住照护中心的比例（失能口径见人员指标说明）。",
    "poor_in_institution": "集中供养特困人员及有集中供养意愿的分散供养特困人员中，入住机构的比例。",
    "disabled_seniors_placed": "其他有托养意愿的失能老人中，有日间或入住床位的比例。",
    "key_seniors_paired_one_to_one": "重点对象（居家特困、低保/低收入、计生特殊家庭失能老人）中有一对一结对的比例。",
    "other_seniors_grid_covered": "其他高龄、独居、留守老人中有结对（网格化/划片式）的比例。",
    "paired_seniors_visited_on_time": "有结对的老人中，按结对约定周期巡访、未逾期的比例。",
    "family_doctor_signed": "台账内老人中当日已签约家庭医生的比例。",
    "family_care_beds": "已建家庭养老床位的老人数；方案未设数值目标，跟踪统计。",
    "home_adaptations": "已完成适老化改造的老人数；方案未设数值目标，跟踪统计。",
    "key_seniors_with_wristband": "重点老人中已配发安全防护手环的比例；方案未设数值目标，跟踪统计。",
    "township_award": "每笔已拨付的乡镇养老服务中心及村级互助点奖补，计入所在乡镇；检查是否先建后补（项目已完工、已验收，且验收不晚于拨付）。目标按区平均：全区奖补总额 ÷ 有在运营养老服务中心的乡镇数，不低于100万元；乡镇只显示金额与先建状态，不单独判红。",
    "operating_funds_ratio": "逐所敬老院和照护中心、逐年判定：当年运营经费不低于当年集中供养对象基本生活金的15%；当年未填报的计为“未填报”（不达标），不以往年数据代替；合计比例仅供参考。",
    "points_led_by_centre": "在运营的村级互助点中，由本乡镇在运营的养老服务中心带点管理的比例；方案提出推行“中心带点”但未设数值，跟踪统计。",
}

FUNCTIONS = ["day_care", "rehabilitation", "recreation", "emergency_rescue"]


def forward(apps, schema_editor):
    Indicator = apps.get_model("coverage", "Indicator")
    Target = apps.get_model("coverage", "Target")
    Plan = apps.get_model("coverage", "Plan")
    Snapshot = apps.get_model("coverage", "Snapshot")
    last = Indicator.objects.order_by("-position").values_list("position", flat=True).first()
    Indicator.objects.get_or_create(
        code="points_led_by_centre",
        defaults={
            "name": "中心带点：由乡镇养老服务中心带点管理的互助点",
            "name_en": "Village points led by their township's service centre",
            "group": "village_network",
            "position": (last or 0) + 1,
            "plan_section": "一(三), 二(五)",
            "unit": "percent",
            "numerator": "points led by an operating service centre of their own township",
            "denominator": "village mutual-aid points in operation",
        },
    )
    plan = Plan.objects.filter(code="wulong-2022").first()
    if plan is not None:
        indicator = Indicator.objects.get(code="points_led_by_centre")
        Target.objects.get_or_create(
            plan=plan, indicator=indicator, defaults={"value": None, "comparison": "gte"}
        )
        # the award is the district's average per township, not each township's floor
        Target.objects.filter(plan=plan, indicator__code="township_award", level="").update(
            level="district", note="平均100万元/乡镇（先建后补）"
        )
    Indicator.objects.filter(code="service_centres").update(min_area=Decimal(800))
    Indicator.objects.filter(code="villages_with_point").update(required_functions=FUNCTIONS)
    Indicator.objects.filter(code__in=["operating_funds_ratio", "nursing_homes_registered"]).update(
        each_facility=True
    )
    Indicator.objects.filter(code="township_award").update(
        numerator="awards paid for service centres and points (yuan)",
        denominator="townships with a service centre in operation (the district's average)",
    )
    Indicator.objects.filter(code="operating_funds_ratio").update(
        numerator="operating funds of the day's year",
        denominator="residents' basic living allowance of that year (each institution judged on its own)",
    )
    for code, note in NOTES.items():
        Indicator.objects.filter(code=code, counting_note="").update(counting_note=note)
    Snapshot.objects.filter(met=True).update(judgement="met")
    Snapshot.objects.filter(met=False).update(judgement="not_met")


def backward(apps, schema_editor):
    Indicator = apps.get_model("coverage", "Indicator")
    Target = apps.get_model("coverage", "Target")
    Target.objects.filter(indicator__code="points_led_by_centre").delete()
    apps.get_model("coverage", "Snapshot").objects.filter(
        indicator__code="points_led_by_centre"
    ).delete()
    Indicator.objects.filter(code="points_led_by_centre").delete()
    Target.objects.filter(plan__code="wulong-2022", indicator__code="township_award").update(
        level=""
    )
    Indicator.objects.filter(code__in=["operating_funds_ratio", "nursing_homes_registered"]).update(
        each_facility=False
    )


class Migration(migrations.Migration):
    dependencies = [("coverage", "0005_judgement_and_counting_rules")]

    operations = [migrations.RunPython(forward, backward)]
