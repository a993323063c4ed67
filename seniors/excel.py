"""The ledger (台账) as an .xlsx workbook: the format township staff hand upward.

The column headers are the ledger's format and stay in Chinese whatever the language; the
values (choice labels, 是/否, the title's wording) follow the active language, which is Chinese
by default. Rows are streamed (openpyxl write-only mode) so a district-wide export of 50,000
people stays cheap, and nothing is queried per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from eldercare import xlsx
from seniors.idnumber import age_on, mask, mask_phone
from seniors.models import ExtremePoverty, Level, LivingSituation, Senior, Sex, Status
from seniors.selectors import Allowance, allowances_for

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SHEET_TITLE = "老年人台账"


class _Context:
    """What every row's values are computed with: the day, the masking rule, and the choice
    labels in the active language, looked up once per export rather than once per cell (the
    same labels as the model's ``get_FOO_display``)."""

    def __init__(self, *, as_of: datetime.date, full: Collection[str]):
        self.as_of = as_of
        self.full_id = "id_number" in full
        self.full_phone = "phone" in full
        self.yes, self.no = _("Yes"), _("No")
        self.labels = {
            name: {value: str(label) for value, label in choices}
            for name, choices in (
                ("sex", Sex.choices),
                ("living_situation", LivingSituation.choices),
                ("extreme_poverty", ExtremePoverty.choices),
                ("status", Status.choices),
                ("level", Level.choices),
                ("allowance", Allowance.choices),
            )
        }

    def yes_no(self, value: bool) -> str:
        return self.yes if value else self.no

    def label(self, name: str, value: str | None) -> str | None:
        return self.labels[name].get(value) if value else None


Value = Callable[[Senior, _Context], Any]


@dataclass(frozen=True)
class LedgerColumn:
    header: str
    width: int
    value: Value


def _flag(field: str) -> Value:
    return lambda s, c: c.yes_no(getattr(s, field))


def _attr(field: str) -> Value:
    return lambda s, c: getattr(s, field) or None


def _choice(field: str) -> Value:
    return lambda s, c: c.label(field, getattr(s, field))


def _last_visit(s: Senior, c: _Context) -> datetime.date | None:
    return timezone.localtime(s.last_visited_at).date() if s.last_visited_at else None


def _allowances(s: Senior, c: _Context) -> str:
    codes = allowances_for(s, on=c.as_of, latest_level=s.latest_level)
    return "、".join(c.labels["allowance"][code] for code in codes)


def _township(s: Senior, c: _Context) -> str:
    township = s.village.parent
    return township.short_name if township else ""


# The ledger's columns, in order. 序号 is added when writing.
LEDGER_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("姓名", 10, lambda s, c: s.name),
    LedgerColumn("身份证号", 21, lambda s, c: s.id_number if c.full_id else mask(s.id_number)),
    LedgerColumn("性别", 6, _choice("sex")),
    LedgerColumn("出生日期", 12, lambda s, c: s.birth_date),
    LedgerColumn("年龄", 6, lambda s, c: age_on(s.birth_date, c.as_of)),
    LedgerColumn("乡镇(街道)", 14, _township),
    LedgerColumn("村(社区)", 12, lambda s, c: s.village.short_name),
    LedgerColumn(
        "村民小组", 10, lambda s, c: s.villager_group.short_name if s.villager_group else None
    ),
    LedgerColumn("联系电话", 14, lambda s, c: s.phone if c.full_phone else mask_phone(s.phone)),
    LedgerColumn("住址", 24, _attr("address")),
    LedgerColumn("居住情况", 12, _choice("living_situation")),
    LedgerColumn("特困供养", 16, _choice("extreme_poverty")),
    LedgerColumn("低保", 6, _flag("subsistence_allowance")),
    LedgerColumn("低收入", 8, _flag("low_income")),
    LedgerColumn("计划生育特殊家庭", 10, _flag("family_planning_special")),
    LedgerColumn("残疾", 6, _flag("disability_certificate")),
    LedgerColumn("失能等级(最近评估)", 12, lambda s, c: c.label("level", s.latest_level)),
    LedgerColumn("最近评估得分", 8, lambda s, c: s.latest_total),
    LedgerColumn("最近评估日期", 12, lambda s, c: s.latest_assessed_on),
    LedgerColumn("高龄", 6, lambda s, c: c.yes_no(s.is_high_age_on(c.as_of))),
    LedgerColumn("意愿集中供养", 8, _flag("wants_centralised_care")),
    LedgerColumn("意愿日间照料", 8, _flag("wants_day_care")),
    LedgerColumn("家庭医生签约日期", 12, _attr("family_doctor_contract_on")),
    LedgerColumn("安全手环编号", 14, _attr("wristband_device")),
    LedgerColumn("安全手环发放日期", 12, _attr("wristband_on")),
    LedgerColumn("家庭养老床位设立日期", 12, _attr("family_care_bed_on")),
    LedgerColumn("适老化改造完成日期", 12, _attr("home_adaptation_on")),
    LedgerColumn("家庭照顾者", 10, _attr("family_caregiver")),
    LedgerColumn("照顾者培训日期", 12, _attr("family_caregiver_trained_on")),
    LedgerColumn("最近走访", 12, _last_visit),
    LedgerColumn("可享补贴", 24, _allowances),
    LedgerColumn("状态", 8, _choice("status")),
    LedgerColumn("状态日期", 12, _attr("status_on")),
    LedgerColumn("登记日期", 12, lambda s, c: s.registered_on),
    LedgerColumn("备注", 30, _attr("notes")),
)
LEDGER_HEADERS: tuple[str, ...] = ("序号", *(c.header for c in LEDGER_COLUMNS))
TITLE_ROWS = 2  # the title and the "as of" line; the headers are on row 3


def register_workbook(
    queryset: QuerySet[Senior],
    *,
    full: Collection[str],
    as_of: datetime.date,
    title: str,
    filters: str = "",
) -> bytes:
    """The ledger of ``queryset`` as .xlsx bytes.

    ``queryset`` comes from ``selectors.senior_list`` (scoped to ``user``, with the latest
    assessment and last visit annotated), filtered as the user chose; ``filters`` describes
    that choice for the second title line. ID and phone numbers are masked unless named in
    ``full`` (the face asks ``audit.personal.full_in_export``, which also decides the log).
    Two queries whatever the number of rows: the count and the rows.
    """
    context = _Context(as_of=as_of, full=full)
    count = queryset.count()
    workbook = xlsx.new_workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    width = len(LEDGER_HEADERS)
    sheet.column_dimensions["A"].width = 6
    for index, column in enumerate(LEDGER_COLUMNS, start=2):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"C{TITLE_ROWS + 2}"  # keep the headers and the names in view
    sheet.print_title_rows = f"{TITLE_ROWS + 1}:{TITLE_ROWS + 1}"
    sheet.page_setup.orientation = "landscape"
    last = get_column_letter(width)
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")

    sheet.append(
        [
            xlsx.cell(
                sheet,
                title,
                font=Font(bold=True, size=16),
                alignment=Alignment(horizontal="center"),
            )
        ]
    )
    # zh: 截至 %(date)s，共 %(count)d 人
    line = ngettext(
        "As of %(date)s: %(count)d person", "As of %(date)s: %(count)d people", count
    ) % {"date": as_of.isoformat(), "count": count}
    if filters:
        # zh: %(line)s（筛选条件：%(filters)s）
        line = _("%(line)s (filtered by %(filters)s)") % {"line": line, "filters": filters}
    sheet.append([line])

    header_style = {
        "font": Font(bold=True),
        "fill": HEADER_FILL,
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
    }
    sheet.append([xlsx.cell(sheet, header, **header_style) for header in LEDGER_HEADERS])

    # Dates get the ISO format by themselves (openpyxl styles a date value as yyyy-mm-dd); text
    # is written as text (``eldercare.xlsx``), whatever a name or a note starts with.
    values = [column.value for column in LEDGER_COLUMNS]
    for number, senior in enumerate(queryset.iterator(chunk_size=2000), start=1):
        sheet.append([number, *(value(senior, context) for value in values)])

    return xlsx.workbook_bytes(workbook)
