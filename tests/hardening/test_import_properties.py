"""Properties of the configuration imports (docs/imports.md), over generated files.

Whatever the file — valid and invalid rows mixed, any encoding, CSV or XLSX, columns missing or
unknown, huge cells, formula-like text, repeated rows, random bytes — an import either writes
every row as given, or is refused listing each bad line, with the database exactly as before.
It never fails with another exception. The files go through `manage.py import` (the entry
point of the command and of the docs), and once through the admin's import page.
"""

from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from agents.models import Agent, AgentGroup
from agents.resources import AgentGroupResource, AgentResource
from statuscodes.models import StatusCode
from statuscodes.resources import StatusCodeResource
from tests.importing import AGENTS, CODES, GROUPS, export

from .import_files import (
    AGENT_COLUMNS,
    CODE_COLUMNS,
    GROUP_COLUMNS,
    TEXT,
    agent_files,
    code_files,
    csv_bytes,
    group_files,
    import_bytes,
    imported_text,
    refused_lines,
    snapshot,
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"]


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is undone, so examples do not see each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_all_or_nothing(run, import_file, before, check_row):
    """A clean import of every row, or a refusal naming exactly the bad lines."""
    bad_lines = import_file.bad_lines
    if bad_lines:
        assert not run.ok, f"imported although lines {sorted(bad_lines)} are bad: {run.out}"
        assert refused_lines(run) == bad_lines, run.err
        assert "nothing was written" in run.error
        assert snapshot() == before
    else:
        assert run.ok, run.err or run.error
        for row in import_file.imported_rows:
            check_row(row)


def file_bytes(import_file, file_format: str, encoding: str = "utf-8") -> tuple[bytes, str]:
    if file_format == "xlsx" and import_file.fits_xlsx():
        return xlsx_bytes(import_file.table()), ".xlsx"
    return csv_bytes(import_file.table(), encoding), ".csv"


def check_code(row):
    cells = {column: cell.value for column, cell in row.cells.items()}
    code = StatusCode.objects.get(code_list__name=cells["list"], code=cells["code"])
    assert code.label_en == cells["label"]
    assert (code.description_en or "") == (cells["description"] or "")
    assert set(code.actions.values_list("key", flat=True)) == cells["actions"]
    assert code.sort_order == cells["sort_order"]
    assert code.active is cells["active"]
    assert code.max_minutes == cells["max_minutes"]
    if "label_es" in cells:
        assert code.label_es == cells["label_es"]
    if "description_fr" in cells:
        assert (code.description_fr or "") == (cells["description_fr"] or "")


def check_group(row):
    cells = {column: cell.value for column, cell in row.cells.items()}
    group = AgentGroup.objects.select_related("code_list").get(name=cells["name"])
    assert (group.code_list.name if group.code_list else None) == cells["code_list"]
    assert set(group.supervisors.values_list("username", flat=True)) == cells["supervisors"]


def check_agent(row):
    cells = {column: cell.value for column, cell in row.cells.items()}
    agent = Agent.objects.select_related("user", "group").get(user__username=cells["username"])
    user = agent.user
    assert (user.first_name, user.last_name) == (cells["first_name"], cells["last_name"])
    assert user.email == cells["email"]
    assert agent.group.name == cells["group"]
    assert agent.status_codes_enabled is cells["status_codes_enabled"]
    assert agent.language == cells["language"]


@given(
    import_file=code_files(),
    file_format=st.sampled_from(["csv", "xlsx"]),
    written_in=st.sampled_from(ENCODINGS),
    declared=st.sampled_from([None, *ENCODINGS]),
)
def test_code_file_imports_every_row_as_given_or_nothing(
    support_list, sales_list, import_file, file_format, written_in, declared
):
    try:
        data, suffix = file_bytes(import_file, file_format, written_in)
    except UnicodeEncodeError:  # text this encoding cannot hold: the file would be UTF-8
        data, suffix = file_bytes(import_file, file_format)
    options = ["--encoding", declared] if declared else []
    with rolled_back():
        before = snapshot()
        run = import_bytes(CODES, data, suffix, *options)

        if suffix == ".csv" and not reads_back_the_same(data, import_file, declared):
            # Read in the wrong encoding: refused (nothing written), or other text imported.
            assert run.ok or snapshot() == before, run.err
            return
        assert_all_or_nothing(run, import_file, before, check_code)
        if run.ok:
            # What was imported exports to a file that imports again without any change.
            exported = export(CODES)
            after = snapshot()
            again = import_bytes(CODES, exported, ".csv")
            assert again.ok, again.err
            assert snapshot() == after


def reads_back_the_same(data: bytes, import_file, declared: str | None) -> bool:
    try:
        text = data.decode(declared or "utf-8-sig")
    except UnicodeDecodeError:
        return False
    return text.lstrip("\ufeff") == csv_bytes(import_file.table()).decode()


@given(import_file=group_files(), file_format=st.sampled_from(["csv", "xlsx"]))
def test_group_file_imports_every_row_as_given_or_nothing(
    support_group, sales_group, supervisor_b, ana, superuser, import_file, file_format
):
    data, suffix = file_bytes(import_file, file_format)
    with rolled_back():
        before = snapshot()
        run = import_bytes(GROUPS, data, suffix)
        assert_all_or_nothing(run, import_file, before, check_group)


@given(import_file=agent_files(), file_format=st.sampled_from(["csv", "xlsx"]))
def test_agent_file_imports_every_row_as_given_or_nothing(
    ana, sofia, sam, administrator, superuser, import_file, file_format
):
    data, suffix = file_bytes(import_file, file_format)
    with rolled_back():
        before = snapshot()
        run = import_bytes(AGENTS, data, suffix)
        assert_all_or_nothing(run, import_file, before, check_agent)


RESOURCES = {
    CODES: (StatusCodeResource, CODE_COLUMNS),
    GROUPS: (AgentGroupResource, GROUP_COLUMNS),
    AGENTS: (AgentResource, AGENT_COLUMNS),
}


def header_name(text: str) -> str:
    """A column name as the import reads it: trimmed, lower case, byte-order marks removed."""
    return imported_text(text).replace("\ufeff", "").strip().lower()


@given(
    resource=st.sampled_from(sorted(RESOURCES)),
    data=st.data(),
    file_format=st.sampled_from(["csv", "xlsx"]),
)
def test_missing_and_unknown_columns_are_named_and_nothing_is_written(
    support_group, resource, data, file_format
):
    resource_class, required = RESOURCES[resource]
    known = resource_class().columns()
    missing = data.draw(st.lists(st.sampled_from(required), unique=True), label="missing")
    unknown = data.draw(
        st.lists(
            st.text(TEXT, min_size=1, max_size=20).filter(
                lambda name: header_name(name) and header_name(name) not in known
            ),
            unique_by=header_name,
            max_size=3,
        ),
        label="unknown",
    )
    assume(missing or unknown)
    header = [column for column in required if column not in missing] + unknown
    table = [header, ["x"] * len(header)]
    file_data = xlsx_bytes(table) if file_format == "xlsx" else csv_bytes(table)
    with rolled_back():
        before = snapshot()
        run = import_bytes(resource, file_data, f".{file_format}")

        assert not run.ok
        assert snapshot() == before
        if not header:
            assert "The file is empty" in run.err
        elif missing:
            named = ", ".join(column for column in required if column in missing)
            assert f"Missing required column(s): {named}." in run.err
        if unknown:
            assert "Unknown column(s): {}.".format(", ".join(map(header_name, unknown))) in run.err


@given(
    resource=st.sampled_from(sorted(RESOURCES)),
    start=st.sampled_from([b"", b"PK\x03\x04", "header"]),
    garbage=st.binary(max_size=2000),
    suffix=st.sampled_from([".csv", ".xlsx"]),
    declared=st.sampled_from([None, "latin-1", "utf-16", "utf-8"]),
)
def test_random_bytes_are_refused_with_a_message_and_change_nothing(
    support_group, resource, start, garbage, suffix, declared
):
    if start == "header":
        start = (",".join(RESOURCES[resource][1]) + "\n").encode()
    options = ["--encoding", declared] if declared else []
    with rolled_back():
        before = snapshot()
        run = import_bytes(resource, start + garbage, suffix, *options)

        if not run.ok:
            assert run.error.strip()
            assert snapshot() == before


CONTROL_CHARACTERS = [chr(code) for code in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]]


@given(
    resource=st.sampled_from(sorted(RESOURCES)),
    column_index=st.integers(0, 6),
    character=st.sampled_from(CONTROL_CHARACTERS),
    position=st.integers(0, 3),
)
def test_a_control_character_in_any_cell_is_refused_on_every_database(
    support_group, resource, column_index, character, position
):
    # PostgreSQL cannot store NUL, and no XLSX export could hold any of these characters.
    rows = {
        CODES: ["Support", "NEWCODE", "New code", "", "take_break", "0", "true", ""],
        GROUPS: ["Back office", "Support", "supervisor_a"],
        AGENTS: ["newagent", "New", "Agent", "new@example.com", "Support Tier 1", "true", "en"],
    }
    row = rows[resource]
    column = column_index % len(row)
    row[column] = row[column][:position] + character + row[column][position:]
    with rolled_back():
        before = snapshot()
        run = import_bytes(resource, csv_bytes([RESOURCES[resource][1], row]), ".csv")

        assert not run.ok
        assert f"control character U+{ord(character):04X}" in run.err
        assert refused_lines(run) == {2}
        assert snapshot() == before


IMPORT_URL = reverse("admin:statuscodes_statuscode_import")
CONFIRM_URL = reverse("admin:statuscodes_statuscode_process_import")


@given(import_file=code_files())
def test_admin_import_previews_writes_nothing_and_confirms_all_or_nothing(
    support_list, sales_list, client_for, administrator, import_file
):
    client = client_for(administrator)
    with rolled_back():
        before = snapshot()
        preview = client.post(
            IMPORT_URL,
            {
                "resource": "0",
                "format": "0",
                "import_file": SimpleUploadedFile("codes.csv", csv_bytes(import_file.table())),
            },
        )

        assert preview.status_code == 200
        assert snapshot() == before  # the preview is a dry run, whatever the file
        result = preview.context["result"]
        bad_lines = import_file.bad_lines
        if bad_lines:
            assert "confirm_form" not in preview.context
            assert {row.number for row in result.invalid_rows} == bad_lines
            return
        assert not result.has_errors() and not result.has_validation_errors()
        confirm = client.post(CONFIRM_URL, preview.context["confirm_form"].initial)
        assert confirm.status_code == 302
        for row in import_file.imported_rows:
            check_code(row)
