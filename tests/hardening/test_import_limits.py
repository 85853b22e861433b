"""The limits of an import file: sheets, formulas, size, rows, columns and cell length.

Decisions (docs/imports.md): the first sheet of a workbook is read, whichever was open; a cell
holding a formula is refused (its result is only stored by some programs), while text typed
with a formula sign is text, and every export writes it so that no spreadsheet runs it.
"""

import csv
import io
import sys
import zipfile

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula

from agents.models import Agent, AgentGroup
from core.importing import files
from statuscodes.models import StatusCode
from tests.importing import AGENTS, CODE_HEADER, CODES, GROUPS, export, run_import

from .import_files import (
    AGENT_COLUMNS,
    GROUP_COLUMNS,
    TEXT,
    csv_bytes,
    import_bytes,
    snapshot,
    xlsx_bytes,
)
from .test_import_properties import rolled_back

pytestmark = pytest.mark.django_db

LUNCH = ["Support", "LUNCH", "Lunch", "", "take_break", 0, True, 60]
NAP = ["Support", "NAP", "Nap", "", "take_break", 5, True, None]


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_the_first_sheet_is_imported_even_when_another_sheet_was_open(db):
    data = xlsx_bytes([CODE_HEADER, LUNCH, NAP], sheets_before=2)
    assert openpyxl.load_workbook(io.BytesIO(data)).active.title == "Notes 1"

    run = import_bytes(CODES, data, ".xlsx")

    assert run.ok, run.err
    assert set(StatusCode.objects.values_list("code", flat=True)) == {"LUNCH", "NAP"}


def test_an_empty_first_sheet_is_refused_even_if_a_later_sheet_has_rows(db):
    workbook = openpyxl.Workbook()
    workbook.create_sheet("Codes").append(CODE_HEADER)
    workbook["Codes"].append(LUNCH)

    run = import_bytes(CODES, workbook_bytes(workbook), ".xlsx")

    assert not run.ok
    assert run.err == "The file is empty: its first line must name the columns.\n"
    assert not StatusCode.objects.exists()


def test_formula_cells_are_refused_with_their_line_and_column(db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [CODE_HEADER, LUNCH, NAP]:
        sheet.append(row)
    sheet["C2"] = '=HYPERLINK("http://evil.example","Lunch")'
    sheet["D3"] = ArrayFormula("D3", "=C3&C2")

    run = import_bytes(CODES, workbook_bytes(workbook), ".xlsx")

    assert not run.ok
    assert "The workbook holds 2 formula(s), which are not imported" in run.error
    assert 'line 2, label: =HYPERLINK("http://evil.example","Lunch")' in run.error
    assert "line 3, description: =C3&C2" in run.error
    assert "Paste Special → Values" in run.error
    assert not StatusCode.objects.exists()


def test_a_formula_in_a_column_without_a_name_is_located_by_its_letter(db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [CODE_HEADER, LUNCH]:
        sheet.append(row)
    sheet["J2"] = "=1+1"

    run = import_bytes(CODES, workbook_bytes(workbook), ".xlsx")

    assert not run.ok
    assert "line 2, J: =1+1" in run.error


def test_a_long_list_of_formulas_is_cut_short(db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(CODE_HEADER)
    for number in range(15):
        sheet.append(["Support", f"C{number}", f"=B{number + 2}", "", "take_break", 0, True, None])

    run = import_bytes(CODES, workbook_bytes(workbook), ".xlsx")

    assert "The workbook holds 15 formula(s)" in run.error
    assert "line 11, label: =B11; and 5 more." in run.error


TRIGGERS = st.sampled_from(["=", "+", "-", "@"])
FORMULA_TEXT = st.builds(
    lambda sign, body: sign + body, TRIGGERS, st.text(TEXT, min_size=1, max_size=30)
).filter(lambda text: text.strip() == text)


@pytest.mark.fuzz
@given(
    label=FORMULA_TEXT,
    description=FORMULA_TEXT,
    list_name=FORMULA_TEXT,
    group_name=FORMULA_TEXT,
    first_name=FORMULA_TEXT,
    file_format=st.sampled_from(["csv", "xlsx"]),
)
def test_text_with_a_formula_sign_is_imported_as_text_and_no_export_runs_it(
    db, label, description, list_name, group_name, first_name, file_format
):
    tables = {
        CODES: [CODE_HEADER, [list_name, "CALL", label, description, "take_break", 0, True, None]],
        GROUPS: [GROUP_COLUMNS, [group_name, list_name, ""]],
        AGENTS: [AGENT_COLUMNS, ["calla", first_name, "", "", group_name, True, "en"]],
    }
    with rolled_back():
        for resource, table in tables.items():
            data = xlsx_bytes(table) if file_format == "xlsx" else csv_bytes(table)
            run = import_bytes(resource, data, f".{file_format}")
            assert run.ok, run.err

        code = StatusCode.objects.get(code="CALL")
        assert (code.code_list.name, code.label_en, code.description_en) == (
            list_name,
            label,
            description,
        )
        assert AgentGroup.objects.filter(name=group_name).exists()
        assert Agent.objects.get(user__username="calla").user.first_name == first_name
        for resource in tables:
            for row in csv.reader(io.StringIO(export(resource).decode())):
                assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
            workbook = openpyxl.load_workbook(io.BytesIO(export(resource, "XLSX")))
            for row in workbook.active.iter_rows():
                assert not any(cell.data_type == "f" for cell in row), row


def test_a_file_over_the_size_limit_is_refused_by_the_command(db, settings):
    data = csv_bytes([CODE_HEADER, LUNCH, NAP])
    settings.IMPORT_MAX_UPLOAD_BYTES = len(data) - 1
    before = snapshot()

    run = import_bytes(CODES, data, ".csv")

    assert not run.ok
    assert run.error == (
        f"The file is larger than {len(data) - 1}\xa0bytes; files over IMPORT_MAX_UPLOAD_BYTES "
        f"({len(data) - 1} bytes) are refused. Split it into smaller files, or raise the setting."
    )
    assert snapshot() == before


def test_a_file_of_exactly_the_size_limit_is_imported(db, settings):
    data = csv_bytes([CODE_HEADER, LUNCH, NAP])
    settings.IMPORT_MAX_UPLOAD_BYTES = len(data)

    assert import_bytes(CODES, data, ".csv").ok


def test_standard_input_over_the_size_limit_is_refused(db, settings, monkeypatch):
    data = csv_bytes([CODE_HEADER, LUNCH, NAP])
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    run = run_import(CODES, "-", "--format", "csv")

    assert not run.ok
    assert "files over IMPORT_MAX_UPLOAD_BYTES (100 bytes) are refused" in run.error
    assert not StatusCode.objects.exists()


def test_a_sheet_that_declares_every_possible_cell_is_read_by_the_cells_it_holds(db):
    # Some programs write the dimension A1:XFD1048576; reading that many cells would not end.
    patched = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes([CODE_HEADER, LUNCH]))) as source,
        zipfile.ZipFile(patched, "w") as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:H2"' in content
                content = content.replace(b"A1:H2", b"A1:XFD1048576")
            target.writestr(item, content)

    run = import_bytes(CODES, patched.getvalue(), ".xlsx")

    assert run.ok, run.err
    assert StatusCode.objects.filter(code="LUNCH").exists()


def test_a_value_beyond_the_last_readable_column_is_refused(db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [CODE_HEADER, LUNCH]:
        sheet.append(row)
    sheet.cell(2, files.MAX_COLUMNS + 1, "stray")

    run = import_bytes(CODES, workbook_bytes(workbook), ".xlsx")

    assert not run.ok
    assert run.error == "Line 2 has a value in column CW; an import reads at most 100 columns."


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_refused(db, monkeypatch, file_format):
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    rows = [CODE_HEADER] + [
        ["Support", f"C{n}", "Code", "", "take_break", 0, True, None] for n in range(4)
    ]
    data = xlsx_bytes(rows) if file_format == "xlsx" else csv_bytes(rows)

    run = import_bytes(CODES, data, f".{file_format}")

    assert not run.ok
    assert run.error == "The file has more than 3 rows under its header; split it."
    assert import_bytes(CODES, xlsx_bytes(rows[:4]), ".xlsx").ok


def test_a_cell_as_long_as_a_spreadsheet_cell_is_imported_and_one_longer_is_refused(db):
    longest = "d" * 32_767
    formula_like = "=" + "d" * 32_765  # exported with a leading ', which must fit too
    rows = [
        CODE_HEADER,
        ["Support", "LONG", "Long", longest, "take_break", 0, True, None],
        ["Support", "SIGN", "Sign", formula_like, "take_break", 0, True, None],
    ]
    assert import_bytes(CODES, csv_bytes(rows), ".csv").ok
    assert StatusCode.objects.get(code="LONG").description_en == longest

    rows[1][3] += "d"
    rows[2][3] += "d"
    run = import_bytes(CODES, csv_bytes(rows), ".csv")

    assert run.problems == [
        "line 2: description: Holds 32768 characters; a cell may hold at most 32767, as in a "
        "spreadsheet (is a quote left open?).",
        "line 3: description: Holds 32767 characters; a cell may hold at most 32766, as in a "
        "spreadsheet (is a quote left open?).",
    ]
    assert StatusCode.objects.get(code="LONG").description_en == longest
