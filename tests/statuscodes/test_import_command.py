"""`manage.py import`: file formats, file-level errors, dry run, output and exit status."""

import pytest
from django.core.management import CommandError, call_command

from statuscodes.models import StatusCode
from tests.importing import (
    CODE_HEADER,
    CODES,
    database_state,
    run_import,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

LUNCH = ["Support", "LUNCH", "Lunch break", "", "take_break", "0", "true", "60"]
CAFE = ["Support", "CAFE", "Café", "", "take_break", "1", "true", ""]


def test_a_good_file_prints_the_counts(tmp_path, support_list):
    path = write_csv(tmp_path / "codes.csv", CODE_HEADER, [LUNCH, CAFE])

    run = run_import(CODES, path)

    assert run.ok
    assert run.out.strip() == "Import finished: 1 new, 1 updated, 0 skipped status codes."
    assert run.err == ""


def test_a_refused_file_raises_command_error_so_the_exit_status_is_not_zero(tmp_path):
    path = write_csv(tmp_path / "codes.csv", CODE_HEADER, [LUNCH[:4] + ["nap"] + LUNCH[5:]])

    with pytest.raises(CommandError, match=r"Import refused: 1 problem\(s\)"):
        call_command("import", CODES, str(path), "--noinput")

    assert not StatusCode.objects.exists()


def test_dry_run_reports_what_would_change_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "codes.csv", CODE_HEADER, [LUNCH, CAFE])
    before = database_state()

    run = run_import(CODES, path, "--dry-run")

    assert run.ok
    assert run.out.strip() == "Dry run, nothing written: 2 new, 0 updated, 0 skipped status codes."
    assert database_state() == before


def test_dry_run_of_a_bad_file_lists_its_problems(tmp_path):
    path = write_csv(tmp_path / "codes.csv", CODE_HEADER, [LUNCH, ["Support", "X"] + [""] * 6])

    run = run_import(CODES, path, "-n")

    assert not run.ok
    assert run.problems == ["line 3: label: Give the code's label.", "line 3: actions: Give at "
                            "least one action, separated by “;”. Actions: take_break, "
                            "work_offline, logout, reject_phone, reject_chat, reject_email, "
                            "reject_voicemail."]  # fmt: skip


def test_an_xlsx_workbook_imports_like_a_csv_file(tmp_path):
    # XLSX cells carry numbers and booleans, not only text.
    path = write_xlsx(
        tmp_path / "codes.xlsx",
        CODE_HEADER,
        [["Support", "LUNCH", "Lunch", None, "take_break", 3, True, 45.0]],
    )

    run = run_import(CODES, path)

    assert run.ok, run.err
    lunch = StatusCode.objects.get()
    assert (lunch.sort_order, lunch.active, lunch.max_minutes) == (3, True, 45)


def test_xlsx_line_numbers_count_blank_rows_as_a_spreadsheet_shows_them(tmp_path):
    path = write_xlsx(
        tmp_path / "codes.xlsx", CODE_HEADER, [LUNCH, [None] * 8, CAFE[:4] + ["nap"] + CAFE[5:]]
    )

    run = run_import(CODES, path)

    assert not run.ok
    assert run.problems[0].startswith("line 4: actions: Unknown action(s) “nap”")


def test_csv_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(",".join(CODE_HEADER) + "\n" + ",".join(LUNCH) + "\n\nSupport,X,,,nap,,,\n")

    run = run_import(CODES, path)

    assert [problem[:7] for problem in run.problems] == ["line 4:", "line 4:"]


def test_format_option_overrides_the_extension(tmp_path):
    path = write_csv(tmp_path / "codes.txt", CODE_HEADER, [LUNCH])

    assert run_import(CODES, path, "--format", "csv").ok
    assert StatusCode.objects.filter(code="LUNCH").exists()


def test_a_byte_order_mark_from_excel_is_ignored(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_bytes(("\ufeff" + ",".join(CODE_HEADER) + "\n" + ",".join(CAFE) + "\n").encode())

    assert run_import(CODES, path).ok
    assert StatusCode.objects.get().label_en == "Café"


def test_latin1_bytes_are_refused_with_the_line_and_a_hint(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_bytes((",".join(CODE_HEADER) + "\n" + ",".join(CAFE) + "\n").encode("latin-1"))

    run = run_import(CODES, path)

    assert not run.ok
    assert run.error == (
        "The file is not valid UTF-8 text (line 2, byte 0xe9). Save it as “CSV UTF-8”, "
        "or give its encoding with --encoding, e.g. --encoding latin-1."
    )
    assert not StatusCode.objects.exists()


def test_the_encoding_option_reads_a_latin1_file(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_bytes((",".join(CODE_HEADER) + "\n" + ",".join(CAFE) + "\n").encode("latin-1"))

    assert run_import(CODES, path, "--encoding", "latin-1").ok
    assert StatusCode.objects.get().label_en == "Café"


FILE_PROBLEMS = [
    pytest.param(b"", "The file is empty: its first line must name the columns.", id="empty"),
    pytest.param(
        ",".join(CODE_HEADER).encode() + b"\n",
        "The file has no rows under its header line.",
        id="header-only",
    ),
    pytest.param(
        b"list,code,actions\nSupport,LUNCH,take_break\n",
        "Missing required column(s): label, description, sort_order, active, max_minutes.",
        id="missing-columns",
    ),
    pytest.param(
        (",".join([*CODE_HEADER, "label_de", "notes"]) + "\n" + ",".join(LUNCH) + ",,\n").encode(),
        "Unknown column(s): label_de, notes. The columns are: list, code, label, description, "
        "actions, sort_order, active, max_minutes, report_label, paid, auto_end_minutes, label_es, "
        "description_es, report_label_es, label_fr, description_fr, report_label_fr.",
        id="unknown-columns",
    ),
    pytest.param(
        (",".join([*CODE_HEADER, "code"]) + "\n" + ",".join(LUNCH) + ",X\n").encode(),
        "Repeated column(s): code.",
        id="repeated-column",
    ),
    pytest.param(
        (",".join(CODE_HEADER) + "\n" + ",".join(LUNCH) + ",surprise\n").encode(),
        "Line 2 has 9 cells but the header has 8; put quotes around values that contain commas.",
        id="too-many-cells",
    ),
]


@pytest.mark.parametrize("content, message", FILE_PROBLEMS)
def test_a_file_level_problem_is_explained_and_writes_nothing(tmp_path, content, message):
    path = tmp_path / "codes.csv"
    path.write_bytes(content)
    before = database_state()

    run = run_import(CODES, path)

    assert not run.ok
    assert message in (run.err + run.error)
    assert database_state() == before


def test_column_names_are_read_in_any_case_and_a_trailing_comma_is_harmless(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(",".join(c.upper() for c in CODE_HEADER) + "\n" + ",".join(LUNCH) + ",\n")

    assert run_import(CODES, path).ok
    assert StatusCode.objects.get().code == "LUNCH"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("codes.json", b"[]", "Only CSV and XLSX files can be imported"),
        ("codes", b"list", "Only CSV and XLSX files can be imported"),
        ("codes.xlsx", b"list,code\n", "The file is not an XLSX workbook"),
        ("codes.xlsx", b"PK\x03\x04 damaged", "could not be read as an XLSX workbook"),
    ],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    run = run_import(CODES, path)

    assert not run.ok
    assert message in run.error


def test_an_xlsx_workbook_named_csv_is_recognised(tmp_path):
    xlsx = write_xlsx(tmp_path / "codes.xlsx", CODE_HEADER, [LUNCH])
    path = tmp_path / "codes.csv"
    path.write_bytes(xlsx.read_bytes())

    run = run_import(CODES, path)

    assert run.error == "The file looks like an XLSX workbook, not CSV: use --format xlsx."


def test_an_unsupported_format_option_is_refused(tmp_path):
    path = write_csv(tmp_path / "codes.csv", CODE_HEADER, [LUNCH])

    run = run_import(CODES, path, "--format", "json")

    assert run.error == "Unsupported format “json”: use csv or xlsx."


def test_a_missing_file_is_reported(tmp_path):
    run = run_import(CODES, tmp_path / "nowhere.csv")

    assert not run.ok
    assert "Cannot read" in run.error and "No such file or directory" in run.error


def test_an_unknown_resource_is_reported(tmp_path):
    path = write_csv(tmp_path / "codes.csv", CODE_HEADER, [LUNCH])

    run = run_import("statuscodes.resources.NoSuchResource", path)

    assert "Cannot import 'statuscodes.resources.NoSuchResource'" in run.error


def test_without_noinput_the_import_asks_first_and_no_cancels(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "codes.csv", CODE_HEADER, [LUNCH])
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Import cancelled"):
        call_command("import", CODES, str(path))

    assert not StatusCode.objects.exists()


def test_without_a_terminal_to_answer_the_import_says_to_pass_noinput(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "codes.csv", CODE_HEADER, [LUNCH])

    def no_terminal(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)

    with pytest.raises(CommandError, match="pass --noinput"):
        call_command("import", CODES, str(path))

    assert not StatusCode.objects.exists()
