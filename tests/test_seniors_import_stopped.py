"""A check or an import whose worker died does not stay "being checked" for the broker's hour:
beat sweeps every import whose progress has not moved for ``IMPORT_STALE_MINUTES`` to failed,
with a message saying nothing was imported, and the page offers to run the step again, once
however many press."""

import datetime
import time
import zoneinfo
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from eldercare.celery import app
from seniors import importing
from seniors.models import ImportStatus, Senior, SeniorImport
from seniors.tasks import apply_import, check_import, sweep_stopped_imports
from tests.test_seniors_import_heavy_files import with_shared_strings
from tests.test_seniors_import_limits import person, upload, workbook_bytes
from tests.workers import celery_worker, celery_worker_process

pytestmark = pytest.mark.django_db

WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")
CHECK_STOPPED = "系统在检查这个文件时中断了，没有导入任何人。请点“重新检查”再试一次。"
IMPORT_STOPPED = "系统在导入这个文件时中断了，没有导入任何人。请点“重新导入”再试一次。"


@pytest.fixture
def staff(client, staff_baima, regions, today, settings, eager):
    settings.IMPORT_ASYNC_ROWS = 1  # two people: checked and imported by tasks
    settings.IMPORT_STALE_MINUTES = 15
    client.force_login(staff_baima)
    return client


def at(today, hour: int, minute: int):
    """The clock at hour:minute of the suite's day, in Wulong."""
    moment = datetime.datetime.combine(today, datetime.time(hour, minute), tzinfo=WULONG)
    return time_machine.travel(moment, tick=False)


def sweep() -> int:
    return sweep_stopped_imports.apply().get()["stopped"]


def uploaded(staff, captured, n: int = 2) -> SeniorImport:
    """A file of ``n`` people uploaded; its check queued (in ``captured``), not run: the worker
    died."""
    with captured() as queued:
        upload(staff, workbook_bytes([person(i) for i in range(1, n + 1)]))
    assert len(queued) == 1
    return SeniorImport.objects.order_by("created_at").last()


def writes(queries) -> list[str]:
    """The writes of ``queries``, but the login's own (the session's last request)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]


def test_a_check_that_stopped_moving_is_swept_to_failed_and_a_fresh_one_is_not(
    staff, today, django_capture_on_commit_callbacks
):
    with at(today, 10, 0):
        stopped = uploaded(staff, django_capture_on_commit_callbacks)
    with at(today, 10, 10):
        fresh = uploaded(staff, django_capture_on_commit_callbacks)
    url = f"/seniors/import/{stopped.pk}/"

    with at(today, 10, 14):
        assert sweep() == 0
    with at(today, 10, 16):
        # looking at it changes nothing: only the sweep does
        with CaptureQueriesContext(connection) as queries:
            assert "文件较大，正在检查每一行" in staff.get(url).content.decode()
            assert staff.get(url + "progress/").json()["status"] == "checking"
        assert writes(queries) == []
        assert sweep() == 1

    stopped.refresh_from_db()
    fresh.refresh_from_db()
    assert (stopped.status, stopped.stopped_in) == (ImportStatus.REFUSED, ImportStatus.CHECKING)
    assert stopped.content is not None  # kept, to check it again
    assert fresh.status == ImportStatus.CHECKING
    assert staff.get(url + "progress/").json() == {
        "status": "refused",
        "progress": 100,
        "done": True,
    }
    page = staff.get(url).content.decode()
    assert CHECK_STOPPED in page
    assert 'name="retry"' in page and "重新检查" in page
    assert "请改正" not in page
    assert "共读取" not in page  # no rows were read: no "0 rows read: 0 valid" beside it
    assert Senior.objects.count() == 0


def test_a_check_whose_progress_moves_is_not_swept(
    staff, today, django_capture_on_commit_callbacks
):
    with at(today, 10, 0):
        senior_import = uploaded(staff, django_capture_on_commit_callbacks)
    with at(today, 10, 10):
        importing._Progress(senior_import.pk)(1, 4)  # a quarter of the rows checked
    with at(today, 10, 20):
        assert sweep() == 0
    with at(today, 10, 26):
        assert sweep() == 1


def test_an_import_confirmed_long_after_its_check_is_not_taken_for_stopped(
    staff, today, django_capture_on_commit_callbacks
):
    with at(today, 10, 0), django_capture_on_commit_callbacks(execute=True):
        upload(staff, workbook_bytes([person(1), person(2)]))
    senior_import = SeniorImport.objects.get()
    with at(today, 10, 30), django_capture_on_commit_callbacks() as queued:
        staff.post(f"/seniors/import/{senior_import.pk}/")  # confirmed; the task not begun yet
    assert len(queued) == 1
    with at(today, 10, 31):
        assert sweep() == 0
    assert SeniorImport.objects.get().status == ImportStatus.IMPORTING


def test_a_stopped_check_is_checked_again_with_the_same_file_once_and_then_imported(
    staff, today, django_capture_on_commit_callbacks
):
    with at(today, 10, 0):
        senior_import = uploaded(staff, django_capture_on_commit_callbacks)
    with at(today, 10, 16):
        sweep()
    url = f"/seniors/import/{senior_import.pk}/"

    with django_capture_on_commit_callbacks() as queued:
        response = staff.post(url, {"retry": "1"})
        again = staff.post(url, {"retry": "1"}, follow=True)
    assert response["Location"] == url
    assert len(queued) == 1  # the second press queued nothing
    assert "这次导入没有中断（或已在重试），没有重复提交。" in again.content.decode()
    senior_import.refresh_from_db()
    assert (senior_import.status, senior_import.stopped_in) == (ImportStatus.CHECKING, "")
    assert senior_import.errors == []

    queued[0]()
    senior_import.refresh_from_db()
    assert senior_import.status == ImportStatus.PREVIEWED
    assert len(senior_import.rows) == 2

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url)  # confirm
    senior_import.refresh_from_db()
    assert (senior_import.status, senior_import.created_count) == (ImportStatus.APPLIED, 2)
    assert sorted(Senior.objects.values_list("name", flat=True)) == ["老人1", "老人2"]


def test_an_import_that_stopped_wrote_nobody_and_is_imported_again_once(
    staff, today, django_capture_on_commit_callbacks
):
    with at(today, 10, 0):
        with django_capture_on_commit_callbacks(execute=True):
            upload(staff, workbook_bytes([person(1), person(2)]))
        senior_import = SeniorImport.objects.get()
        url = f"/seniors/import/{senior_import.pk}/"
        with django_capture_on_commit_callbacks() as lost:
            staff.post(url)  # confirmed; the import task queued, its worker dies
        assert len(lost) == 1
    with at(today, 10, 16):
        assert sweep() == 1

    senior_import.refresh_from_db()
    assert (senior_import.status, senior_import.stopped_in) == (
        ImportStatus.REFUSED,
        ImportStatus.IMPORTING,
    )
    assert Senior.objects.count() == 0
    page = staff.get(url).content.decode()
    assert IMPORT_STOPPED in page and "重新导入" in page

    with django_capture_on_commit_callbacks() as queued:
        staff.post(url, {"retry": "1"})
        staff.post(url, {"retry": "1"})
    assert len(queued) == 1
    assert SeniorImport.objects.get().status == ImportStatus.IMPORTING
    queued[0]()
    senior_import.refresh_from_db()
    assert (senior_import.status, senior_import.created_count) == (ImportStatus.APPLIED, 2)
    assert Senior.objects.count() == 2

    # the first message, handed out again when the broker's visibility timeout passes, adds
    # nobody
    result = apply_import.apply(args=[str(senior_import.pk), senior_import.created_by_id])
    assert result.get() == {"import": str(senior_import.pk), "skipped": True}
    assert Senior.objects.count() == 2


def test_a_check_task_that_failed_for_good_is_stopped_and_can_be_checked_again(
    staff, django_capture_on_commit_callbacks, monkeypatch
):
    senior_import = uploaded(staff, django_capture_on_commit_callbacks)

    def broken(upload):
        raise RuntimeError("the worker ran out of memory")

    monkeypatch.setattr(importing, "parse_sheet", broken)
    with pytest.raises(RuntimeError):
        check_import.apply(args=[str(senior_import.pk)], throw=True)
    senior_import.refresh_from_db()
    assert (senior_import.status, senior_import.stopped_in) == (
        ImportStatus.REFUSED,
        ImportStatus.CHECKING,
    )
    assert [importing.format_error(e) for e in senior_import.errors] == [CHECK_STOPPED]

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/seniors/import/{senior_import.pk}/", {"retry": "1"})
    assert SeniorImport.objects.get().status == ImportStatus.PREVIEWED


def test_a_refused_file_and_another_townships_import_offer_no_retry(
    staff, client, staff_houping, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff, workbook_bytes([person(1), ["老人2", "500232195001010000", "板桥村"]]))
    refused = SeniorImport.objects.get()
    assert refused.status == ImportStatus.REFUSED and refused.stopped_in == ""
    url = f"/seniors/import/{refused.pk}/"
    assert 'name="retry"' not in staff.get(url).content.decode()
    with django_capture_on_commit_callbacks() as queued:
        staff.post(url, {"retry": "1"})
    assert queued == []
    assert SeniorImport.objects.get().status == ImportStatus.REFUSED

    SeniorImport.objects.update(stopped_in=ImportStatus.CHECKING)
    client.force_login(staff_houping)
    with django_capture_on_commit_callbacks() as queued:
        assert client.post(url, {"retry": "1"}).status_code == 404
    assert queued == []


def test_beat_sweeps_every_five_minutes():
    # as beat's database scheduler installs the schedule of the settings when it starts
    for name, entry in app.conf.beat_schedule.items():
        DatabaseScheduler.Entry.from_entry(name, app=app, **entry)
    entry = PeriodicTask.objects.get(task="seniors.sweep_stopped_imports")
    assert (entry.interval.every, entry.interval.period) == (300, "seconds")
    assert entry.enabled
    assert "seniors.sweep_stopped_imports" in app.tasks


# --- on PostgreSQL, with a real worker (CI's second pass) -----------------------------------


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_check_whose_worker_is_killed_is_swept_and_checked_again_by_another(regions, staff_baima):
    # two people and 8 MB of shared strings: openpyxl reads for seconds before the first row
    content = with_shared_strings(workbook_bytes([person(1), person(2)]), 8)
    with mock.patch.object(check_import, "delay"):
        senior_import = importing.senior_import_create(
            by=staff_baima, upload=SimpleUploadedFile("名单.xlsx", content)
        )
    pk, created = senior_import.pk, senior_import.heartbeat_at

    def state():
        return SeniorImport.objects.values_list("status", "heartbeat_at").get(pk=pk)

    with celery_worker_process() as (queue, worker):
        check_import.apply_async(args=[str(pk)], queue=queue)
        wait_for(lambda: state()[1] != created)  # the task has begun
        worker.kill()  # the worker's main process, mid-check
        worker.wait()
    # the message is not acknowledged: the broker hands it out again after its hour
    assert state()[0] == ImportStatus.CHECKING

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert importing.senior_imports_sweep() == 1
    senior_import.refresh_from_db()
    assert (senior_import.status, senior_import.stopped_in) == (
        ImportStatus.REFUSED,
        ImportStatus.CHECKING,
    )

    with celery_worker() as queue:
        to_worker = lambda pk: check_import.apply_async(args=[pk], queue=queue)  # noqa: E731
        with mock.patch.object(check_import, "delay", to_worker):
            importing.senior_import_retry(by=staff_baima, senior_import=senior_import)
        wait_for(lambda: state()[0] != ImportStatus.CHECKING)
    senior_import.refresh_from_db()
    assert senior_import.status == ImportStatus.PREVIEWED
    assert [row["cells"]["姓名"] for row in senior_import.rows] == ["老人1", "老人2"]
