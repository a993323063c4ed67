"""Importing seniors from .xlsx: upload, a preview that checks every row, then confirm.

Messages written by ``seniors/importing.py`` are in English until their Chinese is in
locale/; the tests named ``…_in_chinese`` assert that Chinese and fail when it is missing.
Everything else asserts what is Chinese regardless: column headers, village names, row
numbers, and the register's own messages (already translated).
"""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from audit.models import PersonView
from seniors import importing
from seniors.idnumber import make_id_number
from seniors.models import ImportStatus, Senior, SeniorImport
from tests import factories as f
from tests.concurrency import CLIENTS, run_together
from tests.conftest import ALMOST_60_ID, ZHANG_ID

pytestmark = pytest.mark.django_db

# Two people of 板桥村, made valid with the ID number rule (the test only builds the input).
LUO_ID = make_id_number("500232", datetime.date(1950, 5, 25), 11)  # 1950-05-25, male (odd)
TAN_ID = make_id_number("500232", datetime.date(1944, 12, 3), 24)  # 1944-12-03, female
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "姓名", "身份证号", "村(社区)", "村民小组", "居住情况", "低保", "家庭医生签约日期", "登记日期"
]  # fmt: skip
CHECK_DIGIT_WRONG = "身份证号校验码不正确，请检查是否输错了某一位。"  # the register's own message


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def xlsx(rows, headers=HEADERS, name="名单.xlsx", before=()) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in before:
        sheet.append(row)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def good_rows():
    return [
        ["罗大爷", LUO_ID, "板桥村", "一组", "独居", "是", "2021/5/25", datetime.date(2021, 6, 1)],
        ["谭奶奶", TAN_ID, "板桥村村民委员会", "第三村民小组", "", "", "2022.3.8", None],
    ]


def zh_translation_compiled() -> bool:
    message = "Row %(row)d, column “%(column)s”: %(message)s"
    with translation.override("zh-hans"):
        return translation.gettext(message) != message


def require_translation():
    """A missing translation fails the test instead of hiding it behind a skip."""
    assert zh_translation_compiled(), "the Chinese of seniors/importing.py is not in locale/"


@pytest.fixture
def staff(client, staff_baima, regions, today):
    client.force_login(staff_baima)
    return client


def upload(client, file):
    return client.post("/seniors/import/", {"file": file})


def the_import() -> SeniorImport:
    return SeniorImport.objects.get()


def texts(errors) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in errors]


# --- a valid file ---------------------------------------------------------------------------


def test_a_valid_file_is_previewed_and_nothing_is_written(staff, staff_baima, regions):
    response = upload(staff, xlsx(good_rows()))

    senior_import = the_import()
    assert response.status_code == 302
    assert response["Location"] == f"/seniors/import/{senior_import.pk}/"
    assert Senior.objects.count() == 0
    assert senior_import.status == ImportStatus.PREVIEWED
    assert senior_import.errors == []
    assert senior_import.created_by == staff_baima
    assert senior_import.region == regions["baima"]
    assert senior_import.file_name == "名单.xlsx"
    # JSON holds dates as ISO strings and regions as codes
    assert senior_import.rows[0]["fields"]["village"] == "500156101201"
    assert senior_import.rows[0]["fields"]["villager_group"] == "500156101201001"
    assert senior_import.rows[0]["fields"]["family_doctor_contract_on"] == "2021-05-25"
    assert senior_import.rows[1]["fields"]["villager_group"] == "500156101201003"

    page = staff.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "罗大爷" in body and "谭奶奶" in body
    assert 'class="confirm"' in body  # the confirm button: every row is valid
    assert Senior.objects.count() == 0


def test_confirming_writes_every_row_once(staff, regions):
    upload(staff, xlsx(good_rows()))
    senior_import = the_import()

    response = staff.post(f"/seniors/import/{senior_import.pk}/")

    assert response.status_code == 302
    assert response["Location"] == "/seniors/"
    luo = Senior.objects.get(id_number=LUO_ID)
    assert luo.name == "罗大爷"
    assert luo.birth_date == datetime.date(1950, 5, 25)
    assert luo.sex == "M"
    assert luo.village == regions["banqiao"]
    assert luo.villager_group == regions["groups"][0]
    assert luo.living_situation == "alone"
    assert luo.subsistence_allowance is True
    assert luo.family_doctor_contract_on == datetime.date(2021, 5, 25)
    assert luo.registered_on == datetime.date(2021, 6, 1)
    tan = Senior.objects.get(id_number=TAN_ID)
    assert tan.birth_date == datetime.date(1944, 12, 3)
    assert tan.sex == "F"
    assert tan.villager_group == regions["groups"][2]
    assert tan.living_situation == "with_family"
    assert tan.subsistence_allowance is False
    assert tan.family_doctor_contract_on == datetime.date(2022, 3, 8)
    assert tan.registered_on == datetime.date(2026, 11, 29)  # blank: the day of the import
    assert luo.history.first().history_user.username == "staff-baima"
    senior_import.refresh_from_db()
    assert senior_import.status == ImportStatus.APPLIED
    assert senior_import.created_count == 2
    assert senior_import.applied_at is not None

    again = staff.post(f"/seniors/import/{senior_import.pk}/")

    assert again.status_code == 302
    assert Senior.objects.count() == 2
    senior_import.refresh_from_db()
    assert senior_import.created_count == 2


def test_the_success_message_in_chinese(staff):
    require_translation()
    upload(staff, xlsx(good_rows()))
    response = staff.post(f"/seniors/import/{the_import().pk}/", follow=True)
    assert "已导入 2 人" in response.content.decode()


# --- one bad row refuses the file ----------------------------------------------------------


def bad_file():
    rows = good_rows()
    rows.insert(1, ["钱大爷", wrong_check_digit(ZHANG_ID), "板桥村", "", "", "", "", ""])
    return xlsx(rows)  # header on row 1: 罗 on row 2, 钱 on row 3, 谭 on row 4


def test_one_bad_row_names_its_row_and_column_and_nothing_can_be_confirmed(staff):
    upload(staff, bad_file())

    senior_import = the_import()
    assert senior_import.status == ImportStatus.REFUSED
    assert texts(senior_import.errors) == [(3, "身份证号", CHECK_DIGIT_WRONG)]
    body = staff.get(f"/seniors/import/{senior_import.pk}/").content.decode()
    assert 'class="confirm"' not in body
    assert CHECK_DIGIT_WRONG in body
    assert 'class="bad-cell"' in body

    response = staff.post(f"/seniors/import/{senior_import.pk}/")

    assert response.status_code == 302
    assert Senior.objects.count() == 0
    senior_import.refresh_from_db()
    assert senior_import.status == ImportStatus.REFUSED


def test_one_bad_row_is_named_in_chinese(staff):
    require_translation()
    upload(staff, bad_file())
    body = staff.get(f"/seniors/import/{the_import().pk}/").content.decode()
    assert f"第 3 行，“身份证号”列：{CHECK_DIGIT_WRONG}" in body


def test_every_error_of_every_row_is_listed(staff):
    rows = [
        ["", LUO_ID, "板桥村", "九组", "住院", "也许", "2021-13-01", ""],
        ["小李", ALMOST_60_ID, "", "", "", "", "2099-01-01", ""],
    ]
    upload(staff, xlsx(rows))

    errors = texts(the_import().errors)
    assert [(row, column) for row, column, _ in errors] == [
        (2, "姓名"),
        (2, "村民小组"),
        (2, "居住情况"),
        (2, "低保"),
        (2, "家庭医生签约日期"),
        (3, "身份证号"),
        (3, "村(社区)"),
        (3, "家庭医生签约日期"),
    ]
    messages = {(row, column): message for row, column, message in errors}
    assert messages[2, "姓名"] == "请填写姓名。"
    assert "九组" in messages[2, "村民小组"] and "板桥村" in messages[2, "村民小组"]
    assert "住院" in messages[2, "居住情况"] and "独居、留守、与家人同住" in messages[2, "居住情况"]
    assert "也许" in messages[2, "低保"]
    assert "2021-13-01" in messages[2, "家庭医生签约日期"]
    assert messages[3, "村(社区)"] == "请选择所在村（社区）。"
    assert messages[3, "身份证号"].startswith("此人 59 岁")
    assert messages[3, "家庭医生签约日期"] == "该日期在将来。"
    assert Senior.objects.count() == 0


def test_someone_under_60_is_refused(regions, today, staff_baima):
    # ALMOST_60_ID: born 1966-12-01, 59 on 2026-11-29
    rows = [["小李", ALMOST_60_ID, "板桥村", "", "", "", "", ""]]
    senior_import = importing.senior_import_create(by=staff_baima, upload=xlsx(rows))

    assert texts(senior_import.errors) == [
        (2, "身份证号", "此人 59 岁（1966-12-01 出生）：台账登记 60 岁及以上老年人。")
    ]


# --- duplicates -----------------------------------------------------------------------------


def test_the_same_person_twice_in_the_file_is_refused(staff):
    rows = good_rows()
    rows.append(["罗老汉", LUO_ID.lower(), "板桥村", "", "", "", "", ""])
    upload(staff, xlsx(rows))

    senior_import = the_import()
    assert [(e["row"], e["column"]) for e in senior_import.errors] == [
        (2, "身份证号"),
        (4, "身份证号"),
    ]
    assert "4" in senior_import.errors[0]["message"]  # row 2 points at row 4
    assert "2" in senior_import.errors[1]["message"]  # and row 4 at row 2
    assert senior_import.status == ImportStatus.REFUSED


def test_a_person_already_in_the_ledger_is_named_with_township_and_village(staff, zhang):
    rows = [["张大爷", ZHANG_ID, "铁佛寺社区", "", "", "", "", ""]]
    upload(staff, xlsx(rows))

    assert texts(the_import().errors) == [(2, "身份证号", "此人已在白马镇板桥村登记，未重复建档。")]
    assert Senior.objects.count() == 1


def test_a_row_taken_meanwhile_rolls_back_the_whole_import(staff, regions):
    upload(staff, xlsx(good_rows()))
    senior_import = the_import()
    # someone registers 谭奶奶 (row 3) between the preview and the confirmation
    f.SeniorFactory(
        village=regions["tiefosi"], name="谭奶奶", id_number=TAN_ID, born=datetime.date(1944, 12, 3)
    )

    response = staff.post(f"/seniors/import/{senior_import.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/seniors/import/{senior_import.pk}/"
    assert not Senior.objects.filter(id_number=LUO_ID).exists()  # row 2 was rolled back too
    senior_import.refresh_from_db()
    assert senior_import.status == ImportStatus.REFUSED
    assert senior_import.created_count == 0
    assert texts(senior_import.errors) == [
        (3, "身份证号", "此人已在白马镇铁佛寺社区登记，未重复建档。")
    ]


# --- region ---------------------------------------------------------------------------------


def test_a_village_outside_the_township_is_refused(staff):
    rows = [["罗大爷", LUO_ID, "文凤村", "", "", "", "", ""]]  # 文凤村 is in 后坪乡
    upload(staff, xlsx(rows))

    assert texts(the_import().errors) == [(2, "村(社区)", "您的辖区内没有这个村（社区）。")]


def test_villages_are_found_by_code_and_by_township_and_name(regions, today, bureau):
    rows = [
        ["罗大爷", LUO_ID, "500156101201", "", "", "", "", ""],
        ["谭奶奶", TAN_ID, "后坪苗族土家族乡文凤村", "", "", "", "", ""],
    ]
    senior_import = importing.senior_import_create(by=bureau, upload=xlsx(rows))

    assert senior_import.errors == []
    assert [r["fields"]["village"] for r in senior_import.rows] == ["500156101201", "500156208200"]
    assert senior_import.region == regions["district"]


def test_a_village_name_found_in_two_townships_needs_the_township(regions, today, bureau):
    f.village(regions["houping"], "500156208201", "板桥村村民委员会")
    rows = [["罗大爷", LUO_ID, "板桥村", "", "", "", "", ""]]

    ambiguous = importing.senior_import_create(by=bureau, upload=xlsx(rows))

    [error] = ambiguous.errors
    assert (error["row"], error["column"]) == (2, "村(社区)")
    assert "白马镇板桥村" in error["message"]
    assert "后坪苗族土家族乡板桥村" in error["message"]

    headers = ["姓名", "身份证号", "乡镇(街道)", "村(社区)"]
    rows = [["罗大爷", LUO_ID, "后坪苗族土家族乡", "板桥村"]]
    settled = importing.senior_import_create(by=bureau, upload=xlsx(rows, headers=headers))

    assert settled.errors == []
    assert settled.rows[0]["fields"]["village"] == "500156208201"


# --- the file itself ------------------------------------------------------------------------


def test_columns_may_come_in_any_order_and_a_serial_number_column_is_ignored(staff, regions):
    headers = ["序号", "村（社区）", "身份证号码", "姓名"]
    rows = [[1, "板桥村", LUO_ID, "罗大爷"], [2, "铁佛寺社区", TAN_ID, "谭奶奶"]]
    upload(staff, xlsx(rows, headers=headers, before=[["白马镇老年人名单"]]))

    senior_import = the_import()
    assert senior_import.errors == []
    assert [r["row"] for r in senior_import.rows] == [3, 4]  # a title above the header
    staff.post(f"/seniors/import/{senior_import.pk}/")
    assert Senior.objects.get(id_number=TAN_ID).village == regions["tiefosi"]


def test_an_unknown_column_is_reported_on_the_header_row(staff):
    headers = [*HEADERS, "爱好"]
    rows = [[*good_rows()[0], "下棋"]]
    upload(staff, xlsx(rows, headers=headers))

    [error] = the_import().errors
    assert (error["row"], error["column"]) == (1, "爱好")
    assert "I" in error["message"]  # the column's letter


def test_an_id_number_typed_as_a_number_is_explained(staff):
    rows = [["罗大爷", float(LUO_ID), "板桥村", "", "", "", "", ""]]
    upload(staff, xlsx(rows))

    [error] = the_import().errors
    assert (error["row"], error["column"]) == (2, "身份证号")
    assert "Excel" in error["message"]


def test_empty_trailing_rows_are_ignored(staff):
    rows = [*good_rows(), [None] * 8, ["", " ", None, "", "", "", "", ""], [None] * 8]
    upload(staff, xlsx(rows))

    assert len(the_import().rows) == 2
    assert the_import().status == ImportStatus.PREVIEWED


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("名单.csv", "姓名,身份证号,村(社区)\n罗大爷,500232195005250118,板桥村\n".encode()),
        ("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        ("名单.xlsx", b"PK\x03\x04 this is no workbook"),
        ("名单.xlsx", b""),
    ],
)
def test_a_file_that_is_not_an_xlsx_gets_a_message_not_a_500(staff, name, content):
    response = upload(staff, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'<p class="error">[^<]+</p>', body)
    assert SeniorImport.objects.count() == 0


def test_a_zip_that_is_not_a_workbook_gets_a_message(staff):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    response = upload(staff, SimpleUploadedFile("名单.xlsx", buffer.getvalue()))

    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert SeniorImport.objects.count() == 0


def test_a_workbook_without_the_header_row_gets_a_message(staff):
    response = upload(staff, xlsx([["罗大爷", LUO_ID]], headers=["名字", "号码"]))

    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert SeniorImport.objects.count() == 0


def test_too_many_rows_or_too_big_a_file_is_refused(staff, settings, monkeypatch):
    settings.IMPORT_MAX_ROWS = 1
    response = upload(staff, xlsx(good_rows()))
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()

    settings.IMPORT_MAX_ROWS = 5000
    monkeypatch.setattr(importing, "MAX_FILE_SIZE", 1000)
    response = upload(staff, xlsx(good_rows()))
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert SeniorImport.objects.count() == 0


def test_a_file_that_is_not_an_xlsx_is_explained_in_chinese(staff):
    require_translation()
    response = upload(staff, SimpleUploadedFile("名单.csv", b"a,b\n1,2\n"))
    assert "这不是 Excel 工作簿（.xlsx）" in response.content.decode()


# --- who may ---------------------------------------------------------------------------------


def test_staff_of_another_township_cannot_open_someones_import(client, staff, staff_houping):
    upload(staff, xlsx(good_rows()))
    senior_import = the_import()
    client.force_login(staff_houping)

    assert client.get(f"/seniors/import/{senior_import.pk}/").status_code == 404
    assert client.post(f"/seniors/import/{senior_import.pk}/").status_code == 404
    assert Senior.objects.count() == 0


def test_the_bureau_may_open_a_townships_import(client, staff, bureau):
    upload(staff, xlsx(good_rows()))
    client.force_login(bureau)
    assert client.get(f"/seniors/import/{the_import().pk}/").status_code == 200


def test_assistants_and_volunteers_get_403(client, staff, assistant_baima, volunteer):
    upload(staff, xlsx(good_rows()))
    senior_import = the_import()
    for user in (assistant_baima, volunteer):
        client.force_login(user)
        assert client.get("/seniors/import/").status_code == 403
        assert client.post("/seniors/import/", {"file": xlsx(good_rows())}).status_code == 403
        assert client.get("/seniors/import/template.xlsx").status_code == 403
        assert client.get(f"/seniors/import/{senior_import.pk}/").status_code == 403
        assert client.post(f"/seniors/import/{senior_import.pk}/").status_code == 403
    assert SeniorImport.objects.count() == 1
    assert Senior.objects.count() == 0


# --- the template ---------------------------------------------------------------------------


def test_the_upload_page_links_the_template(staff):
    body = staff.get("/seniors/import/").content.decode()
    assert 'href="/seniors/import/template.xlsx"' in body
    assert 'enctype="multipart/form-data"' in body


def test_the_template_has_the_columns_and_the_villages_of_the_region(staff):
    response = staff.get("/seniors/import/template.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["老年人名单", "填写说明", "村(社区)列表"]
    assert [c.value for c in workbook["老年人名单"][1]] == [
        "姓名", "身份证号", "村(社区)", "村民小组", "联系电话", "住址", "居住情况", "特困供养",
        "低保", "低收入", "计划生育特殊家庭", "残疾", "意愿集中供养", "意愿日间照料",
        "家庭医生签约日期", "安全手环编号", "安全手环发放日期", "家庭养老床位设立日期",
        "适老化改造完成日期", "家庭照顾者", "照顾者培训日期", "登记日期", "备注",
    ]  # fmt: skip
    villages = [row[:4] for row in workbook["村(社区)列表"].iter_rows(min_row=2, values_only=True)]
    assert villages == [
        ("白马镇", "铁佛寺社区", "铁佛寺社区居民委员会", "500156101006"),
        ("白马镇", "板桥村", "板桥村村民委员会", "500156101201"),
    ]  # 文凤村 of 后坪乡 is not offered


def test_the_template_filled_in_imports(staff, regions):
    workbook = load_workbook(io.BytesIO(staff.get("/seniors/import/template.xlsx").content))
    sheet = workbook["老年人名单"]
    sheet.append(["罗大爷", LUO_ID, "板桥村", "2组"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    upload(staff, SimpleUploadedFile("模板.xlsx", buffer.getvalue()))
    senior_import = the_import()
    assert senior_import.errors == []
    staff.post(f"/seniors/import/{senior_import.pk}/")
    assert Senior.objects.get(id_number=LUO_ID).villager_group == regions["groups"][1]


def test_group_numbers_are_read_in_every_usual_form():
    assert [
        importing.group_number(text)
        for text in ("一组", "1组", "第一村民小组", "第12组", "十二社", "二十", "3", "组长")
    ] == [1, 1, 1, 12, 12, 20, 3, None]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_eight_confirmations_at_once_import_the_file_once(regions, staff_baima, bureau):
    pk = importing.senior_import_create(by=staff_baima, upload=xlsx(good_rows())).pk
    users = [staff_baima, bureau] * (CLIENTS // 2)

    results = run_together(
        lambda i: importing.senior_import_apply(
            by=users[i], senior_import=SeniorImport.objects.get(pk=pk)
        )
    )

    assert Senior.objects.count() == 2
    assert sorted(r[1] for r in results if r[0] == "ok") == [2]
    refusals = [r[1] for r in results if r[0] == "error"]
    assert len(refusals) == CLIENTS - 1
    assert all(isinstance(exc, importing.ImportNotPending) for exc in refusals), refusals
    assert SeniorImport.objects.get(pk=pk).created_count == 2


# --- the people's numbers ------------------------------------------------------------------


def test_the_preview_masks_the_numbers_and_an_applied_file_keeps_none(staff, bureau):
    rows = [[*row[:2], "板桥村", "13812345678"] for row in good_rows()]
    upload(staff, xlsx(rows, headers=["姓名", "身份证号", "村(社区)", "联系电话"]))
    senior_import = the_import()
    preview = f"/seniors/import/{senior_import.pk}/"

    body = staff.get(preview).content.decode()
    # the uploader sees the file's people as a list: 5002 + ten stars + the last four
    assert f"5002**********{LUO_ID[-4:]}" in body and "138****5678" in body
    assert LUO_ID not in body and TAN_ID not in body and "13812345678" not in body
    colleague = Client()
    colleague.force_login(bureau)  # the district's bureau sees no more
    assert LUO_ID not in colleague.get(preview).content.decode()

    staff.post(preview)

    # the people hold their numbers in the ledger; the file keeps them masked
    assert Senior.objects.get(name="罗大爷").id_number == LUO_ID
    kept = the_import().rows
    assert [r["cells"]["身份证号"] for r in kept] == [
        f"5002**********{LUO_ID[-4:]}",
        f"5002**********{TAN_ID[-4:]}",
    ]
    assert {r["fields"]["phone"] for r in kept} == {"138****5678"}
    assert LUO_ID not in str(kept) and TAN_ID not in str(kept) and "13812345678" not in str(kept)
    assert not PersonView.objects.exists()  # nothing was shown in full: nothing to log


def test_a_file_refused_for_its_errors_keeps_no_number(staff):
    rows = [[*good_rows()[0][:2], "板桥村", "13812345678"], ["谭奶奶", TAN_ID, "不存在村", ""]]
    upload(staff, xlsx(rows, headers=["姓名", "身份证号", "村(社区)", "联系电话"]))

    refused = the_import()
    assert refused.status == ImportStatus.REFUSED
    assert [e["row"] for e in refused.errors] == [3]  # the village of row 3 is not found
    assert [r["cells"]["身份证号"] for r in refused.rows] == [
        f"5002**********{LUO_ID[-4:]}",
        f"5002**********{TAN_ID[-4:]}",
    ]
    assert "13812345678" not in str(refused.rows)
