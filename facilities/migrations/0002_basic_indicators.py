"""The starting checklist of nursing-home upgrade basic indicators (改造提升基础指标).

The plan's annex 1 is not published; these items follow the national 《特困人员供养服务设施
（敬老院）建设标准》 topics. The bureau edits the list in the admin."""

from django.db import migrations

INDICATORS = [
    ("fire-safety", "消防设施完好，通过消防验收或安全评估"),
    ("building-safety", "房屋结构安全，无 C、D 级危房"),
    ("barrier-free", "出入口、通道、卫生间等无障碍设施完善"),
    ("call-system", "居室和卫生间设置紧急呼叫装置"),
    ("heating-cooling", "居室具备取暖和降温设施"),
    ("kitchen-license", "厨房、食堂取得食品经营许可，留样制度落实"),
    ("medical-room", "设置医务室或与卫生院签约医疗服务"),
    ("video-monitoring", "公共区域视频监控全覆盖"),
    ("nursing-beds", "设置护理型床位，满足失能特困人员照护需求"),
    ("activity-space", "设置活动室、康复室等公共活动空间"),
]


def add(apps, schema_editor):
    BasicIndicator = apps.get_model("facilities", "BasicIndicator")
    for code, name in INDICATORS:
        BasicIndicator.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
