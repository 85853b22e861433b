"""Workbooks that unpack beyond what an import reads are refused before openpyxl parses them.

The review's two zip bombs (a 1 MB file holding one shared string of a gigabyte; a 0.4 MB
file holding ten million cells) and the other ways a small workbook grows are each refused
with their reason, by the command and in the admin, writing nothing. How fast is measured by
bench/import_bombs.py; here the memory an import takes is checked, as a sanity bound (openpyxl
reading the bombs took gigabytes).
"""

import io
import random
import tracemalloc
import zipfile

import pytest

from core.importing import files, workbooks
from statuscodes.models import StatusCode
from tests.importing import CODE_HEADER, CODES
from tests.statuscodes.test_admin_import import XLSX_FORMAT, upload

from .import_files import import_bytes, snapshot, xlsx_bytes
from .workbook_bombs import (
    CODES_WORKBOOK,
    NAMESPACE,
    SHEET_END,
    SHEET_START,
    STRINGS_START,
    MiB,
    Repeated,
    huge_shared_string,
    sheet_of_cells,
    workbook_with,
)

pytestmark = pytest.mark.django_db

LUNCH = ["Support", "LUNCH", "Lunch", "", "take_break", 0, True, 60]
# An import of a refused workbook holds the file and little else; reading the bombs took GBs.
SMALL = 16 * MiB


@pytest.fixture(scope="module")
def gigabyte_string() -> bytes:
    return huge_shared_string(1024 * MiB)


def refused(data: bytes) -> tuple[str, int]:
    """`manage.py import` of `data` as codes: its error, and the peak memory it took."""
    before = snapshot()
    tracemalloc.start()
    try:
        run = import_bytes(CODES, data, ".xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not run.ok
    assert snapshot() == before
    return run.error, peak


def sheet(rows: bytes) -> bytes:
    return workbook_with({"xl/worksheets/sheet1.xml": SHEET_START + rows + SHEET_END})


def test_a_gigabyte_shared_string_is_refused_from_the_zip_directory(db, gigabyte_string):
    assert len(gigabyte_string) < 1.1 * MiB

    error, peak = refused(gigabyte_string)

    assert error == (
        "The workbook's part xl/sharedStrings.xml unpacks to 1.0\xa0GB; an import reads parts "
        "of at most 64.0\xa0MB. Split the file into smaller ones, or import it as CSV."
    )
    assert peak < SMALL


def test_the_admin_refuses_the_bomb_as_a_form_error(client_for, administrator, gigabyte_string):
    response = upload(
        client_for(administrator), gigabyte_string, file_format=XLSX_FORMAT, name="codes.xlsx"
    )

    assert response.status_code == 200
    assert "xl/sharedStrings.xml unpacks to 1.0\xa0GB" in response.content.decode()
    assert not StatusCode.objects.exists()


def test_ten_million_cells_are_refused_from_the_zip_directory(db):
    data = sheet_of_cells(100_000, 100)
    assert len(data) < 0.5 * MiB

    error, peak = refused(data)

    assert error.startswith(
        "The workbook's part xl/worksheets/sheet1.xml unpacks to 144.1\xa0MB; an import reads "
        "parts of at most 64.0\xa0MB."
    )
    assert peak < SMALL


def test_a_part_packed_a_thousand_times_tighter_than_spreadsheets_do_is_refused(db):
    strings = Repeated(STRINGS_START + b"<si><t>", b"x" * MiB, 20, b"</t></si></sst>")
    data = workbook_with({"xl/sharedStrings.xml": strings})
    part = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/sharedStrings.xml")
    ratio = part.file_size // part.compress_size
    assert ratio > 1000

    error, _ = refused(data)

    assert error.startswith(
        f"The workbook's part xl/sharedStrings.xml unpacks to {ratio:,} times its packed size "
    )
    assert error.endswith("an import reads parts that unpack to at most 100 times their size.")


def test_a_workbook_that_unpacks_to_more_than_the_limit_in_all_is_refused(db, monkeypatch):
    data = xlsx_bytes([CODE_HEADER, LUNCH])
    total = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(workbooks, "MAX_WORKBOOK_BYTES", total - 1)

    error, _ = refused(data)

    assert error.startswith("The workbook unpacks to ")
    assert "; an import reads workbooks of at most " in error


def test_a_workbook_of_more_files_than_the_limit_is_refused(db):
    extra = 1_001 - len(CODES_WORKBOOK)
    data = workbook_with({f"customXml/item{number}.xml": b"<a/>" for number in range(extra)})

    error, _ = refused(data)

    assert error == (
        "The workbook is made of 1,001 files; an import reads workbooks of at most 1,000. "
        "Save it again from a spreadsheet program."
    )
    data = workbook_with({f"customXml/item{number}.xml": b"<a/>" for number in range(extra - 1)})
    assert import_bytes(CODES, data, ".xlsx").ok


def test_a_part_compressed_otherwise_than_spreadsheets_do_is_refused(db):
    # bzip2 inflates a whole block at once, however large, before zipfile can stop it.
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook_with({}))) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            method = zipfile.ZIP_BZIP2 if name.endswith("sharedStrings.xml") else None
            target.writestr(name, source.read(name), compress_type=method)

    error, _ = refused(output.getvalue())

    assert error == (
        "The workbook's part xl/sharedStrings.xml is compressed in a way spreadsheet programs "
        "do not use. Save it again from a spreadsheet program."
    )


def test_a_part_holding_more_than_its_stated_size_is_read_no_further(db):
    # The zip directory's sizes bound what is read: zipfile stops at the stated size, and the
    # part then fails its checksum.
    sheet = Repeated(SHEET_START, b"<row><c><v>1</v></c></row>" * 1000, 2_000, SHEET_END)
    data = workbook_with(
        {"xl/worksheets/sheet1.xml": sheet},
        stated_sizes={"xl/worksheets/sheet1.xml": 10_000},
    )

    error, peak = refused(data)

    assert error == "The file could not be read as an XLSX workbook (BadZipFile)."
    assert peak < SMALL


def test_a_document_type_declaration_is_refused(db):
    # Entities that expand tenfold at each of nine levels: a gigabyte from a few lines.
    entities = b'<!ENTITY a0 "xxxxxxxxxx">' + b"".join(
        b'<!ENTITY a%d "%s">' % (level, b"&a%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    strings = b"<!DOCTYPE sst [%s]><sst %s><si><t>&a9;</t></si></sst>" % (entities, NAMESPACE)

    error, peak = refused(workbook_with({"xl/sharedStrings.xml": strings}))

    assert error == (
        "The workbook's part xl/sharedStrings.xml declares a document type, which spreadsheet "
        "programs never write (its entities could expand without limit)."
    )
    assert peak < SMALL


def test_rows_reaching_the_last_column_are_refused_before_they_are_laid_out(db):
    # openpyxl lays each row out up to its last cell: 100,000 rows of one empty cell in
    # column XFD would be 1.6 billion cells, for a file of 300 kB.
    rows = b"".join(b'<row r="%d"><c r="XFD%d"/></row>' % (n, n) for n in range(1, 100_001))

    error, peak = refused(sheet(rows))

    assert error == (
        "The workbook's sheets span more than 2,000,000 cells (each row counted up to its last "
        "cell); an import reads at most that. Split the file into smaller ones, or import it "
        "as CSV."
    )
    assert peak < SMALL


@pytest.mark.parametrize(
    "row",
    [
        b'<row r="7">' + b"<c/>" * 16_385 + b"</row>",
        b'<row r="7"><c r="XFE7"><v>1</v></c></row>',
        b'<row r="7"><c r="A7"/><c r="XFD7"/><c/></row>',
    ],
    ids=["more cells than columns", "a cell beyond XFD", "a cell after XFD"],
)
def test_a_row_wider_than_a_spreadsheet_is_refused(db, row):
    error, _ = refused(sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>' + row))

    assert error == (
        "Row 7 of the workbook's part xl/worksheets/sheet1.xml has cells beyond column XFD, "
        "the last column of a spreadsheet."
    )


def test_a_row_inside_a_row_is_refused(db):
    error, _ = refused(sheet(b'<row r="1"><c r="A1"><row r="2"><c r="XFD2"/></row></c></row>'))

    assert error == "The workbook's part xl/worksheets/sheet1.xml has a row inside a row."


def cell_elements(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        budget = workbooks.Budget(packed_bytes=0)
        for part in parts:
            workbooks.scan_part(archive, part, budget)
    return budget.max_cell_elements - budget.cell_elements


def test_more_cell_elements_than_the_limit_are_refused(db, monkeypatch):
    data = workbook_with({})
    count = cell_elements(data)
    assert count == 2 + 15 * 2 + 13 * 2  # rows; cells and their values; texts and their <t>
    monkeypatch.setattr(workbooks, "MAX_CELL_ELEMENTS", count)
    assert import_bytes(CODES, data, ".xlsx").ok
    monkeypatch.setattr(workbooks, "MAX_CELL_ELEMENTS", count - 1)

    error, _ = refused(data)

    assert error == (
        f"The workbook's cells and texts are written with more than {count - 1} XML elements: "
        "an import reads 200,000 plus 1 per byte of the file (spreadsheet programs write about "
        f"one for every two bytes), and at most {count - 1}. Split the file into smaller ones, "
        "or import it as CSV."
    )


def test_a_small_file_holding_many_cells_is_refused(db):
    # A million cells of one digit each in 0.8 MB: parts that pack 20 times, as spreadsheets'
    # do, but openpyxl would read for tens of seconds.
    digits = random.Random(1)
    rows = b"".join(
        b"<row>"
        + b"".join(b"<c><v>%d</v></c>" % digits.randrange(10) for _ in range(1000))
        + b"</row>"
        for _ in range(10)
    )
    data = workbook_with({"xl/worksheets/sheet1.xml": Repeated(SHEET_START, rows, 100, SHEET_END)})
    allowed = 200_000 + sum(
        part.compress_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist()
    )

    error, peak = refused(data)

    assert error.startswith(
        f"The workbook's cells and texts are written with more than {allowed:,} XML elements"
    )
    assert peak < SMALL


def test_more_elements_besides_cells_than_the_limit_are_refused(db):
    # openpyxl reads each merged range, link or format slowly: 50,000 take a second or more.
    merged = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (n, n) for n in range(2, 50_002))
    data = workbook_with(
        {
            "xl/worksheets/sheet1.xml": SHEET_START
            + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells>'
            + merged
            + b"</mergeCells></worksheet>"
        }
    )

    error, _ = refused(data)

    assert error == (
        "The workbook holds more than 50,000 XML elements besides its cells and texts "
        "(styles, links, merged cells…); an import reads at most that. Copy the cells into a "
        "new workbook, or import them as CSV."
    )


def test_a_sheet_holding_only_a_far_row_is_read_as_empty_at_once(db):
    # openpyxl gives the 99,999 rows before it, all empty.
    run = import_bytes(CODES, sheet(b'<row r="100000" ht="20" customHeight="1"/>'), ".xlsx")

    assert run.err == "The file is empty: its first line must name the columns.\n"
    assert not StatusCode.objects.exists()


def test_a_text_longer_than_a_spreadsheet_cell_is_refused_with_its_line_and_column(db):
    text = b"<is><t>" + b"d" * (files.MAX_CELL_LENGTH + 1) + b"</t></is>"
    header = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (column.encode(), name.encode())
        for column, name in zip("ABCDEFGH", CODE_HEADER, strict=True)
    )
    row = b'<c r="A2" t="inlineStr"><is><t>Support</t></is></c><c r="D2" t="inlineStr">'

    error, _ = refused(
        sheet(b'<row r="1">' + header + b'</row><row r="2">' + row + text + b"</c></row>")
    )

    assert error == (
        "Line 2 holds 32,768 characters in column D; a spreadsheet cell holds at most 32,767."
    )


def test_a_workbook_within_the_limits_is_imported(db):
    run = import_bytes(CODES, workbook_with({}), ".xlsx")

    assert run.ok, run.err
    assert StatusCode.objects.get(code="LUNCH").max_minutes == 60
