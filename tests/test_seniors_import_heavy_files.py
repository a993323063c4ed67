"""A file is parsed and checked in the request only when it is small in rows, in bytes uploaded
and in bytes unpacked. Two rows can take openpyxl many seconds (wide cells, a large
shared-strings part): such a file is kept as it came and checked by a Celery task, and the
request answers at once with the page that follows the check."""

import io
import random
import string
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from seniors import importing
from seniors.models import ImportStatus, SeniorImport
from tests.test_seniors_import_limits import HEADERS, person, upload, workbook_bytes

pytestmark = pytest.mark.django_db

KB = 1024
MB = 1024 * 1024


@pytest.fixture
def staff(client, staff_baima, regions, today, eager):
    client.force_login(staff_baima)
    return client


@pytest.fixture
def parsed(monkeypatch):
    """How many times openpyxl was asked to read a workbook."""
    calls = []
    load = importing.load_workbook
    monkeypatch.setattr(
        importing, "load_workbook", lambda *a, **k: calls.append(1) or load(*a, **k)
    )
    return calls


def wide_cells() -> bytes:
    """Two people, and a second sheet of two rows of wide cells (32,000 random letters each,
    the most a cell holds is 32,767): it packs to more than 256 KB, unpacks to less than 1 MB,
    and no sheet is longer than three rows."""
    rng = random.Random(7)
    workbook = Workbook()
    people = workbook.active
    people.append(HEADERS)
    people.append(person(1))
    people.append(person(2))
    notes = workbook.create_sheet("附表")
    for _ in range(2):
        notes.append(["".join(rng.choices(string.ascii_letters, k=32_000)) for _ in range(6)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_shared_strings(content: bytes, megabytes: int) -> bytes:
    """The workbook with a shared-strings part of ``megabytes`` MB of distinct texts, formatted
    runs as Excel and WPS write them: it packs about 40 times (4 MB: under 100 KB), and
    openpyxl reads it whole whatever the sheet uses of it."""
    texts, size, n = [], 0, 0
    while size < megabytes * MB:
        text = (
            '<si><r><rPr><sz val="11"/><rFont val="宋体"/><family val="3"/><charset val="134"/>'
            f"</rPr><t>老人{n:07d}</t></r></si>"
        )
        texts.append(text)
        size += len(text.encode())
        n += 1
    part = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(texts)
        + "</sst>"
    )
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(info, data)
        target.writestr("xl/sharedStrings.xml", part)
    return out.getvalue()


def sizes(content: bytes) -> importing.UploadSize:
    return importing.inspect_upload(SimpleUploadedFile("名单.xlsx", content))


def two_people_heavy_in_bytes() -> bytes:
    content = wide_cells()
    size = sizes(content)
    assert size.packed > 256 * KB and size.unpacked < 3 * MB and size.rows == 3
    return content


def two_people_heavy_unpacked() -> bytes:
    content = with_shared_strings(workbook_bytes([person(1), person(2)]), 4)
    size = sizes(content)
    assert size.packed < 256 * KB and size.unpacked > 4 * MB and size.rows == 3
    return content


def two_people_over_the_rows(settings) -> bytes:
    settings.IMPORT_ASYNC_ROWS = 2  # the header and two people: 3 rows
    return workbook_bytes([person(1), person(2)])


@pytest.mark.parametrize(
    "make",
    [
        lambda settings: two_people_heavy_in_bytes(),
        lambda settings: two_people_heavy_unpacked(),
        two_people_over_the_rows,
    ],
    ids=["heavy-in-bytes", "heavy-unpacked", "over-the-rows"],
)
def test_a_file_over_any_of_the_three_limits_is_checked_by_a_task_not_in_the_request(
    make, staff, settings, parsed, django_capture_on_commit_callbacks
):
    content = make(settings)

    with django_capture_on_commit_callbacks() as queued:
        response = upload(staff, content)

    senior_import = SeniorImport.objects.get()
    url = f"/seniors/import/{senior_import.pk}/"
    assert response.status_code == 302 and response["Location"] == url
    assert parsed == []  # the request only looked at the zip's parts
    assert senior_import.status == ImportStatus.CHECKING
    assert bytes(senior_import.content) == content  # kept as uploaded, for the task
    assert len(queued) == 1
    page = staff.get(url).content.decode()
    assert "文件较大，正在检查每一行" in page
    assert staff.get(url + "progress/").json() == {
        "status": "checking",
        "progress": 0,
        "done": False,
    }

    queued[0]()  # the check task
    senior_import.refresh_from_db()
    assert parsed == [1]
    assert senior_import.status == ImportStatus.PREVIEWED
    assert [row["cells"]["姓名"] for row in senior_import.rows] == ["老人1", "老人2"]
    assert senior_import.content is None


def test_a_file_small_in_rows_and_bytes_is_still_checked_in_the_request(
    staff, parsed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        upload(staff, workbook_bytes([person(1), person(2)]))

    senior_import = SeniorImport.objects.get()
    assert parsed == [1]
    assert queued == []
    assert senior_import.status == ImportStatus.PREVIEWED
    assert len(senior_import.rows) == 2
    assert senior_import.content is None


def test_small_means_within_each_limit_up_to_and_including_it(settings):
    settings.IMPORT_ASYNC_ROWS = 2000
    settings.IMPORT_ASYNC_KB = 256
    settings.IMPORT_ASYNC_UNPACKED_MB = 3
    limit = {"packed": 256 * KB, "unpacked": 3 * MB, "rows": 2000}
    assert importing.UploadSize(**limit).small
    for name in limit:
        assert not importing.UploadSize(**{**limit, name: limit[name] + 1}).small, name
