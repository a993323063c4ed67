"""The coverage Excel file shows its numbers as the page does, with their units, and keeps
them numbers: 97.3 %, 1 : 1.9, ¥685,526, 1,234 (openpyxl reads the cells' number formats)."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from coverage.models import Snapshot
from tests.test_coverage_pages import DAY, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

DISTRICT = "500156000000"
PERCENT, RATIO, YUAN, COUNT = '0.0" %"', '"1 : "0.0', '"¥"#,##0', "#,##0"


def _set(region, code, value):
    Snapshot.objects.filter(region_id=region, date=DAY, indicator__code=code).update(value=value)


def test_every_number_of_the_coverage_excel_has_its_unit(client, bureau, world):  # noqa: F811
    _set(DISTRICT, "family_doctor_signed", Decimal("97.2826"))
    _set(DISTRICT, "care_centre_staffing", Decimal("1.8889"))
    _set(DISTRICT, "township_award", Decimal("685526"))
    client.force_login(bureau)
    book = load_workbook(io.BytesIO(client.get(f"/coverage/{DISTRICT}/export.xlsx").content))
    overview = book.worksheets[0]
    rows = {row[1].value: row for row in overview.iter_rows(min_row=3)}
    doctor = rows["家庭医生签约"]
    # value and target: the number kept, shown with one decimal and the percent sign
    assert doctor[3].value == pytest.approx(97.2826)
    assert (doctor[3].number_format, doctor[4].number_format) == (PERCENT, PERCENT)
    staffing = rows["照护中心服务人员配比(1:3)"]
    assert staffing[3].value == pytest.approx(1.8889)
    assert (staffing[3].number_format, staffing[4].number_format) == (RATIO, RATIO)
    assert rows["村级互助养老点"][3].number_format == COUNT
    award = rows["乡镇养老服务中心及村级互助点奖补(先建后补)"]
    assert award[3].number_format == YUAN
    # the text cells stay text
    assert doctor[0].data_type == doctor[1].data_type == doctor[5].data_type == "s"

    below = book.worksheets[1]
    header = [c.value for c in below[2]]
    column = header.index("家庭医生签约")
    for row in below.iter_rows(min_row=3):
        if isinstance(row[column].value, float):
            assert row[column].number_format == PERCENT
        assert row[2].data_type == "s"  # "1 / 3": met of applicable, as text
