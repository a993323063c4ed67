"""Exporting the register as the .xlsx ledger (台账) staff hand upward."""

import datetime
import io
import zoneinfo
from urllib.parse import quote

import pytest
from django.utils import translation
from openpyxl import load_workbook

from audit.personal import full_in_export
from seniors.excel import register_workbook
from seniors.models import Senior
from seniors.selectors import senior_list
from tests import factories as f
from tests.conftest import ZHANG_ID

pytestmark = pytest.mark.django_db

HEADERS = [
    "序号", "姓名", "身份证号", "性别", "出生日期", "年龄", "乡镇(街道)", "村(社区)", "村民小组",
    "联系电话", "住址", "居住情况", "特困供养", "低保", "低收入", "计划生育特殊家庭", "残疾",
    "失能等级(最近评估)", "最近评估得分", "最近评估日期", "高龄", "意愿集中供养", "意愿日间照料",
    "家庭医生签约日期", "安全手环编号", "安全手环发放日期", "家庭养老床位设立日期",
    "适老化改造完成日期", "家庭照顾者", "照顾者培训日期", "最近走访", "可享补贴", "状态",
    "状态日期", "登记日期", "备注",
]  # fmt: skip
SEVERE = {"feeding": 0, "bathing": 0, "grooming": 0, "dressing": 0, "bowels": 5, "bladder": 5}


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def records(sheet) -> list[dict]:
    """The data rows as dicts keyed by header (the headers are on row 3)."""
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[2]
    return [dict(zip(headers, row, strict=True)) for row in rows[3:]]


@pytest.fixture
def staff(client, staff_baima):
    client.force_login(staff_baima)
    return client


@pytest.fixture
def zhou(regions, today):
    """周奶奶 of 铁佛寺社区 (白马镇), 80, living with family, on 低保."""
    return f.SeniorFactory(
        village=regions["tiefosi"],
        name="周奶奶",
        born=datetime.date(1946, 1, 10),
        sequence=22,
        subsistence_allowance=True,
    )


def test_it_exports_the_filtered_rows_with_chinese_headers_and_the_date(staff, zhang, zhou, liu):
    response = staff.get("/seniors/export.xlsx", {"living_situation": "alone"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = sheet_of(response.content)
    assert "白马镇" in sheet["A1"].value
    assert "2026-11-29" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == HEADERS
    [row] = records(sheet)  # 周奶奶 lives with family; 刘奶奶 is in 后坪乡
    assert row["序号"] == 1
    assert row["姓名"] == "张大爷"
    assert row["身份证号"] == ZHANG_ID  # township staff see the full number
    assert row["性别"] == "男"
    assert row["出生日期"] == datetime.datetime(1940, 3, 1)
    assert row["年龄"] == 86
    assert row["乡镇(街道)"] == "白马镇"
    assert row["村(社区)"] == "板桥村"
    assert row["居住情况"] == "独居"
    assert row["高龄"] == "是"
    assert row["低保"] == "否"
    assert row["特困供养"] is None
    assert row["状态"] == "在册"
    assert row["登记日期"] == datetime.datetime(2021, 6, 1)
    assert row["最近走访"] is None


def test_the_title_rows_in_chinese(staff, zhang):
    title = "%(region)s seniors' ledger"
    with translation.override("zh-hans"):
        assert translation.gettext(title) != title, "the Chinese of seniors/excel.py is missing"

    sheet = sheet_of(staff.get("/seniors/export.xlsx", {"living_situation": "alone"}).content)

    assert sheet["A1"].value == "白马镇老年人台账"
    assert sheet["A2"].value == "截至 2026-11-29，共 1 人（筛选条件：居住情况：独居）"


def test_the_file_is_named_after_the_region_and_the_day(staff, zhang):
    response = staff.get("/seniors/export.xlsx")

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote('老年人台账_白马镇_20261129.xlsx')}" in disposition


def test_a_village_filter_names_the_village_and_keeps_only_its_people(staff, zhang, zhou):
    response = staff.get("/seniors/export.xlsx", {"village": "500156101006"})

    sheet = sheet_of(response.content)
    assert "白马镇铁佛寺社区" in sheet["A1"].value
    assert [r["姓名"] for r in records(sheet)] == ["周奶奶"]
    assert quote("老年人台账_白马镇铁佛寺社区_20261129.xlsx") in response["Content-Disposition"]


def test_the_bureau_exports_the_whole_district(client, bureau, zhang, zhou, liu):
    client.force_login(bureau)
    sheet = sheet_of(client.get("/seniors/export.xlsx").content)

    assert "武隆区" in sheet["A1"].value
    assert sorted(r["姓名"] for r in records(sheet)) == sorted(["张大爷", "周奶奶", "刘奶奶"])


def test_staff_of_another_township_export_only_their_own_people(client, staff_houping, zhang, liu):
    client.force_login(staff_houping)
    sheet = sheet_of(client.get("/seniors/export.xlsx").content)

    assert [r["姓名"] for r in records(sheet)] == ["刘奶奶"]


def test_assessment_visit_and_allowances_are_in_the_ledger(staff, regions, today):
    senior = f.SeniorFactory(
        village=regions["banqiao"],
        villager_group=regions["groups"][1],
        name="陈大爷",
        born=datetime.date(1938, 4, 2),
        sequence=15,
        low_income=True,
        extreme_poverty="dispersed",
        family_doctor_contract_on=datetime.date(2021, 5, 25),
    )
    f.AssessmentFactory(senior=senior, assessed_on=datetime.date(2026, 3, 1), **SEVERE)
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    f.VisitFactory(
        senior=senior, visited_at=datetime.datetime(2026, 11, 20, 23, 30, tzinfo=shanghai)
    )

    [row] = records(sheet_of(staff.get("/seniors/export.xlsx").content))

    assert row["村民小组"] == "2组"
    assert row["特困供养"] == "特困·分散供养"
    assert row["低收入"] == "是"
    # 0+0+0+0+5+5 + toilet 10 + transfers 15 + mobility 15 + stairs 10 = 60: moderate
    assert row["最近评估得分"] == 60
    assert row["失能等级(最近评估)"] == "中度依赖"
    assert row["最近评估日期"] == datetime.datetime(2026, 3, 1)
    assert row["最近走访"] == datetime.datetime(2026, 11, 20)  # the local day, not UTC's
    assert row["家庭医生签约日期"] == datetime.datetime(2021, 5, 25)
    assert row["可享补贴"] == "高龄津贴、经济困难高龄失能老年人养老服务补贴"


def test_numbers_are_full_only_for_the_roles_that_see_them_on_the_record(
    assistant_baima, staff_baima, zhang, today
):
    # Assistants may not download the export (403 below); the rule is audit.personal's.
    zhang.phone = "13812345678"
    zhang.save()

    def numbers_in_workbook(user):
        content = register_workbook(
            senior_list(user=user),
            full=full_in_export(user, Senior),
            as_of=today,
            title="白马镇老年人台账",
        )
        [row] = records(sheet_of(content))
        return row["身份证号"], row["联系电话"]

    assert numbers_in_workbook(staff_baima) == (ZHANG_ID, "13812345678")
    # the assistant calls on people: the phone, not the ID
    assert numbers_in_workbook(assistant_baima) == ("5002**********1230", "13812345678")


def test_values_follow_the_active_language_and_headers_stay_chinese(staff_baima, zhang, today):
    with translation.override("en"):
        content = register_workbook(
            senior_list(user=staff_baima), full=(), as_of=today, title="Baima"
        )
    sheet = sheet_of(content)
    [row] = records(sheet)

    assert [c.value for c in sheet[3]] == HEADERS
    assert row["居住情况"] == "Living alone (独居)"
    assert row["高龄"] == "Yes"
    assert row["状态"] == "Active"


def test_assistants_and_volunteers_may_not_export(client, assistant_baima, volunteer, zhang):
    for user in (assistant_baima, volunteer):
        client.force_login(user)
        assert client.get("/seniors/export.xlsx").status_code == 403


def test_a_bad_filter_value_answers_400_with_the_reason(staff, zhang):
    response = staff.get("/seniors/export.xlsx", {"status": "zombie"})

    assert response.status_code == 400
    assert "zombie" in response.content.decode()  # the choice error quotes the value


def test_the_export_takes_a_bounded_number_of_queries(
    staff, regions, today, django_assert_max_num_queries
):
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    for i in range(40):
        senior = f.SeniorFactory(
            village=regions["banqiao"], villager_group=regions["groups"][i % 3]
        )
        f.AssessmentFactory(senior=senior)
        f.VisitFactory(senior=senior, visited_at=datetime.datetime(2026, 11, 1, 9, tzinfo=shanghai))

    # session, user, the title's region, the count and the rows: never one per person
    with django_assert_max_num_queries(8):
        response = staff.get("/seniors/export.xlsx")

    assert len(records(sheet_of(response.content))) == 40


def test_anonymous_users_are_sent_to_log_in(client, regions):
    response = client.get("/seniors/export.xlsx")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
