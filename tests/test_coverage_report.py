"""The monthly progress report: built from the month-end snapshot by the Celery task (queued by
beat on the first of each month, or by the button of the report's page), stored once per region
and month, downloadable from the coverage page, scoped like the page. The tests read the PDF's
text back and find the snapshot's figures. The suite's today is 29 November 2026: October is
the last month that has ended."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from pypdf import PdfReader

from coverage import services
from coverage.compute import compute
from coverage.models import Report, Snapshot
from coverage.tasks import build_report, monthly_reports
from tests import factories as f
from tests.helpers import coverage_world

pytestmark = pytest.mark.django_db

DISTRICT, BAIMA, HOUPING, BANQIAO = "500156000000", "500156101000", "500156208000", "500156101201"
SEP, OCT = datetime.date(2026, 9, 30), datetime.date(2026, 10, 31)


@pytest.fixture(autouse=True)
def _builds_run_here(eager):
    """The report's build runs in the test's process on both passes."""


@pytest.fixture
def world(regions, today):
    """板桥 (白马): a point, an assistant, 4 seniors of whom 2 have a family doctor. 文凤
    (后坪): 1 senior, nothing else. Snapshots of 30 September and 31 October."""
    coverage_world(regions, lonely_80=False)
    compute(SEP)
    compute(OCT)
    return regions


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def download(client, code, month, capture):
    """Press the report page's button (which queues the build when needed), run the queued
    task as the commit would, and follow the redirect back to the report."""
    path = f"/coverage/{code}/report/{month}.pdf"
    with capture(execute=True):
        pressed = client.post(path)
    if pressed.status_code != 302:
        return pressed
    assert pressed["Location"] == path
    return client.get(path)


def test_the_district_report_carries_the_figures_of_its_snapshot(
    client, bureau, world, django_capture_on_commit_callbacks
):
    # the September family-doctor figure was 12 %: October's 40 % is 28 points up
    Snapshot.objects.filter(
        date=SEP, region_id=DISTRICT, indicator__code="family_doctor_signed"
    ).update(value=12)
    client.force_login(bureau)
    response = download(client, DISTRICT, "2026-10", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = text_of(response.content)
    assert "武隆区农村养老服务体系建设 2022 年目标进展月报（2026 年 10 月）" in text  # page head
    assert "2026年10月31日" in text  # the snapshot day it was made from
    # family doctors: 2 of the 5 seniors; villages with a point: 板桥 of 2
    assert "40.0 %" in text and "2 / 5" in text
    assert "+28.0 个百分点" in text
    assert "50.0 %" in text and "1 / 2" in text
    for heading in (
        "一、总体情况",
        "二、各项指标",
        "三、乡镇（街道）排名",
        "四、短板清单",
        "五、说明",
    ):
        assert heading in text
    # the townships ranked, the village without a point named (文凤, of 后坪)
    assert "白马镇" in text and "后坪" in text
    assert "文凤" in text and "无互助点" in text
    assert "第 1 页 共" in text
    report = Report.objects.get()
    assert (report.region_id, report.month, report.snapshot_date, report.requested_by) == (
        DISTRICT,
        datetime.date(2026, 10, 1),
        OCT,
        bureau,
    )


def test_the_overall_count_matches_the_page(
    client, bureau, world, django_capture_on_commit_callbacks
):
    client.force_login(bureau)
    body = client.get(f"/coverage/{DISTRICT}/?date=2026-10-31").content.decode()
    met, judged = (
        body.count('class="tile met'),
        body.count('class="tile met') + body.count('class="tile behind'),
    )
    text = text_of(
        download(client, DISTRICT, "2026-10", django_capture_on_commit_callbacks).content
    )
    assert f"达标 {met} / 适用 {judged}" in text.replace("\n", "")


def test_the_september_report_is_made_from_the_september_snapshot(
    client, bureau, world, django_capture_on_commit_callbacks
):
    client.force_login(bureau)
    response = download(client, DISTRICT, "2026-09", django_capture_on_commit_callbacks)
    text = text_of(response.content)
    assert "（2026 年 9 月）" in text and "2026年09月30日" in text
    assert "上月无快照" in text


def test_a_newer_snapshot_in_the_month_is_built_in_place_when_asked_not_when_read(
    client, bureau, world, django_capture_on_commit_callbacks
):
    """Built from the 30th, then the 31st computed: a GET still serves the file built (and
    writes nothing); the button builds it again from the 31st, in the same row."""
    Snapshot.objects.filter(date=OCT).delete()
    compute(datetime.date(2026, 10, 30))
    client.force_login(bureau)
    download(client, DISTRICT, "2026-10", django_capture_on_commit_callbacks)
    compute(OCT)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        served = client.get(f"/coverage/{DISTRICT}/report/2026-10.pdf")
    assert queued == []
    assert "2026年10月30日" in text_of(served.content)
    text = text_of(
        download(client, DISTRICT, "2026-10", django_capture_on_commit_callbacks).content
    )
    assert "2026年10月31日" in text
    assert Report.objects.count() == 1
    assert Report.objects.get().snapshot_date == OCT


def test_township_staff_get_their_township_only(
    client, staff_baima, world, django_capture_on_commit_callbacks
):
    client.force_login(staff_baima)
    response = download(client, BAIMA, "2026-10", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    text = text_of(response.content)
    assert "白马镇农村养老服务体系建设" in text and "三、村（社区）排名" in text
    assert "板桥" in text
    for code in (DISTRICT, HOUPING):
        assert client.get(f"/coverage/{code}/report/2026-10.pdf").status_code == 404
        assert (
            download(client, code, "2026-10", django_capture_on_commit_callbacks).status_code == 404
        )
    assert not Report.objects.filter(region_id__in=[DISTRICT, HOUPING]).exists()


# written otherwise than YYYY-MM in ASCII digits with a month 01–12
MALFORMED = ["2026-13", "2026-00", "2026-1", "nov", " 2021-01", "+2021-1", " 2021-1",
             "２０２１-０１", "2021-０1", "2021-01 ", "2021_01", "-2021-01", "20210-1"]  # fmt: skip
# before the plan (issued 2021-05-25), the month still running, months to come
OUTSIDE_SPAN = ["2021-04", "1999-12", "0001-01", "2026-11", "2026-12", "2027-01", "9999-12"]


@pytest.mark.parametrize("month", MALFORMED + OUTSIDE_SPAN)
def test_a_malformed_month_or_one_outside_the_plan_is_not_found_and_writes_nothing(
    client, bureau, world, month, django_capture_on_commit_callbacks
):
    client.force_login(bureau)
    path = f"/coverage/{DISTRICT}/report/{quote(month)}.pdf"
    with django_capture_on_commit_callbacks() as queued:
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert queued == []
    assert not Report.objects.exists()


@pytest.mark.parametrize("month", ["2021-05", "2026-10"])
def test_the_first_and_last_months_of_the_span_have_a_report_page(client, bureau, world, month):
    client.force_login(bureau)
    assert client.get(f"/coverage/{DISTRICT}/report/{month}.pdf").status_code == 200


def test_a_report_not_built_yet_says_so_offers_the_button_and_writes_nothing(
    client, bureau, world, django_capture_on_commit_callbacks
):
    client.force_login(bureau)
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(f"/coverage/{DISTRICT}/report/2026-10.pdf")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "2026-10 的月报尚未生成" in body
    assert f'<form method="post" action="/coverage/{DISTRICT}/report/2026-10.pdf">' in body
    assert "生成报告" in body and "csrfmiddlewaretoken" in body
    assert 'http-equiv="refresh"' not in body
    assert queued == []
    assert not Report.objects.exists()


def test_a_reader_who_may_not_build_sees_the_message_only_and_cannot_post(
    client, assistant_baima, world, django_capture_on_commit_callbacks
):
    """The assistant of 板桥 reads 板桥's reports; the bureau or 白马's staff have them built."""
    client.force_login(assistant_baima)
    path = f"/coverage/{BANQIAO}/report/2026-10.pdf"
    body = client.get(path).content.decode()
    assert "尚未生成" in body
    assert "<form" not in body.split("<main")[1] and "生成报告" not in body
    with django_capture_on_commit_callbacks() as queued:
        assert client.post(path).status_code == 403
    assert queued == [] and not Report.objects.exists()


def test_the_button_needs_the_csrf_token(bureau, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bureau)
    assert client.post(f"/coverage/{DISTRICT}/report/2026-10.pdf").status_code == 403
    assert not Report.objects.exists()


def test_until_built_the_page_says_it_is_being_generated(client, bureau, world):
    """The button pressed, the task not yet run (no commit): the user is told to wait; the
    page reloads, and pressing again queues nothing more."""
    client.force_login(bureau)
    path = f"/coverage/{DISTRICT}/report/2026-10.pdf"
    assert client.post(path).status_code == 302
    assert client.post(path).status_code == 302
    assert [(r.status, r.requested_by) for r in Report.objects.all()] == [("queued", bureau)]
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "正在生成" in body
    assert 'http-equiv="refresh"' in body
    assert "生成报告" not in body
    assert "<script" not in body.split("<body")[1].split("</main>")[0]


def test_a_failed_build_says_so_and_offers_to_build_again(
    client, bureau, world, django_capture_on_commit_callbacks
):
    f.ReportFactory(region=world["district"], month=datetime.date(2026, 10, 1), status="failed")
    client.force_login(bureau)
    body = client.get(f"/coverage/{DISTRICT}/report/2026-10.pdf").content.decode()
    assert "2026-10 的月报未能生成" in body and "重新生成报告" in body
    response = download(client, DISTRICT, "2026-10", django_capture_on_commit_callbacks)
    assert response["Content-Type"] == "application/pdf"


def test_the_task_builds_the_report_directly(world):
    result = build_report.delay(BAIMA, "2026-10-01").get()
    report = Report.objects.get(pk=result["report"])
    assert report.status == "done" and report.snapshot_date == OCT
    assert "40.0 %" not in text_of(bytes(report.pdf))  # 白马: 2 of 4 family doctors
    assert "50.0 %" in text_of(bytes(report.pdf))


def test_the_region_page_links_the_report_of_the_last_month_ended(client, bureau, world):
    """Today's snapshot belongs to November, still running: the link is October's report; an
    older snapshot day's link is its own month's."""
    compute(datetime.date(2026, 11, 29))
    client.force_login(bureau)
    body = client.get(f"/coverage/{DISTRICT}/").content.decode()
    assert f'href="/coverage/{DISTRICT}/report/2026-10.pdf"' in body
    assert "2026-10 月报 PDF" in body
    body = client.get(f"/coverage/{DISTRICT}/?date=2026-09-30").content.decode()
    assert f'href="/coverage/{DISTRICT}/report/2026-09.pdf"' in body


def test_failing_institutions_are_named_in_the_gap_list(
    client, bureau, world, django_capture_on_commit_callbacks
):
    Snapshot.objects.filter(
        date=OCT, region_id=DISTRICT, indicator__code="villages_with_point"
    ).update(failing=[{"id": 1, "name": "白马敬老院", "value": "", "why": "no_staff"}])
    client.force_login(bureau)
    text = text_of(
        download(client, DISTRICT, "2026-10", django_capture_on_commit_callbacks).content
    )
    assert "白马敬老院: 无计入配比的工作人员" in text
    assert "（二）未达标机构" in text


def test_on_the_first_of_the_month_beat_builds_last_months_reports_once(
    world, django_capture_on_commit_callbacks
):
    beat = PeriodicTask.objects.get(task="coverage.monthly_reports")
    assert (beat.crontab.day_of_month, beat.crontab.hour) == ("1", "6")
    # the suite's today is 29 November: last month is October
    with django_capture_on_commit_callbacks(execute=True):
        result = monthly_reports.delay().get()
    assert result == {"month": "2026-10-01", "regions": [DISTRICT, BAIMA, HOUPING]}
    reports = Report.objects.order_by("region_id")
    assert [(r.region_id, r.status, r.snapshot_date) for r in reports] == [
        (DISTRICT, "done", OCT),
        (BAIMA, "done", OCT),
        (HOUPING, "done", OCT),
    ]
    built = {r.pk: r.built_at for r in reports}
    with django_capture_on_commit_callbacks(execute=True) as queued:
        monthly_reports.delay().get()
    assert queued == []  # nothing changed in October: nothing built again
    assert {r.pk: r.built_at for r in Report.objects.all()} == built


def test_a_lost_build_is_queued_again_but_a_fresh_one_is_not(
    client, bureau, world, django_capture_on_commit_callbacks
):
    """A build queued two hours ago that no worker finished says it failed and is queued again
    by the button; one queued a moment ago is left to its worker (the page keeps waiting)."""
    f.ReportFactory(
        region=world["district"], month=datetime.date(2026, 10, 1), status="queued",
        queued_at=timezone.now() - datetime.timedelta(minutes=5),
    )  # fmt: skip
    client.force_login(bureau)
    path = f"/coverage/{DISTRICT}/report/2026-10.pdf"
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert "正在生成" in client.get(path).content.decode()
        assert client.post(path).status_code == 302
    assert queued == []
    Report.objects.update(queued_at=timezone.now() - datetime.timedelta(hours=3))
    assert "未能生成" in client.get(path).content.decode()
    response = download(client, DISTRICT, "2026-10", django_capture_on_commit_callbacks)
    assert response["Content-Type"] == "application/pdf"


def test_a_month_without_snapshots_says_so_and_a_village_has_no_ranking(
    client, bureau, world, django_capture_on_commit_callbacks
):
    client.force_login(bureau)
    text = text_of(
        download(client, DISTRICT, "2026-08", django_capture_on_commit_callbacks).content
    )
    assert "2026 年 8 月没有武隆区的快照，无法成文。" in text
    text = text_of(download(client, BANQIAO, "2026-10", django_capture_on_commit_callbacks).content)
    assert "板桥村农村养老服务体系建设" in text
    assert "排名" not in text and "三、短板清单" in text


def test_building_a_report_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    """Whatever the number of townships and villages: the snapshot days, the tiles of the two
    months, the child regions' table, the village gaps and the stored row (24 on the demo
    district's 26 townships and 214 villages)."""
    with django_assert_max_num_queries(26):
        services.report_build(region_code=DISTRICT, month=datetime.date(2026, 10, 1))


@pytest.mark.parametrize("month", [datetime.date(1999, 12, 1), datetime.date(2026, 11, 1)])
def test_the_service_refuses_a_month_outside_the_plan_and_writes_nothing(world, month):
    with pytest.raises(services.MonthOutsideSpan):
        services.report_request(region_code=DISTRICT, month=month)
    assert services.report_request_month(month=month) == []
    assert not Report.objects.exists()
