"""Coverage as .xlsx: the overview and the child regions' table, and the gap lists. The
numbers are the snapshots' (the same the page shows), headed in Chinese, with the day."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from coverage.selectors import Row, Tile, indicator_name
from eldercare import xlsx

BOLD = Font(bold=True)
HEAD = PatternFill("solid", fgColor="EEF2F6")


# Numbers stay numbers (sortable, summable); the format shows them as the page does, with
# the unit: 97.3 %, 1 : 1.9 (residents per staff member), ¥685,526, 1,234.
FORMATS = {
    "percent": '0.0" %"',
    "ratio": '"1 : "0.0',
    "yuan": '"¥"#,##0',
    "count": "#,##0",
}
COUNT = FORMATS["count"]
PEOPLE = '0.0" 人"'


def _number(value):
    return None if value is None else float(value)


def _formatted(ws, value, number_format: str):
    """A number cell shown with ``number_format``; None and text stay as they are."""
    if value is None or isinstance(value, str):
        return value
    return xlsx.cell(ws, _number(value), number_format=number_format)


def _sheet(wb: xlsx.Workbook, title: str, heading: str, header: list[str], first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    xlsx.append(ws, [heading])
    ws["A1"].font = Font(bold=True, size=13)
    xlsx.append(ws, header)
    for cell in ws[2]:
        cell.font = BOLD
        cell.fill = HEAD
    ws.freeze_panes = "A3"
    for i, text in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(text)) * 2))
    return ws


def _state(tile: Tile) -> str:
    """met, behind, not applicable (why), tracked — as the tile says it."""
    return str(tile.label)


def overview_workbook(*, region, on: datetime.date, groups, columns, rows: list[Row]) -> bytes:
    wb = xlsx.new_workbook()
    heading = _("%(region)s: coverage of the targets as of %(day)s") % {
        "region": region.name,
        "day": on.isoformat(),
    }
    ws = _sheet(
        wb,
        _("Overview"),
        heading,
        [_("Group"), _("Indicator"), _("Plan section"), _("Value"), _("Target"), _("Met"),
         _("Numerator"), _("Denominator"), _("Facilities judged"), _("Facilities meeting it"),
         _("Snapshot day"), _("Deadline"), _("Failing"), _("How counted")],
        first=True,
    )  # fmt: skip
    ws.column_dimensions["B"].width = 44
    for label, tiles in groups:
        for tile in tiles:
            s = tile.snapshot
            shown = FORMATS.get(tile.indicator.unit, COUNT)
            counted = FORMATS["yuan"] if tile.indicator.unit == "yuan" else "#,##0.##"
            xlsx.append(
                ws,
                [
                    label,
                    tile.name,
                    tile.indicator.plan_section,
                    _formatted(ws, s.value, shown) if s else None,
                    _formatted(ws, s.target, shown) if s else None,
                    _state(tile),
                    _formatted(ws, s.numerator, counted) if s else None,
                    _formatted(ws, s.denominator, counted) if s else None,
                    _formatted(ws, s.facilities, COUNT) if s else None,
                    _formatted(ws, s.facilities_meeting, COUNT) if s else None,
                    on,
                    str(tile.deadline) if tile.deadline else "",
                    "；".join(tile.failing),
                    tile.indicator.counting_note,
                ],
            )
    if rows:
        table = _sheet(
            wb,
            _("Regions below"),
            heading,
            [_("Code"), _("Name"), _("Met / applicable")] + [indicator_name(i) for i in columns],
        )
        for row in rows:
            xlsx.append(
                table,
                [row.code, row.name, f"{row.met} / {row.judged}"]
                + [
                    _("n/a")
                    if c.state == "na" and c.snapshot.value is None
                    else _formatted(table, c.snapshot.value, FORMATS.get(c.indicator.unit, COUNT))
                    if c.snapshot
                    else None
                    for c in row.cells
                ],
            )
    return xlsx.workbook_bytes(wb)


def gaps_workbook(which: str, *, region, on, villages, facilities, lacking, today) -> bytes:
    wb = xlsx.new_workbook()
    if which == "villages":
        ws = _sheet(
            wb, _("Villages"),
            _("%(region)s: villages without a point, assistant, team or association, as of %(day)s")
            % {"region": region.name, "day": on.isoformat() if on else ""},
            [_("Township"), _("Village"), _("Code"), _("No mutual-aid point"),
             _("No assistant"), _("No volunteer team"), _("No elders' association")],
            first=True,
        )  # fmt: skip
        for entry in villages:
            village, missing = entry["region"], entry["missing"]
            xlsx.append(ws,
                [village.parent.short_name if village.parent else "", village.short_name,
                 village.code]
                + ["×" if key in missing else "" for key in
                   ("point", "assistant", "team", "association")]
            )  # fmt: skip
    elif which == "facilities":
        ws = _sheet(
            wb, _("Facilities"),
            _("%(region)s: care centres and nursing homes below the ratios, %(day)s")
            % {"region": region.name, "day": today.isoformat()},
            [_("Facility"), _("Kind"), _("Residents"), _("Staff counted"),
             _("Residents per staff member"), _("Beds"), _("Nursing-type beds"),
             _("Below the staffing ratio"), _("Below the nursing-bed share")],
            first=True,
        )  # fmt: skip
        for facility, figures in facilities:
            xlsx.append(ws,
                [facility.name, facility.get_kind_display(),
                 _formatted(ws, figures.residents, COUNT),
                 _formatted(ws, figures.counted_staff, '#,##0.##'),
                 _formatted(ws, figures.residents_per_staff, PEOPLE),
                 _formatted(ws, figures.beds, COUNT), _formatted(ws, figures.nursing_beds, COUNT),
                 "×" if figures.meets_staffing is False else "",
                 "×" if figures.meets_nursing_beds is False else ""]
            )  # fmt: skip
    else:
        ws = _sheet(
            wb, _("Seniors"),
            _("%(region)s: seniors without the pairing the rule asks for, %(day)s")
            % {"region": region.name, "day": today.isoformat()},
            [_("Township"), _("Village"), _("Name"), _("Needs")],
            first=True,
        )  # fmt: skip
        needs = {"one_to_one": _("one-to-one pairing"), "grid_or_area": _("grid or area pairing")}
        for senior in lacking.order_by("village_id", "name").iterator(chunk_size=2000):
            village = senior.village
            xlsx.append(ws,
                [village.parent.short_name if village.parent else "", village.short_name,
                 senior.name, str(needs.get(senior.required_mode, senior.required_mode))]
            )  # fmt: skip
    return xlsx.workbook_bytes(wb)
