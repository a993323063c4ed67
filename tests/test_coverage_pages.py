"""The coverage dashboard: tiles read from the snapshots, drill-down, village page, trends,
gap lists, Excel and the big screen; scoped like everything else."""

import datetime
import io

import pytest
from django.templatetags.static import static
from openpyxl import load_workbook

from coverage.compute import compute
from coverage.models import Snapshot
from tests import factories as f
from tests.helpers import coverage_world, tile

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 29)
BAIMA, HOUPING, BANQIAO = "500156101000", "500156208000", "500156101201"


@pytest.fixture
def world(regions, today):
    """板桥 (白马): a point, an assistant, 4 seniors of whom 2 have a family doctor and one is
    80+ living alone without a pairing. 文凤 (后坪): 1 senior, nothing else."""
    coverage_world(regions)
    compute(datetime.date(2026, 10, 31))
    compute(DAY)
    return regions


def test_the_overview_shows_each_indicator_with_the_snapshots_value(client, bureau, world):
    client.force_login(bureau)
    body = client.get("/coverage/500156000000/").content.decode()
    # family doctors: 2 of the 5 seniors → 40.0 %; villages with a point: 板桥 of 2 → 50.0 %
    assert "40.0 %" in tile(body, "family_doctor_signed")
    assert "2 / 5" in tile(body, "family_doctor_signed")
    assert "<script" not in body.split("</title>")[0]  # the page's title is plain text
    assert "50.0 %" in tile(body, "villages_with_point")
    assert "1 / 2" in tile(body, "villages_with_assistant")
    assert "2026-11-29" in body
    # every indicator of the plan has its tile
    assert body.count('class="tile ') == 36  # and 中心带点
    # 白马 and 后坪 in the drill-down, each linking to its page
    assert 'href="/coverage/500156101000/?date=2026-11-29"' in body
    assert 'href="/coverage/500156208000/?date=2026-11-29"' in body


def test_an_older_snapshot_can_be_chosen(client, bureau, world):
    Snapshot.objects.filter(date=datetime.date(2026, 10, 31)).update(value=12)
    client.force_login(bureau)
    body = client.get("/coverage/500156000000/", {"date": "2026-10-31"}).content.decode()
    assert "12.0 %" in tile(body, "family_doctor_signed")


def test_the_drill_down_sorts_by_an_indicator(client, bureau, world):
    client.force_login(bureau)
    body = client.get(
        "/coverage/500156000000/", {"sort": "family_doctor_signed", "dir": "desc"}
    ).content.decode()
    # 白马 50 % (2 of 4) before 后坪 0 %
    assert body.index('data-region="500156101000"') < body.index('data-region="500156208000"')
    body = client.get("/coverage/500156000000/", {"sort": "family_doctor_signed"}).content.decode()
    assert body.index('data-region="500156208000"') < body.index('data-region="500156101000"')


def test_a_village_page_shows_its_point_assistant_and_who_needs_a_pairing(
    client, staff_baima, world
):
    client.force_login(staff_baima)
    body = client.get(f"/coverage/{BANQIAO}/").content.decode()
    assert "板桥互助点" in body
    assert "王助理" in body
    assert "孤老甲" in body  # 86, alone, no pairing: needs grid or area coverage


def test_township_staff_see_only_their_township(client, staff_baima, world):
    client.force_login(staff_baima)
    assert client.get("/coverage/").url == f"/coverage/{BAIMA}/"
    assert client.get("/coverage/500156000000/").status_code == 404
    assert client.get(f"/coverage/{HOUPING}/").status_code == 404
    assert client.get(f"/coverage/{HOUPING}/export.xlsx").status_code == 404
    body = client.get(f"/coverage/{BAIMA}/").content.decode()
    assert "2 / 4" in tile(body, "family_doctor_signed")  # 白马's own figure
    assert 'href="/coverage/500156000000/' not in body


def test_roles_without_coverage_are_refused(client, volunteer, operator_houping, world):
    for user in (volunteer, operator_houping):
        client.force_login(user)
        assert client.get("/coverage/").status_code == 403


def test_the_excel_file_has_the_numbers_of_the_page(client, bureau, world):
    client.force_login(bureau)
    response = client.get("/coverage/500156000000/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    overview = book.worksheets[0]
    assert "2026-11-29" in overview["A1"].value
    rows = {row[1]: row for row in overview.iter_rows(min_row=3, values_only=True)}
    doctor = rows["家庭医生签约"]
    assert (doctor[3], doctor[6], doctor[7]) == (40.0, 2.0, 5.0)
    assert rows["互助养老点覆盖村"][3] == 50.0
    below = book.worksheets[1]
    names = [row[1] for row in below.iter_rows(min_row=3, values_only=True)]
    assert names == ["白马镇", "后坪苗族土家族乡"]


def test_gap_lists_and_their_exports(client, bureau, world):
    client.force_login(bureau)
    body = client.get("/coverage/500156000000/gaps/").content.decode()
    assert "文凤" in body  # no point, assistant, team or association
    assert "孤老甲" in body
    book = load_workbook(
        io.BytesIO(client.get("/coverage/500156000000/gaps/?export=villages").content)
    )
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    # 板桥 has a point and an assistant, but no team or association; 文凤 has nothing
    assert [(r[1], r[3], r[4], r[5], r[6]) for r in rows] == [
        ("板桥村", None, None, "×", "×"),
        ("文凤村", "×", "×", "×", "×"),
    ]
    seniors = load_workbook(
        io.BytesIO(client.get("/coverage/500156000000/gaps/?export=seniors").content)
    )
    assert [r[2] for r in seniors.active.iter_rows(min_row=3, values_only=True)] == ["孤老甲"]


def test_trends_and_the_big_screen(client, bureau, world):
    client.force_login(bureau)
    trends = client.get("/coverage/500156000000/trends/").content.decode()
    assert static("vendor/echarts/echarts.min.js") in trends
    assert "2026-10-31" in trends and "2026-11-29" in trends  # the table under each chart
    screen = client.get("/coverage/500156000000/screen/").content.decode()
    assert 'http-equiv="refresh"' in screen
    assert "家庭医生签约" in screen


def test_the_overview_reads_a_bounded_number_of_queries(
    client, bureau, world, django_assert_max_num_queries
):
    client.force_login(bureau)
    for n in range(6):
        f.township(world["district"], f"500156{300 + n}000", f"新{n}乡")
    compute(DAY)
    with django_assert_max_num_queries(20):
        assert client.get("/coverage/500156000000/").status_code == 200


def test_without_snapshots_the_page_says_so(client, bureau, regions):
    client.force_login(bureau)
    body = client.get("/coverage/500156000000/").content.decode()
    assert "No coverage has been computed" in body or "尚未计算" in body
