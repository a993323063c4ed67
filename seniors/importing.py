"""Seniors from an .xlsx file (批量导入): the template, a preview that checks every row, and
the import itself.

Nothing reaches the ledger until every row of the file is valid and someone confirms. Each row
is checked with ``services.senior_check_new``, the very rules of registering one person (the
ID number's check digit, aged 60 or over, the village inside the uploader's region, not
already in the ledger), plus the file's own rules (dates, 是/否, the same person twice in the
file). Every error names the Excel row and the column header, so staff can find it in the
workbook they uploaded. Confirming registers every row through ``services.senior_register`` in
one transaction: one row failing then (someone registered the same person meanwhile) writes
nothing at all.

The parsed rows and the errors are kept on a ``SeniorImport`` as JSON (dates as ISO strings,
regions as their codes), so the preview and the confirmation need not read the file again.

A workbook is refused before openpyxl parses it when it unpacks to too much, packs too tightly
or holds too many rows (``IMPORT_MAX_UNPACKED_MB``, ``IMPORT_MAX_COMPRESSION_RATIO``,
``IMPORT_MAX_ROWS``). Only a file small in rows, in bytes and unpacked is parsed in the request;
any other is checked by a Celery task (``seniors/tasks.py``), and an import of more than
``IMPORT_ASYNC_ROWS`` rows is written by one, the import keeping its progress. A check or an
import whose task stopped (its worker died) is swept to failed, and may be retried.

The callers have checked that the user may manage seniors (``rules.can_manage_seniors``).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import logging
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import User
from eldercare import xlsx
from regions.models import Level, Region
from regions.scoping import can_see_region_code
from seniors.idnumber import mask, mask_phone, normalise, parse_id_number
from seniors.models import (
    IMPORT_WORKING,
    ExtremePoverty,
    ImportStatus,
    LivingSituation,
    Senior,
    SeniorImport,
)
from seniors.services import senior_check_new, senior_register

logger = logging.getLogger(__name__)

MAX_FILE_SIZE = 5 * 1024 * 1024
# A file whose parts unpack to more than this many times their packed size, for a part over
# 1 MB, is a zip bomb, not a list (a real list's sheet packs about 15 times).
RATIO_CHECKED_FROM = 1024 * 1024
CHUNK = 1024 * 1024
# A row element of the sheet XML, with or without a namespace prefix (<row …>, <x:row …>).
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
HEADER_SEARCH_ROWS = 10  # the header row may sit below a title or two
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx


def max_rows() -> int:
    """The most people one file may hold (``IMPORT_MAX_ROWS``)."""
    return settings.IMPORT_MAX_ROWS


def max_scanned_rows() -> int:
    # Formatted but empty rows below a table are read too; past this many rows, stop reading.
    return 4 * max_rows()


def max_unpacked() -> int:
    """The most a workbook may unpack to, in bytes (``IMPORT_MAX_UNPACKED_MB``)."""
    return settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024


SHEET_TITLE = "老年人名单"
INSTRUCTIONS_TITLE = "填写说明"
VILLAGES_TITLE = "村(社区)列表"


class ImportFileError(Exception):
    """The file cannot be read as a list of seniors at all; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportNotPending(Exception):
    """The import was applied already, or was refused; ``status`` is its status now."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


class ImportRefused(Exception):
    """A row failed while importing; nothing was written. ``errors`` are stored on the import."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors


# --- the columns ---------------------------------------------------------------------------

TEXT, ID_NUMBER, TOWNSHIP, VILLAGE, GROUP, DATE, BOOLEAN, LIVING, POVERTY = (
    "text",
    "id_number",
    "township",
    "village",
    "group",
    "date",
    "boolean",
    "living",
    "poverty",
)

YES = ("是", "√", "✓", "✔", "有", "Y", "YES", "TRUE", "1")
NO = ("否", "×", "✗", "无", "N", "NO", "FALSE", "0")
LIVING_VALUES = {
    "独居": LivingSituation.ALONE,
    "留守": LivingSituation.LEFT_BEHIND,
    "与家人同住": LivingSituation.WITH_FAMILY,
    "与家人居住": LivingSituation.WITH_FAMILY,
    "同住": LivingSituation.WITH_FAMILY,
}
POVERTY_VALUES = {
    "否": ExtremePoverty.NO,
    "无": ExtremePoverty.NO,
    "集中供养": ExtremePoverty.CENTRALISED,
    "集中": ExtremePoverty.CENTRALISED,
    "特困集中供养": ExtremePoverty.CENTRALISED,
    "特困·集中供养": ExtremePoverty.CENTRALISED,
    "分散供养": ExtremePoverty.DISPERSED,
    "分散": ExtremePoverty.DISPERSED,
    "特困分散供养": ExtremePoverty.DISPERSED,
    "特困·分散供养": ExtremePoverty.DISPERSED,
}


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per column
class ImportColumn:
    header: str
    field: str  # a keyword of ``senior_register``; "" for 乡镇(街道), which helps find villages
    kind: str
    help: Promise
    example: str = ""
    required: bool = False
    in_template: bool = True
    width: int = 12
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # offered as a drop-down in the template


def _yes_no_column(header: str, name: str, example: str, width: int) -> ImportColumn:
    # zh: 是或否；空着算否。
    hint = gettext_lazy("是 or 否; blank means 否.")
    return ImportColumn(header, name, BOOLEAN, hint, example, width=width, choices=("是", "否"))


def _date_column(header: str, name: str, example: str = "") -> ImportColumn:
    # zh: 日期，如 2021-05-25、2021/5/25 或 2021.5.25；没有就空着。
    hint = gettext_lazy("A date such as 2021-05-25, 2021/5/25 or 2021.5.25; blank if none.")
    return ImportColumn(header, name, DATE, hint, example)


# The columns of the import, in the template's order (the ledger's, less what is derived).
IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "姓名",
        "name",
        TEXT,
        # zh: 老年人的姓名。
        gettext_lazy("The person's name."),
        "王秀英",
        required=True,
        width=10,
    ),
    ImportColumn(
        "身份证号",
        "id_number",
        ID_NUMBER,
        # zh: 18 位公民身份号码，出生日期和性别由它读出；须年满 60 周岁。请把这一列设为“文本”格式，
        #     否则 Excel 会丢掉最后几位。
        gettext_lazy(
            "The 18-character resident ID number; the birth date and sex are read from it. The "
            "person must be 60 or over. Keep this column formatted as text, or Excel drops the "
            "last digits."
        ),
        "500232194003011230",
        required=True,
        width=21,
        aliases=("身份证号码", "公民身份号码", "身份证"),
    ),
    ImportColumn(
        "乡镇(街道)",
        "",
        TOWNSHIP,
        # zh: 可选，模板中没有这一列：区级用户导入多个乡镇时，用它区分同名的村（社区）。
        gettext_lazy(
            "Optional and not in the template: for an import across several townships, it "
            "tells villages of the same name apart."
        ),
        "白马镇",
        in_template=False,
        aliases=("乡镇", "乡镇街道", "乡(镇)", "镇(乡)"),
    ),
    ImportColumn(
        "村(社区)",
        "village",
        VILLAGE,
        # zh: 村（社区）的名称（如“板桥村”）、全称（如“板桥村村民委员会”）或 12 位统计用区划代码，
        #     须在您的辖区内；见“村(社区)列表”工作表。
        gettext_lazy(
            "The village or community: its name (板桥村), its official name "
            "(板桥村村民委员会) or its 12-digit statistical code; it must lie in your region. "
            "See the sheet 村(社区)列表."
        ),
        "板桥村",
        required=True,
        aliases=("村(居)", "村社区", "村/社区", "村", "社区", "村(社区)名称"),
    ),
    ImportColumn(
        "村民小组",
        "villager_group",
        GROUP,
        # zh: 可选：如“一组”“第一村民小组”，或 15 位代码。
        gettext_lazy("Optional: 一组, 第一村民小组, or the group's 15-digit code."),
        "一组",
        width=10,
        aliases=("组", "小组", "村民组"),
    ),
    ImportColumn(
        "联系电话",
        "phone",
        TEXT,
        # zh: 可选。
        gettext_lazy("Optional."),
        "13800000000",
        width=14,
        aliases=("电话", "手机", "手机号", "手机号码", "联系方式"),
    ),
    ImportColumn(
        "住址",
        "address",
        TEXT,
        gettext_lazy("Optional."),
        "板桥村一组 12 号",
        width=20,
        aliases=("地址", "家庭住址", "居住地址"),
    ),
    ImportColumn(
        "居住情况",
        "living_situation",
        LIVING,
        # zh: 独居、留守或与家人同住；空着算与家人同住。
        gettext_lazy("独居, 留守 or 与家人同住; blank means 与家人同住."),
        "独居",
        choices=("独居", "留守", "与家人同住"),
    ),
    ImportColumn(
        "特困供养",
        "extreme_poverty",
        POVERTY,
        # zh: 集中供养或分散供养；不是特困人员就空着。
        gettext_lazy("集中供养 or 分散供养; blank when the person is not in extreme poverty."),
        choices=("集中供养", "分散供养"),
    ),
    _yes_no_column("低保", "subsistence_allowance", "否", 6),
    _yes_no_column("低收入", "low_income", "否", 8),
    _yes_no_column("计划生育特殊家庭", "family_planning_special", "否", 10),
    _yes_no_column("残疾", "disability_certificate", "否", 6),
    _yes_no_column("意愿集中供养", "wants_centralised_care", "否", 8),
    _yes_no_column("意愿日间照料", "wants_day_care", "是", 8),
    _date_column("家庭医生签约日期", "family_doctor_contract_on", "2021-05-25"),
    ImportColumn(
        "安全手环编号",
        "wristband_device",
        TEXT,
        # zh: 可选：已发放的安全手环的编号。
        gettext_lazy("Optional: the number of the safety wristband handed out."),
        width=14,
        aliases=("手环编号", "智能手环编号"),
    ),
    _date_column("安全手环发放日期", "wristband_on"),
    _date_column("家庭养老床位设立日期", "family_care_bed_on"),
    _date_column("适老化改造完成日期", "home_adaptation_on"),
    ImportColumn(
        "家庭照顾者",
        "family_caregiver",
        TEXT,
        # zh: 可选：主要照顾老人的家人姓名。
        gettext_lazy("Optional: the name of the family member who looks after the person."),
        width=10,
    ),
    _date_column("照顾者培训日期", "family_caregiver_trained_on"),
    ImportColumn(
        "登记日期",
        "registered_on",
        DATE,
        # zh: 登记进台账的日期；空着算导入当天。
        gettext_lazy("The day the person entered the ledger; blank means the day of the import."),
        "2021-06-01",
    ),
    ImportColumn("备注", "notes", TEXT, gettext_lazy("Optional."), width=24),
)
TEMPLATE_COLUMNS = tuple(c for c in IMPORT_COLUMNS if c.in_template)
COLUMN_OF_FIELD = {c.field: c for c in IMPORT_COLUMNS if c.field}
IGNORED_HEADERS = frozenset({"序号"})


def _normalise_header(text: str) -> str:
    text = re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")
    return text.strip("*＊")


_COLUMN_BY_HEADER = {
    _normalise_header(name): column
    for column in IMPORT_COLUMNS
    for name in (column.header, *column.aliases)
}


# --- reading the file ----------------------------------------------------------------------


@dataclass
class _Sheet:
    header_row: int
    header: tuple[Any, ...]
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


@dataclass(frozen=True)
class UploadSize:
    """What an upload weighs, known without parsing it."""

    packed: int  # bytes uploaded
    unpacked: int  # bytes its parts unpack to, all together
    rows: int  # row elements of its longest sheet

    @property
    def small(self) -> bool:
        """Quick enough to parse and check in the request: within ``IMPORT_ASYNC_ROWS`` rows,
        ``IMPORT_ASYNC_KB`` uploaded and ``IMPORT_ASYNC_UNPACKED_MB`` unpacked. A file of few
        rows may still take openpyxl long: wide cells, or a large shared-strings part."""
        return (
            self.rows <= settings.IMPORT_ASYNC_ROWS
            and self.packed <= settings.IMPORT_ASYNC_KB * 1024
            and self.unpacked <= settings.IMPORT_ASYNC_UNPACKED_MB * 1024 * 1024
        )


def read_sheet(upload) -> _Sheet:
    """The header row and the non-blank rows below it, from the first sheet that has a header
    naming 姓名 and 身份证号; ``ImportFileError`` for anything that is not such a workbook."""
    inspect_upload(upload)
    return parse_sheet(upload)


def _damaged() -> ImportFileError:
    return ImportFileError(
        # zh: 无法读取这个工作簿，文件可能已损坏。请用 Excel 或 WPS 打开，
        #     重新另存为 .xlsx 后再上传。
        _(
            "This workbook cannot be read; it may be damaged. Open it in Excel or WPS, save it "
            "again as .xlsx and upload that."
        )
    )


def inspect_upload(upload) -> UploadSize:
    """What can be known of an upload without parsing it: ``ImportFileError`` when it is too
    big, not an .xlsx, or unpacks to too much (``_check_archive``); else its sizes."""
    if upload.size > MAX_FILE_SIZE:
        raise ImportFileError(
            # zh: 文件大小为 %(size)s，上限为 5 MB。请拆分成几个较小的文件。
            _("The file is %(size)s; the limit is 5 MB. Split it into smaller files.")
            % {"size": _size(upload.size)}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(OLE2_MAGIC):
        raise ImportFileError(
            # zh: 这是旧版 .xls 工作簿（或设置了密码的工作簿）。请用 Excel 或 WPS 打开，
            #     另存为“Excel 工作簿 (.xlsx)”后再上传。
            _(
                "This is an old .xls workbook (or a password-protected one). Open it in Excel or "
                "WPS, save it as an Excel workbook (.xlsx) and upload that."
            )
        )
    not_xlsx = ImportFileError(
        # zh: 这不是 Excel 工作簿（.xlsx）。请用 Excel 或 WPS 另存为“Excel 工作簿 (.xlsx)”后再上传，
        #     或下载模板填写。
        _(
            "This is not an Excel workbook (.xlsx). Save it from Excel or WPS as an Excel "
            "workbook (.xlsx) and upload that, or fill in the template."
        )
    )
    damaged = _damaged()
    try:
        with zipfile.ZipFile(upload) as archive:
            if "xl/workbook.xml" not in set(archive.namelist()):
                raise not_xlsx
            rows, unpacked = _check_archive(archive)
            return UploadSize(packed=upload.size, unpacked=unpacked, rows=rows)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise not_xlsx from None
    except (RuntimeError, NotImplementedError):  # encrypted parts, unknown compression
        raise damaged from None


def parse_sheet(upload) -> _Sheet:
    """The list read by openpyxl (read-only), from an upload ``inspect_upload`` let through."""
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # a user's file: whatever openpyxl trips on, the answer is the same
        logger.info("unreadable workbook uploaded", exc_info=True)
        raise _damaged() from None
    try:
        return _read_rows(workbook)
    except ImportFileError:
        raise
    except Exception:
        logger.info("unreadable workbook uploaded", exc_info=True)
        raise _damaged() from None
    finally:
        workbook.close()


def _unpacks_too_big() -> ImportFileError:
    return ImportFileError(
        # zh: 这个工作簿解压后超过 %(limit)d MB，不像是一份名单。请只保留名单工作表，
        #     删除图片和多余的工作表后再上传。
        _(
            "This workbook unpacks to more than %(limit)d MB, which is not a list of people. "
            "Keep only the sheet with the list, without pictures or other sheets, and upload "
            "it again."
        )
        % {"limit": settings.IMPORT_MAX_UNPACKED_MB}
    )


def _check_archive(archive: zipfile.ZipFile) -> tuple[int, int]:
    """Refuse a workbook before openpyxl parses it: one that unpacks to too much, packs
    suspiciously tightly, or has a sheet of too many rows. The sizes a zip file declares may
    lie, so the parts are unpacked here, chunk by chunk, counting what really comes out and
    the row elements of each sheet, and stopping at the first limit passed (a 250 KB file that
    would unpack to 90 MB is refused after reading 20 MB, in a fraction of a second). Returns
    the number of row elements of the longest sheet and the bytes unpacked."""
    limit = max_unpacked()
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > limit:
        raise _unpacks_too_big()
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    for info in infos:
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > ratio * max(
            info.compress_size, 1
        ):
            raise ImportFileError(
                # zh: 这个工作簿中的“%(part)s”解压后是压缩时的 %(ratio)d 倍，不像是一份名单。
                #     请用 Excel 或 WPS 打开，只保留名单，另存为 .xlsx 后再上传。
                _(
                    "The part “%(part)s” of this workbook unpacks to %(ratio)d times its packed "
                    "size, which is not a list of people. Open it in Excel or WPS, keep only the "
                    "list, save it as .xlsx and upload that."
                )
                % {"part": info.filename, "ratio": info.file_size // max(info.compress_size, 1)}
            )
    total = longest = 0
    for info in infos:
        sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        rows, tail = 0, b""
        with archive.open(info) as part:
            while chunk := part.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise _unpacks_too_big()
                if sheet:
                    data = tail + chunk
                    # a tag across two chunks is counted once: when it ends in the new one
                    rows += sum(1 for m in ROW_TAG.finditer(data) if m.end() > len(tail))
                    tail = data[-64:]
                    if rows > max_scanned_rows():
                        raise _too_many_rows()
        longest = max(longest, rows)
    return longest, total


def _read_rows(workbook) -> _Sheet:
    sheet = None
    for worksheet in workbook.worksheets:
        if hasattr(worksheet, "reset_dimensions"):
            # Some programs write a wrong <dimension>; read what is there instead.
            worksheet.reset_dimensions()
        for number, values in enumerate(
            worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
        ):
            names = {
                _COLUMN_BY_HEADER.get(_normalise_header(str(v))) for v in values if not _is_blank(v)
            }
            headers = {c.header for c in names if c is not None}
            if {"姓名", "身份证号"} <= headers:
                last = max(i for i, v in enumerate(values) if not _is_blank(v))
                sheet = _Sheet(header_row=number, header=tuple(values[: last + 1]))
                break
        if sheet is not None:
            break
    if sheet is None:
        raise ImportFileError(
            # zh: 没有找到标题行：名单的前 10 行中应有一行写着“姓名”“身份证号”“村(社区)”等列名。
            #     请下载模板对照填写。
            _(
                "No header row found: one of the first 10 rows of the list must name the columns "
                "(姓名, 身份证号, 村(社区) …). Download the template and compare."
            )
        )
    width = len(sheet.header)
    count = 0
    for number, values in enumerate(
        worksheet.iter_rows(min_row=sheet.header_row + 1, max_col=width, values_only=True),
        start=sheet.header_row + 1,
    ):
        if number - sheet.header_row > max_scanned_rows():
            raise _too_many_rows()
        if all(_is_blank(v) for v in values):
            continue
        count += 1
        if count > max_rows():
            raise _too_many_rows()
        sheet.rows.append((number, tuple(values) + (None,) * (width - len(values))))
    if not sheet.rows:
        raise ImportFileError(
            # zh: 标题行下面没有任何人员信息。
            _("There is nobody below the header row.")
        )
    return sheet


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        # zh: 一个文件最多 %(max)d 行（空行下面如有带格式的空白行也会计入）。请拆分成几个文件，
        #     或删除名单下方的空白行。
        _(
            "A file may hold at most %(max)d rows (formatted empty rows below the list count "
            "too). Split it into several files, or delete the empty rows below the list."
        )
        % {"max": max_rows()}
    )


# --- reading one cell ----------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def cell_text(value: Any) -> str:
    """A cell as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    return str(value).strip()


DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date(value: Any) -> datetime.date | None:
    if _is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    match = DATE_TEXT.match(text) or DATE_DIGITS.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    # zh: “%(value)s”不是日期。请写成 2021-05-25 这样的格式。
    raise _CellError(_("“%(value)s” is not a date; write it as 2021-05-25.") % {"value": text})


def _boolean(value: Any) -> bool:
    if _is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    text = cell_text(value).upper()
    if text in YES:
        return True
    if text in NO:
        return False
    # zh: 请填写“是”或“否”（空着算否），不能填“%(value)s”。
    raise _CellError(
        _("Write 是 or 否 (blank means 否), not “%(value)s”.") % {"value": cell_text(value)}
    )


def _choice(value: Any, allowed: dict[str, str], shown: tuple[str, ...]) -> str:
    text = re.sub(r"\s+", "", cell_text(value))
    if text in allowed:
        return allowed[text]
    # zh: “%(value)s”不是可填的值；请填写%(choices)s之一。
    raise _CellError(
        _("“%(value)s” is not one of the values allowed here: %(choices)s.")
        % {"value": cell_text(value), "choices": "、".join(shown)}
    )


def _id_number(value: Any) -> str:
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        text = str(int(value))
        try:
            if isinstance(value, float):
                raise ValidationError("inexact")
            parse_id_number(text)
        except ValidationError:
            # zh: 这个身份证号被 Excel 存成了数字，后几位已经丢失。
            #     请把这一列设为“文本”格式后重新输入。
            raise _CellError(
                _(
                    "Excel stored this ID number as a number and lost its last digits. Format "
                    "the column as text and type the number again."
                )
            ) from None
        return text
    return normalise(cell_text(value))


_NUMERALS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_NUMERALS.update({"六": 6, "七": 7, "八": 8, "九": 9})
GROUP_TEXT = re.compile(
    r"^第?([0-9]+|[〇零一二两三四五六七八九十]+)(?:村民小组|村民组|小组|组|社|队)?$"
)


def _chinese_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _sep, units = text.partition("十")
        if len(tens) > 1 or len(units) > 1:
            return None
        value = (_NUMERALS.get(tens, -100) if tens else 1) * 10
        value += _NUMERALS.get(units, -100) if units else 0
        return value if value > 0 else None
    if len(text) == 1:
        return _NUMERALS.get(text)
    return None


def group_number(text: str) -> int | None:
    """一组, 1组, 第一村民小组, 第12组, 十二社 → the group's number; None for anything else."""
    match = GROUP_TEXT.match(text)
    return _chinese_number(match.group(1)) if match else None


# --- finding villages and groups -----------------------------------------------------------


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


class _Regions:
    """The villages and villager groups, loaded once per file (a few thousand rows at most)."""

    def __init__(self, by: User):
        self.by = by
        regions = Region.objects.filter(level__in=(Level.TOWNSHIP, Level.VILLAGE, Level.GROUP))
        self.by_code: dict[str, Region] = {}
        self.villages: dict[str, list[Region]] = defaultdict(list)
        self.townships: dict[str, list[Region]] = defaultdict(list)
        self.groups: dict[str, list[Region]] = defaultdict(list)
        for region in regions.order_by("code"):
            self.by_code[region.code] = region
        for region in self.by_code.values():
            if region.level == Level.GROUP:
                self.groups[region.parent_id].append(region)
            elif region.level == Level.TOWNSHIP:
                for key in {region.code, region.name, region.short_name}:
                    self.townships[_compact(key)].append(region)
        for region in self.by_code.values():
            if region.level != Level.VILLAGE:
                continue
            township = self.by_code.get(region.parent_id)
            keys = {region.code, region.name, region.short_name}
            bare = re.sub(r"(村|社区)$", "", region.short_name)
            if bare:
                keys.add(bare)
            if township is not None:
                keys |= {township.short_name + region.short_name, township.name + region.name}
            for key in keys:
                self.villages[_compact(key)].append(region)

    def township(self, text: str) -> list[Region]:
        found = self.townships.get(_compact(text))
        if not found:
            # zh: 没有名为“%(value)s”的乡镇（街道）。
            raise _CellError(_("There is no township called “%(value)s”.") % {"value": text})
        return found

    def village(self, text: str, townships: list[Region] | None) -> Region:
        candidates = self.villages.get(_compact(text), [])
        if townships:
            codes = {t.code for t in townships}
            candidates = [v for v in candidates if v.parent_id in codes]
        if not candidates:
            # zh: 没有名为“%(value)s”的村（社区）。请写“村(社区)列表”工作表中的名称，或 12 位代码。
            raise _CellError(
                _(
                    "There is no village or community called “%(value)s”. Write a name from "
                    "the sheet 村(社区)列表, or the 12-digit code."
                )
                % {"value": text}
            )
        mine = [v for v in candidates if can_see_region_code(self.by, v.code)]
        if len(mine) > 1:
            # zh: “%(value)s”有重名：%(choices)s。请写上乡镇（如“%(example)s”），或写 12 位代码。
            raise _CellError(
                _(
                    "“%(value)s” could be any of %(choices)s. Write the township too (as in "
                    "%(example)s) or the 12-digit code."
                )
                % {
                    "value": text,
                    "choices": "、".join(f"{self._township_name(v)}{v.short_name}" for v in mine),
                    "example": f"{self._township_name(mine[0])}{mine[0].short_name}",
                }
            )
        # One outside the user's region is passed on: the register's own rule refuses it.
        return mine[0] if mine else candidates[0]

    def group(self, text: str, village: Region | None) -> Region | None:
        key = _compact(text)
        if re.fullmatch(r"[0-9]{15}", key):
            group = self.by_code.get(key)
            if group is None or group.level != Level.GROUP:
                # zh: 没有代码为 %(value)s 的村民小组。
                raise _CellError(_("There is no villager group %(value)s.") % {"value": key})
            return group  # the register checks that it belongs to the village
        if village is None:
            return None  # the village's own error says what to fix first
        number = group_number(key)
        for group in self.groups.get(village.code, []):
            names = {_compact(group.name), _compact(group.short_name)}
            own = _compact(group.name).removeprefix(_compact(village.short_name))
            if key in names or key == own:
                return group
            if number is not None and number in (group_number(group.short_name), group_number(own)):
                return group
        # zh: %(village)s没有“%(value)s”这个村民小组。
        raise _CellError(
            _("%(village)s has no villager group “%(value)s”.")
            % {"village": village.short_name, "value": text}
        )

    def _township_name(self, village: Region) -> str:
        township = self.by_code.get(village.parent_id)
        return township.short_name if township else ""


# --- checking the rows ---------------------------------------------------------------------


def _error(row: int, column: str, message: str) -> dict:
    return {"row": row, "column": column, "message": str(message)}


def format_error(error: dict) -> str:
    """An error as one line: 第 5 行，“身份证号”列：……"""
    if error.get("row") and error.get("column"):
        # zh: 第 %(row)d 行，“%(column)s”列：%(message)s
        return _("Row %(row)d, column “%(column)s”: %(message)s") % error
    if error.get("row"):
        # zh: 第 %(row)d 行：%(message)s
        return _("Row %(row)d: %(message)s") % error
    return error["message"]


def _service_errors(row: int, exc: ValidationError, skip: set[str]) -> list[dict]:
    errors = []
    for name, messages in exc.message_dict.items():
        column = COLUMN_OF_FIELD.get(name)
        header = column.header if column else ""
        if header in skip:
            continue
        errors.extend(_error(row, header, message) for message in messages)
    return errors


def _max_length(name: str) -> int | None:
    return Senior._meta.get_field(name).max_length


def _check_row(
    *, by: User, number: int, cells: dict[ImportColumn, Any], regions: _Regions
) -> tuple[dict[str, Any], list[dict]]:
    """The keyword arguments of ``senior_register`` for one row, and the row's errors."""
    fields: dict[str, Any] = {}
    errors: list[dict] = []
    bad: set[str] = set()

    def fail(column: ImportColumn, message: str) -> None:
        errors.append(_error(number, column.header, message))
        bad.add(column.header)

    townships = None
    township_column = next((c for c in cells if c.kind == TOWNSHIP), None)
    if township_column is not None and not _is_blank(cells[township_column]):
        try:
            townships = regions.township(cell_text(cells[township_column]))
        except _CellError as exc:
            fail(township_column, exc.message)
    id_number = ""
    for column, value in cells.items():
        try:
            if column.kind == ID_NUMBER:
                id_number = _id_number(value)
            elif column.kind == TEXT:
                text = cell_text(value)
                limit = _max_length(column.field)
                if limit is not None and len(text) > limit:
                    # zh: 最多 %(max)d 个字，这里有 %(n)d 个。
                    raise _CellError(
                        _("At most %(max)d characters; this has %(n)d.")
                        % {"max": limit, "n": len(text)}
                    )
                fields[column.field] = text
            elif column.kind == VILLAGE:
                fields["village"] = (
                    None if _is_blank(value) else regions.village(cell_text(value), townships)
                )
            elif column.kind == DATE:
                day = _date(value)
                if day is not None or column.field != "registered_on":
                    fields[column.field] = day
            elif column.kind == BOOLEAN:
                fields[column.field] = _boolean(value)
            elif column.kind == LIVING:
                fields[column.field] = (
                    LivingSituation.WITH_FAMILY.value
                    if _is_blank(value)
                    else _choice(value, LIVING_VALUES, column.choices)
                )
            elif column.kind == POVERTY:
                fields[column.field] = (
                    ExtremePoverty.NO.value
                    if _is_blank(value)
                    else _choice(value, POVERTY_VALUES, column.choices)
                )
        except _CellError as exc:
            fail(column, exc.message)
    group_column = next((c for c in cells if c.kind == GROUP), None)
    if group_column is not None:
        value = cells[group_column]
        try:
            fields["villager_group"] = (
                None if _is_blank(value) else regions.group(cell_text(value), fields.get("village"))
            )
        except _CellError as exc:
            fail(group_column, exc.message)

    id_column = COLUMN_OF_FIELD["id_number"]
    if not id_number and id_column.header not in bad:
        fail(id_column, _("This field is required."))
    if id_column.header not in bad:
        checked = {k: v for k, v in fields.items() if COLUMN_OF_FIELD[k].header not in bad}
        try:
            senior_check_new(by=by, id_number=id_number, **checked)
        except ValidationError as exc:
            errors.extend(_service_errors(number, exc, skip=bad))
    fields["id_number"] = id_number
    return fields, errors


def _to_json(fields: dict[str, Any]) -> dict[str, Any]:
    data = {}
    for name, value in fields.items():
        if isinstance(value, Region):
            value = value.code
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    return data


def _from_json(data: dict[str, Any], regions: dict[str, Region]) -> dict[str, Any]:
    fields = {}
    for name, value in data.items():
        kind = COLUMN_OF_FIELD[name].kind
        if kind in (VILLAGE, GROUP) and value is not None:
            value = regions.get(value)
        elif kind == DATE and value is not None:
            value = datetime.date.fromisoformat(value)
        fields[name] = value
    return fields


@dataclass
class _Header:
    columns: list[tuple[int, ImportColumn]]
    headerless: list[int]
    errors: list[dict]


def check_header(sheet: _Sheet) -> _Header:
    """The columns of ``sheet``'s header row and its errors; ``ImportFileError`` when a
    required column is missing (a file that cannot be checked row by row at all)."""
    errors: list[dict] = []
    columns: list[tuple[int, ImportColumn]] = []
    seen: dict[str, str] = {}
    headerless: list[int] = []
    for index, raw in enumerate(sheet.header):
        letter = get_column_letter(index + 1)
        if _is_blank(raw):
            headerless.append(index)
            continue
        text = cell_text(raw)
        if _normalise_header(text) in IGNORED_HEADERS:
            continue
        column = _COLUMN_BY_HEADER.get(_normalise_header(text))
        if column is None:
            errors.append(
                _error(
                    sheet.header_row,
                    text,
                    # zh: 导入不认识这一列（第 %(letter)s 列）。请改成模板中的列名，或删除这一列。
                    _(
                        "The import does not know this column (column %(letter)s). Rename it as "
                        "in the template, or delete it."
                    )
                    % {"letter": letter},
                )
            )
        elif column.header in seen:
            errors.append(
                _error(
                    sheet.header_row,
                    column.header,
                    # zh: 这一列出现了两次（第 %(first)s 列和第 %(letter)s 列）。请删除其中一列。
                    _("This column appears twice (columns %(first)s and %(letter)s); delete one.")
                    % {"first": seen[column.header], "letter": letter},
                )
            )
        else:
            seen[column.header] = letter
            columns.append((index, column))
    missing = [c.header for c in IMPORT_COLUMNS if c.required and c.header not in seen]
    if missing:
        raise ImportFileError(
            # zh: 缺少“%(columns)s”列。请下载模板对照填写。
            _("The column “%(columns)s” is missing. Download the template and compare.")
            % {"columns": "”“".join(missing)}
        )
    return _Header(columns=columns, headerless=headerless, errors=errors)


def check_sheet(
    *, by: User, sheet: _Sheet, progress: Callable[[int, int], None] | None = None
) -> tuple[list[dict], list[dict]]:
    """Every row of ``sheet`` checked: ``(rows, errors)`` ready for the JSON fields.
    ``progress(done, total)`` is called as the rows are checked."""
    header = check_header(sheet)
    columns, headerless, errors = header.columns, header.headerless, header.errors
    regions = _Regions(by)
    rows: list[dict] = []
    reported_headerless: set[int] = set()
    numbers: dict[str, list[int]] = defaultdict(list)
    total = len(sheet.rows)
    for done, (number, values) in enumerate(sheet.rows, start=1):
        for index in headerless:
            if index not in reported_headerless and not _is_blank(values[index]):
                reported_headerless.add(index)
                letter = get_column_letter(index + 1)
                errors.append(
                    _error(
                        number,
                        letter,
                        # zh: 第 %(letter)s 列没有列名，但有内容。请补上列名，或删除这一列。
                        _(
                            "Column %(letter)s has no header but holds data. Give it a header "
                            "or delete it."
                        )
                        % {"letter": letter},
                    )
                )
        cells = {column: values[index] for index, column in columns}
        fields, row_errors = _check_row(by=by, number=number, cells=cells, regions=regions)
        errors.extend(row_errors)
        rows.append(
            {
                "row": number,
                "cells": {c.header: cell_text(v) for c, v in cells.items() if not _is_blank(v)},
                "fields": _to_json(fields),
            }
        )
        with contextlib.suppress(ValidationError):
            numbers[parse_id_number(fields["id_number"]).number].append(number)
        if progress is not None:
            progress(done, total)
    id_header = COLUMN_OF_FIELD["id_number"].header
    for same in numbers.values():
        for number in same if len(same) > 1 else ():
            others = "、".join(str(n) for n in same if n != number)
            errors.append(
                _error(
                    number,
                    id_header,
                    # zh: 文件中第 %(rows)s 行也是这个身份证号：同一个人只能登记一次。
                    _("Row %(rows)s of the file has the same ID number: one person, one record.")
                    % {"rows": others},
                )
            )
    order = {c.header: i for i, c in enumerate(IMPORT_COLUMNS)}
    errors.sort(key=lambda e: (e["row"], order.get(e["column"], len(order))))
    return rows, errors


# --- the import's life ---------------------------------------------------------------------


def _uploader_region(by: User) -> Region:
    if by.region_id is not None:
        return by.region
    # an administrator without a region: the district
    region = Region.objects.filter(level=Level.DISTRICT).visible_to(by).order_by("code").first()
    if region is None:
        # zh: 您的账号没有所属区域，不能导入。
        raise ImportFileError(_("Your account has no region, so it cannot import."))
    return region


def _file_name(upload) -> str:
    return (getattr(upload, "name", "") or "upload.xlsx")[-200:]


def senior_import_create(*, by: User, upload) -> SeniorImport:
    """Read and check an uploaded file; keep the result as a ``SeniorImport`` to preview.

    Raises ``ImportFileError`` when the file is not a readable list at all (nothing is kept).
    A file with errors is kept as refused, with every error, so the preview can show them all.
    Only a small file (``UploadSize.small``) is parsed here: any other is kept as being
    checked, with the file, and a Celery task reads and checks it (``senior_import_check``)
    while the page shows how far it has come; reading a long or heavy file takes seconds.
    """
    region = _uploader_region(by)
    if not inspect_upload(upload).small:
        upload.seek(0)
        senior_import = SeniorImport.objects.create(
            id=uuid.uuid4(),
            created_by=by,
            region=region,
            file_name=_file_name(upload),
            content=upload.read(),
            status=ImportStatus.CHECKING,
        )
        from seniors.tasks import check_import

        pk = str(senior_import.pk)
        transaction.on_commit(lambda: check_import.delay(pk))
        return senior_import
    sheet = parse_sheet(upload)
    rows, errors = check_sheet(by=by, sheet=sheet)
    return SeniorImport.objects.create(
        id=uuid.uuid4(),
        created_by=by,
        region=region,
        file_name=_file_name(upload),
        rows=without_numbers(rows) if errors else rows,
        errors=errors,
        status=ImportStatus.REFUSED if errors else ImportStatus.PREVIEWED,
        progress=100,
    )


class _Progress:
    """The percentage done, written on the import as it grows (once per percent), with the
    time it moved (``heartbeat_at``, read by ``senior_imports_sweep``).

    Rows written inside the import's transaction cannot carry their progress through it:
    another connection is used then, which PostgreSQL lets write the import's row meanwhile.
    SQLite takes one writer at a time, so there (the demo, where tasks run in the request
    anyway) the progress shows when the transaction ends.
    """

    def __init__(self, pk, *, beside_transaction: bool = False):
        self.pk = pk
        self.last = -1
        self.connection = None
        if beside_transaction and connection.vendor != "sqlite":
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))  # 100 is said with the result
        if percent <= self.last:
            return
        self.last = percent
        now = timezone.now()
        if self.connection is None:
            SeniorImport.objects.filter(pk=self.pk).update(progress=percent, heartbeat_at=now)
            return
        table = connection.ops.quote_name(SeniorImport._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress = %s, heartbeat_at = %s WHERE id = %s",
                [percent, now, self.pk],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _failed(message: str) -> list[dict]:
    return [_error(0, "", message)]


def _started(import_id, status: str) -> bool:
    """A task begins its work on an import: the import's heartbeat moves, if it is still waiting
    for that work (``False``: done already, or swept as stopped)."""
    waiting = SeniorImport.objects.filter(pk=import_id, status=status)
    return bool(waiting.update(heartbeat_at=timezone.now()))


def senior_import_check(*, import_id) -> SeniorImport | None:
    """Check the rows of an import kept as being checked (the Celery task's work): it becomes
    previewed, or refused with every error; ``None`` when it is not waiting to be checked."""
    if not _started(import_id, ImportStatus.CHECKING):
        return None
    senior_import = SeniorImport.objects.select_related("created_by").get(pk=import_id)
    progress = _Progress(senior_import.pk)
    try:
        sheet = parse_sheet(io.BytesIO(bytes(senior_import.content)))
        rows, errors = check_sheet(by=senior_import.created_by, sheet=sheet, progress=progress)
    except ImportFileError as exc:  # no header row, a required column missing …
        rows, errors = [], _failed(exc.message)
    SeniorImport.objects.filter(pk=senior_import.pk, status=ImportStatus.CHECKING).update(
        rows=without_numbers(rows) if errors else rows,
        errors=errors,
        content=None,
        status=ImportStatus.REFUSED if errors else ImportStatus.PREVIEWED,
        progress=100,
    )
    senior_import.refresh_from_db()
    return senior_import


def _stopped_message(status: str) -> str:
    if status == ImportStatus.CHECKING:
        # zh: 系统在检查这个文件时中断了，没有导入任何人。请点“重新检查”再试一次。
        return _(
            "The system stopped while checking this file; nobody was imported. Press “Check "
            "again” to try once more."
        )
    # zh: 系统在导入这个文件时中断了，没有导入任何人。请点“重新导入”再试一次。
    return _(
        "The system stopped while importing this file; nobody was imported. Press “Import "
        "again” to try once more."
    )


def _stop(imports) -> int:
    """Mark the working imports of ``imports`` stopped: refused with a message, so the page
    stops waiting, and the step they stopped in kept for a retry (the file too, for a check).
    Nothing was imported: the rows are written in one transaction, with the import's status.
    One conditional update per status, so an import that finished meanwhile is left alone."""
    stopped = 0
    for status in IMPORT_WORKING:
        stopped += imports.filter(status=status).update(
            status=ImportStatus.REFUSED,
            stopped_in=status,
            progress=100,
            errors=_failed(_stopped_message(status)),
        )
    return stopped


def senior_import_stopped(*, import_id) -> None:
    """An import whose task failed for good: stopped (``_stop``)."""
    _stop(SeniorImport.objects.filter(pk=import_id))


def senior_imports_sweep() -> int:
    """Stop the checks and imports that have not moved for ``IMPORT_STALE_MINUTES``: their
    worker died (a Celery worker killed, the machine restarted) and the message would wait for
    the broker's visibility timeout. Returns how many were stopped (beat runs it every few
    minutes: ``seniors.sweep_stopped_imports``)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    stopped = _stop(SeniorImport.objects.filter(heartbeat_at__lt=cutoff))
    if stopped:
        logger.warning("%d import(s) stopped: no progress since %s", stopped, cutoff)
    return stopped


@transaction.atomic
def senior_import_retry(*, by: User, senior_import: SeniorImport) -> None:
    """Queue again the step an import stopped in: its check, with the file kept, or its import,
    with the rows checked (as ``by``, who retries, like a confirmation). Claimed in one
    conditional update (refused → checking or importing), so it is queued once however many
    press at once; ``ImportNotPending`` when the import did not stop (or was retried already)."""
    from seniors.tasks import apply_import, check_import

    pk = senior_import.pk
    stopped = SeniorImport.objects.filter(pk=pk, status=ImportStatus.REFUSED)
    again = {"stopped_in": "", "errors": [], "progress": 0, "heartbeat_at": timezone.now()}
    if stopped.filter(stopped_in=ImportStatus.CHECKING, content__isnull=False).update(
        status=ImportStatus.CHECKING, **again
    ):
        transaction.on_commit(lambda: check_import.delay(str(pk)))
        return
    if stopped.filter(stopped_in=ImportStatus.IMPORTING).update(
        status=ImportStatus.IMPORTING, **again
    ):
        user_id = by.pk
        transaction.on_commit(lambda: apply_import.delay(str(pk), user_id))
        return
    status = SeniorImport.objects.filter(pk=pk).values_list("status", flat=True)
    raise ImportNotPending(status.first() or ImportStatus.REFUSED)


class _RowFailed(Exception):
    def __init__(self, row: int, exc: ValidationError):
        super().__init__(row)
        self.row = row
        self.exc = exc


class _NotClaimed(Exception):
    pass


def _regions_of(senior_import: SeniorImport) -> dict[str, Region]:
    codes = {
        value
        for row in senior_import.rows
        for name in ("village", "villager_group")
        if (value := row["fields"].get(name))
    }
    return {r.code: r for r in Region.objects.filter(code__in=codes)}


def _register_rows(*, by: User, senior_import: SeniorImport, progress=None) -> int:
    regions = _regions_of(senior_import)
    total = len(senior_import.rows)
    for done, row in enumerate(senior_import.rows, start=1):
        try:
            senior_register(by=by, **_from_json(row["fields"], regions))
        except ValidationError as exc:
            raise _RowFailed(row["row"], exc) from None
        if progress is not None:
            progress(done, total)
    return total


# the personal numbers of a row, and how they are kept once the file is done with
_NUMBER_MASKS = {"id_number": mask, "phone": mask_phone}


def without_numbers(rows: list[dict]) -> list[dict]:
    """The rows of a file that is done with (imported, or refused for its errors) as they are
    kept: the ID and phone numbers masked, in the cells as read and in the checked fields. The
    people imported hold their numbers in the ledger; a refused file is uploaded again. (A
    check or an import that stopped keeps its rows until it is retried.)"""
    kept = []
    for row in rows:
        cells, fields = dict(row.get("cells", {})), dict(row.get("fields", {}))
        for name, hide in _NUMBER_MASKS.items():
            header = COLUMN_OF_FIELD[name].header
            if cells.get(header):
                cells[header] = hide(str(cells[header]))
            if fields.get(name):
                fields[name] = hide(str(fields[name]))
        kept.append({**row, "cells": cells, "fields": fields})
    return kept


def _refuse(pk, failed: _RowFailed, status: str, rows: list[dict]) -> ImportRefused:
    errors = _service_errors(failed.row, failed.exc, skip=set())
    SeniorImport.objects.filter(pk=pk, status=status).update(
        status=ImportStatus.REFUSED, errors=errors, progress=100, rows=without_numbers(rows)
    )
    return ImportRefused(errors)


def senior_import_apply(*, by: User, senior_import: SeniorImport) -> int:
    """Register every row of a checked import; returns how many people were registered.

    Applied once: the status moves from previewed to applied in a conditional update, so a
    second confirmation (a double click, two colleagues) raises ``ImportNotPending`` and
    registers nobody. The rows are checked again as they are written, with ``by``'s region; if
    one fails, nothing is written, the import is marked refused with that row's error, and
    ``ImportRefused`` is raised.
    """
    pk = senior_import.pk
    try:
        with transaction.atomic():
            claimed = SeniorImport.objects.filter(pk=pk, status=ImportStatus.PREVIEWED).update(
                status=ImportStatus.APPLIED, applied_at=timezone.now(), progress=100
            )
            if not claimed:
                status = SeniorImport.objects.filter(pk=pk).values_list("status", flat=True)
                raise ImportNotPending(status.first() or ImportStatus.REFUSED)
            count = _register_rows(by=by, senior_import=senior_import)
            SeniorImport.objects.filter(pk=pk).update(
                created_count=count, rows=without_numbers(senior_import.rows)
            )
    except _RowFailed as failed:
        raise _refuse(pk, failed, ImportStatus.PREVIEWED, senior_import.rows) from None
    return count


def senior_import_confirm(*, by: User, senior_import: SeniorImport) -> int | None:
    """Confirm a checked import: a file of up to ``IMPORT_ASYNC_ROWS`` rows is registered at
    once (``senior_import_apply``, returning the count); a longer one is claimed here, in the
    same conditional update (previewed → importing: once, however many confirm at once), and
    registered by a Celery task (``senior_import_run``); ``None`` then."""
    if len(senior_import.rows) <= settings.IMPORT_ASYNC_ROWS:
        return senior_import_apply(by=by, senior_import=senior_import)
    pk = senior_import.pk
    claimed = SeniorImport.objects.filter(pk=pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.IMPORTING, progress=0, heartbeat_at=timezone.now()
    )
    if not claimed:
        status = SeniorImport.objects.filter(pk=pk).values_list("status", flat=True)
        raise ImportNotPending(status.first() or ImportStatus.REFUSED)
    from seniors.tasks import apply_import

    user_id = by.pk
    transaction.on_commit(lambda: apply_import.delay(str(pk), user_id))
    return None


def senior_import_run(*, import_id, by_id: int) -> SeniorImport | None:
    """Register the rows of a claimed import (the Celery task's work), all in one transaction:
    applied with its count, or refused with the failing row's error and nothing written.
    ``None`` when it is not waiting to be imported (done already: a task delivered twice)."""
    if not _started(import_id, ImportStatus.IMPORTING):
        return None
    senior_import = SeniorImport.objects.get(pk=import_id)
    by = User.objects.get(pk=by_id)
    pk = senior_import.pk
    progress = _Progress(pk, beside_transaction=True)
    try:
        with transaction.atomic():
            count = _register_rows(by=by, senior_import=senior_import, progress=progress)
            # the import's row is written last, in the same transaction: applied exactly when
            # its people are
            finished = SeniorImport.objects.filter(pk=pk, status=ImportStatus.IMPORTING).update(
                status=ImportStatus.APPLIED,
                applied_at=timezone.now(),
                created_count=count,
                progress=100,
                rows=without_numbers(senior_import.rows),
            )
            if not finished:
                raise _NotClaimed
    except _RowFailed as failed:
        _refuse(pk, failed, ImportStatus.IMPORTING, senior_import.rows)
    except _NotClaimed:
        return None
    finally:
        progress.close()
    senior_import.refresh_from_db()
    return senior_import


# --- the template --------------------------------------------------------------------------

REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def template_workbook(*, user: User) -> bytes:
    """The workbook to fill in: the list with its header row (required columns in red, text
    columns formatted as text, drop-downs for the fixed values), how to fill each column, and
    the villages of ``user``'s region with their groups and codes."""
    workbook = xlsx.new_workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    last_row = max_rows() + 1
    for number, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(number)
        cell = sheet.cell(row=1, column=number, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(column.width, 8)
        if column.kind in (ID_NUMBER, TEXT, GROUP, VILLAGE):
            dimension.number_format = "@"  # typed numbers stay text: no 5.00232E+17
        elif column.kind == DATE:
            dimension.number_format = "yyyy-mm-dd"
        if column.choices:
            choices = DataValidation(
                type="list",
                formula1='"{}"'.format(",".join(column.choices)),
                allow_blank=True,
                showErrorMessage=True,
            )
            sheet.add_data_validation(choices)
            choices.add(f"{letter}2:{letter}{last_row}")
    sheet.freeze_panes = "C2"

    guide = workbook.create_sheet(INSTRUCTIONS_TITLE)
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 8
    guide.column_dimensions["C"].width = 80
    guide.column_dimensions["D"].width = 22
    notes = (
        # zh: 每位老年人填一行，从第 2 行开始；列的顺序可以调整，不用的可选列可以删除；
        #     “序号”列会被忽略。
        _(
            "One person per row, from row 2. The columns may be in any order and optional "
            "columns may be deleted; a 序号 column is ignored."
        ),
        # zh: 一个文件最多 %(rows)d 人，不超过 5 MB。上传后先预览：有一行出错，就一个人也不导入。
        _(
            "At most %(rows)d people per file, and 5 MB. The upload is previewed first: if any "
            "row has an error, nobody is imported."
        )
        % {"rows": max_rows()},
        # zh: 红色列名为必填项。
        _("Columns with a red header must be filled in."),
    )
    for note in notes:
        xlsx.append(guide, [note])
    xlsx.append(guide, [])
    # zh: 列名 / 必填 / 填写要求 / 示例
    xlsx.append(guide, [_("Column"), _("Required"), _("How to fill it in"), _("Example")])
    for cell in guide[guide.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in IMPORT_COLUMNS:
        xlsx.append(
            guide,
            [column.header, _("Yes") if column.required else "", str(column.help), column.example],
        )
        guide.cell(row=guide.max_row, column=4).number_format = "@"
    for row in guide.iter_rows(min_row=1, max_col=3):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")

    villages_sheet = workbook.create_sheet(VILLAGES_TITLE)
    headers = ("乡镇(街道)", "村(社区)", "全称", "代码", "村民小组")
    xlsx.append(villages_sheet, headers)
    for cell in villages_sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for letter, width in zip("ABCDE", (16, 14, 24, 16, 60), strict=True):
        villages_sheet.column_dimensions[letter].width = width
    groups: dict[str, list[str]] = defaultdict(list)
    for parent, name in (
        Region.objects.filter(level=Level.GROUP)
        .visible_to(user)
        .order_by("code")
        .values_list("parent_id", "short_name")
    ):
        groups[parent].append(name)
    villages = Region.objects.filter(level=Level.VILLAGE).visible_to(user).select_related("parent")
    for village in villages.order_by("code"):
        xlsx.append(
            villages_sheet,
            [
                village.parent.short_name if village.parent else "",
                village.short_name,
                village.name,
                village.code,
                "、".join(groups.get(village.code, [])),
            ],
        )
        villages_sheet.cell(row=villages_sheet.max_row, column=4).number_format = "@"

    return xlsx.workbook_bytes(workbook)
