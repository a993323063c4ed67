"""An uploaded workbook cannot hold a worker: a file that unpacks to too much, packs too
tightly or holds too many rows is refused before openpyxl parses it; a long preview comes a page
at a time; a long file is checked and imported by a Celery task while the page shows how far."""

import datetime
import io
import time
import uuid
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from openpyxl import Workbook

from seniors import importing
from seniors.idnumber import make_id_number
from seniors.models import ImportStatus, Senior, SeniorImport
from seniors.tasks import apply_import
from tests import factories as f
from tests.concurrency import CLIENTS, run_together
from tests.workers import celery_worker

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["姓名", "身份证号", "村(社区)"]


def person(n: int) -> list:
    """The n-th of a list of people of 板桥村, each with a valid ID number of their own."""
    return [f"老人{n}", make_id_number("500232", datetime.date(1950, 1, 1), n), "板桥村"]


def workbook_bytes(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_padding(content: bytes, megabytes: int) -> bytes:
    """The workbook with a part of ``megabytes`` MB of one repeated letter added: it packs
    to a few kilobytes (a zip bomb's trick)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("xl/media/padding.xml", b"A" * (megabytes * 1024 * 1024))
    return out.getvalue()


def upload(client, content: bytes):
    return client.post(
        "/seniors/import/", {"file": SimpleUploadedFile("名单.xlsx", content, content_type=XLSX)}
    )


@pytest.fixture
def staff(client, staff_baima, regions, today):
    client.force_login(staff_baima)
    return client


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if openpyxl is asked to parse the upload."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(importing, "load_workbook", refuse)


# --- refused before parsing -----------------------------------------------------------------


def test_a_file_unpacking_past_the_limit_is_refused_quickly_before_parsing(staff, never_parsed):
    bomb = with_padding(workbook_bytes([person(1)]), 30)  # 30 MB of "A"
    assert len(bomb) < 100_000  # what is uploaded is small

    started = time.monotonic()
    response = upload(staff, bomb)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert "这个工作簿解压后超过 20 MB，不像是一份名单" in response.content.decode()
    assert elapsed < 2
    assert SeniorImport.objects.count() == 0


def test_a_part_packed_far_too_tightly_is_refused(staff, settings, never_parsed):
    settings.IMPORT_MAX_UNPACKED_MB = 100  # the size is allowed: the ratio is not
    response = upload(staff, with_padding(workbook_bytes([person(1)]), 5))

    body = response.content.decode()
    assert "“xl/media/padding.xml”解压后是压缩时的" in body
    assert SeniorImport.objects.count() == 0


def test_a_sheet_of_too_many_rows_is_refused_before_parsing(staff, settings, never_parsed):
    settings.IMPORT_MAX_ROWS = 5  # rows are counted up to 4 × 5 = 20, formatted blanks too
    response = upload(staff, workbook_bytes([person(n) for n in range(1, 21)]))  # 21 rows

    assert "一个文件最多 5 行" in response.content.decode()
    assert SeniorImport.objects.count() == 0


def test_a_file_within_the_limits_is_still_read(staff, settings):
    settings.IMPORT_MAX_ROWS = 5
    response = upload(staff, workbook_bytes([person(n) for n in range(1, 6)]))
    assert response.status_code == 302
    assert SeniorImport.objects.get().status == ImportStatus.PREVIEWED


# --- a long preview, a page at a time -------------------------------------------------------


def test_a_preview_of_many_errors_shows_them_a_page_at_a_time(staff):
    # 450 rows whose ID number has a wrong check digit: 450 errors, 200 on a page
    rows = []
    for n in range(1, 451):
        name, number, village = person(n)
        rows.append([name, number[:17] + ("0" if number[17] != "0" else "1"), village])
    response = upload(staff, workbook_bytes(rows))
    senior_import = SeniorImport.objects.get()
    assert senior_import.status == ImportStatus.REFUSED
    assert len(senior_import.errors) == 450

    url = f"/seniors/import/{senior_import.pk}/"
    body = staff.get(url).content.decode()
    assert body.count("<li>第 ") == 200  # 第 2 行 … 第 201 行 (the header is row 1)
    assert "共 450 处错误，显示第 1–200 处。" in body
    assert "第 1 / 3 页" in body
    assert body.count('<tr class="bad-row">') == 200  # the table too: 200 rows of 450

    last = staff.get(url, {"errors": 3, "page": 3}).content.decode()
    assert last.count("<li>第 ") == 50
    assert "第 451 行" in last and "第 401 行" not in last
    assert staff.get(url, {"errors": "x", "page": "999"}).status_code == 200  # no 500
    assert response.status_code == 302


# --- a long file: a Celery task, progress on the page ---------------------------------------


def test_a_long_file_is_checked_and_imported_by_a_task_with_its_progress_shown(
    staff, settings, eager, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_ASYNC_ROWS = 3  # more than 3 rows: a task
    seen = []
    write = importing._Progress.__call__

    def spy(self, done, total):  # the percentages written (read back by another connection
        write(self, done, total)  # on PostgreSQL: see the worker test below)
        seen.append(self.last)

    monkeypatch.setattr(importing._Progress, "__call__", spy)

    # the upload: kept as being checked, the task queued for after the commit
    with django_capture_on_commit_callbacks() as queued:
        response = upload(staff, workbook_bytes([person(n) for n in range(1, 5)]))
    senior_import = SeniorImport.objects.get()
    url = f"/seniors/import/{senior_import.pk}/"
    assert response["Location"] == url
    assert senior_import.status == ImportStatus.CHECKING
    assert staff.get(url + "progress/").json() == {
        "status": "checking",
        "progress": 0,
        "done": False,
    }
    page = staff.get(url).content.decode()
    assert 'data-import-progress="' + url + 'progress/"' in page
    assert static("js/import-progress.js") in page
    assert "<script>" not in page  # no inline script: the policy allows files only
    assert "正在检查" in page

    for callback in queued:
        callback()  # the check task
    senior_import.refresh_from_db()
    assert senior_import.status == ImportStatus.PREVIEWED
    assert senior_import.content is None  # the file is not kept once read
    assert len(senior_import.rows) == 4
    assert seen == [25, 50, 75, 99]  # 1, 2, 3, 4 of 4 rows; 100 with the result
    assert staff.get(url + "progress/").json()["progress"] == 100
    assert 'class="confirm"' in staff.get(url).content.decode()
    assert Senior.objects.count() == 0  # nothing written before confirming

    # confirming: claimed at once, the people written by the task
    seen.clear()
    with django_capture_on_commit_callbacks() as queued:
        response = staff.post(url)
    assert response["Location"] == url
    assert SeniorImport.objects.get().status == ImportStatus.IMPORTING
    assert Senior.objects.count() == 0
    assert staff.get(url + "progress/").json() == {
        "status": "importing",
        "progress": 0,
        "done": False,
    }
    # a second confirmation meanwhile queues nothing
    with django_capture_on_commit_callbacks() as again:
        staff.post(url)
    assert again == []

    for callback in queued:
        callback()  # the import task
    senior_import.refresh_from_db()
    assert senior_import.status == ImportStatus.APPLIED
    assert senior_import.created_count == 4
    assert senior_import.progress == 100
    assert seen == [25, 50, 75, 99]
    assert sorted(Senior.objects.values_list("name", flat=True)) == [
        "老人1",
        "老人2",
        "老人3",
        "老人4",
    ]
    assert staff.get(url + "progress/").json() == {
        "status": "applied",
        "progress": 100,
        "done": True,
    }
    assert "已导入 4 人。" in staff.get(url).content.decode()

    # the task delivered again (acks late: a worker lost after committing) adds nobody

    assert apply_import.delay(str(senior_import.pk), senior_import.created_by_id).get() == {
        "import": str(senior_import.pk),
        "skipped": True,
    }
    assert Senior.objects.count() == 4


def test_a_long_file_is_not_parsed_in_the_request_and_its_task_says_what_is_wrong(
    staff, settings, eager, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_ASYNC_ROWS = 1
    parsed = []
    parse = importing.parse_sheet
    monkeypatch.setattr(importing, "parse_sheet", lambda f: parsed.append(1) or parse(f))
    with django_capture_on_commit_callbacks() as queued:
        response = upload(staff, workbook_bytes([person(1), person(2)], headers=["名字", "号码"]))
    assert parsed == []  # the request only counted the rows
    assert SeniorImport.objects.get().content is not None

    for callback in queued:
        callback()
    senior_import = SeniorImport.objects.get()
    assert parsed == [1]
    assert senior_import.status == ImportStatus.REFUSED
    assert senior_import.content is None
    assert "没有找到标题行" in staff.get(response["Location"]).content.decode()


def test_a_row_failing_in_the_import_task_writes_nobody(
    staff, settings, eager, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff, workbook_bytes([person(1), person(2)]))
    senior_import = SeniorImport.objects.get()
    assert senior_import.status == ImportStatus.PREVIEWED
    # someone registers the second person meanwhile
    f.SeniorFactory(
        id_number=make_id_number("500232", datetime.date(1950, 1, 1), 2),
        name="老人2",
        sex="F",
        birth_date=datetime.date(1950, 1, 1),
        village=senior_import.region.children.get(short_name="板桥村"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/seniors/import/{senior_import.pk}/")

    senior_import.refresh_from_db()
    assert senior_import.status == ImportStatus.REFUSED
    assert [e["row"] for e in senior_import.errors] == [3]
    assert list(Senior.objects.values_list("name", flat=True)) == ["老人2"]  # 老人1 not written


# --- on PostgreSQL, with a real worker (CI's second pass) -----------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_long_file_with_its_progress_seen_meanwhile(
    regions, staff_baima, settings
):
    upload_file = SimpleUploadedFile("名单.xlsx", workbook_bytes([person(n) for n in range(300)]))
    pk = importing.senior_import_create(by=staff_baima, upload=upload_file).pk  # checked here
    SeniorImport.objects.filter(pk=pk).update(status=ImportStatus.IMPORTING)  # as confirming
    seen = set()
    with celery_worker() as queue:
        result = apply_import.apply_async(args=[str(pk), staff_baima.pk], queue=queue)
        deadline = time.monotonic() + 120
        while not result.ready() and time.monotonic() < deadline:
            seen.add(SeniorImport.objects.get(pk=pk).progress)
            time.sleep(0.02)
        assert result.get(timeout=10)["created"] == 300
    senior_import = SeniorImport.objects.get(pk=pk)
    assert (senior_import.status, senior_import.progress) == (ImportStatus.APPLIED, 100)
    assert Senior.objects.count() == 300
    # the progress moved while the rows were written, before their transaction committed
    assert any(0 < p < 100 for p in seen), seen


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_eight_confirmations_of_a_long_file_at_once_queue_one_import(
    regions, staff_baima, bureau, settings
):
    settings.IMPORT_ASYNC_ROWS = 1
    settings.IMPORT_MAX_ROWS = 20
    upload_file = SimpleUploadedFile("名单.xlsx", workbook_bytes([person(1), person(2)]))
    sheet = importing.read_sheet(upload_file)
    rows, errors = importing.check_sheet(by=staff_baima, sheet=sheet)
    senior_import = f.SeniorImportFactory(
        id=uuid.uuid4(),
        created_by=staff_baima,
        region=staff_baima.region,
        file_name="名单.xlsx",
        rows=rows,
        errors=errors,
    )

    def confirm(i):
        return importing.senior_import_confirm(
            by=[staff_baima, bureau][i % 2],
            senior_import=SeniorImport.objects.get(pk=senior_import.pk),
        )

    with mock.patch("seniors.tasks.apply_import.delay") as delay:
        results = run_together(confirm)
    refusals = [r[1] for r in results if r[0] == "error"]
    assert len(refusals) == CLIENTS - 1
    assert all(isinstance(exc, importing.ImportNotPending) for exc in refusals), refusals
    assert delay.call_count == 1
    assert SeniorImport.objects.get(pk=senior_import.pk).status == ImportStatus.IMPORTING
