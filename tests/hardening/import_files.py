"""Hypothesis strategies for configuration import files, with what each cell should become.

Every generated cell knows the value the database must hold after a clean import, or that it
is bad: this is the test's oracle. A row is bad when any of its cells is, or when its identity
(after trimming) repeats an earlier row's. The rules mirror docs/imports.md.
"""

import csv
import io
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from django.apps import apps
from hypothesis import strategies as st

from core.choices import CODED_ACTIONS
from tests.importing import ImportRun, run_import

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LARGEST_NUMBER = 2_147_483_647
# The most characters a cell may hold (a spreadsheet cell's limit); HUGE is far beyond it.
CELL_LIMIT = 32_767
HUGE = "x" * 100_000

# Text as people type it: no control characters (tested on their own), no surrogates or
# unassigned code points (which no spreadsheet produces).
TEXT = st.characters(blacklist_categories=("Cs", "Cc", "Cn"))
TEXT_WITH_NEWLINES = st.one_of(TEXT, st.just("\n"))


@dataclass(frozen=True)
class Cell:
    raw: Any  # what the file holds: text, or a number/boolean in an XLSX workbook
    value: Any = None  # what the database holds after a clean import
    ok: bool = True
    key: str | None = None  # how the row's identity reads the cell, when not as its text

    @property
    def text(self) -> str:
        return imported_text(self.raw)

    @property
    def identity(self) -> str:
        return self.text if self.key is None else self.key


def bad(raw: Any) -> Cell:
    return Cell(raw, ok=False)


def imported_text(raw: Any) -> str:
    """The text an import reads from a cell: trimmed, an export's leading `'` removed."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    text = str(raw).strip()
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS):
        text = text[1:]
    return text


def exported_length(value: str) -> int:
    """The length of a value in an export, which puts a `'` before a formula sign."""
    return len(value) + value.lstrip("'").startswith(FORMULA_TRIGGERS)


@dataclass
class Row:
    cells: dict[str, Cell]

    @property
    def blank(self) -> bool:
        return all(cell.text == "" for cell in self.cells.values())

    @property
    def ok(self) -> bool:
        return all(cell.ok for cell in self.cells.values())


@dataclass
class ImportFile:
    """Rows under a header; `bad_lines` are the lines (header = 1) the import must refuse."""

    columns: list[str]
    rows: list[Row]
    identity: tuple[str, ...]
    header: list[str] = field(default_factory=list)  # as written: any case, spaces around

    @property
    def bad_lines(self) -> set[int]:
        lines, seen = set(), set()
        for line, row in enumerate(self.rows, start=2):
            if row.blank:
                continue
            identity = tuple(row.cells[column].identity for column in self.identity)
            repeated = all(identity) and identity in seen
            if all(identity):
                seen.add(identity)
            if repeated or not row.ok:
                lines.add(line)
        return lines

    @property
    def imported_rows(self) -> list[Row]:
        return [row for row in self.rows if not row.blank]

    def fits_xlsx(self) -> bool:
        """Whether an XLSX workbook can hold every cell (openpyxl cuts longer text)."""
        return all(
            len(cell.raw) <= CELL_LIMIT
            for row in self.rows
            for cell in row.cells.values()
            if isinstance(cell.raw, str)
        )

    def table(self) -> list[list[Any]]:
        return [self.header or self.columns] + [
            [row.cells[column].raw for column in self.columns] for row in self.rows
        ]


# ---------------------------------------------------------------- cells


@st.composite
def text_cells(draw, *, max_length: int | None, required: bool, empty: Any = "", newlines=False):
    """Free text, sometimes starting like a formula, sometimes too long or huge."""
    body = draw(
        st.one_of(
            st.text(TEXT_WITH_NEWLINES if newlines else TEXT, max_size=(max_length or 200) + 3),
            st.just(HUGE),
            st.just("y" * (CELL_LIMIT - 1)),
        )
    )
    raw = draw(st.sampled_from(["", "", "", " ", "=", "+", "-", "@", "'=", "'@"])) + body
    value = imported_text(raw)
    if exported_length(value) > CELL_LIMIT:
        return bad(raw)
    if value == "":
        return Cell(raw, empty, ok=not required)
    if max_length is not None and len(value) > max_length:
        return bad(raw)
    return Cell(raw, value)


def name_cells(existing: list[str], *, max_length: int = 100) -> st.SearchStrategy[Cell]:
    """A name: mostly one of `existing` (padded with spaces), sometimes another one."""
    return st.one_of(
        st.sampled_from(existing).map(lambda name: Cell(f" {name} ", name)),
        st.sampled_from(existing).map(lambda name: Cell(name, name)),
        text_cells(max_length=max_length, required=True),
    )


@st.composite
def yes_no_cells(draw, *, default: bool):
    words = {"": default, "true": True, "false": False, "yes": True, "no": False}
    words |= {"1": True, "0": False}
    word = draw(st.sampled_from(sorted(words)))
    raw = draw(st.sampled_from([word, word.upper(), word.capitalize(), f" {word} "]))
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return bad(draw(st.sampled_from(["maybe", "2", "t", "oui", "-1"])))
    if choice == 1:
        value = draw(st.booleans())
        return Cell(value, value)  # a boolean XLSX cell; CSV writes True/False
    return Cell(raw, words[word])


@st.composite
def whole_number_cells(draw, *, minimum: int, empty: int | None):
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return Cell(draw(st.sampled_from(["", " "])), empty)
    if choice == 1:
        return bad(
            draw(
                st.sampled_from(
                    ["1.5", "ten", "1_000", "١٢", "1e3", "0x10", "9" * 100_000, "- 5", "1 000"]
                )
            )
        )
    if choice == 2:
        number = draw(
            st.one_of(st.integers(max_value=minimum - 1), st.integers(LARGEST_NUMBER + 1))
        )
        return bad(draw(st.sampled_from([str(number), f" {number} "])))
    number = draw(st.integers(minimum, LARGEST_NUMBER))
    raw = draw(st.sampled_from([str(number), f"+{number}", f"00{number}", f" {number} ", number]))
    if choice == 3:
        raw = float(number)  # what an XLSX number cell gives
    return Cell(raw, number)


@st.composite
def action_cells(draw):
    if draw(st.integers(0, 5)) == 0:
        wrong = draw(st.sampled_from(["", ";", "login", "go_available", "take_nap", "=1+1"]))
        keys = draw(st.lists(st.sampled_from(CODED_ACTIONS), max_size=2))
        return bad(";".join([*keys, wrong]) if wrong.strip(";") else wrong)
    keys = draw(st.lists(st.sampled_from(CODED_ACTIONS), min_size=1, max_size=4))
    written = [draw(st.sampled_from([key, key.upper(), f" {key} "])) for key in keys]
    separator = draw(st.sampled_from([";", "; ", " ;"]))
    trailing = draw(st.sampled_from(["", ";"]))
    return Cell(separator.join(written) + trailing, set(keys))


CODE_KEYS = st.one_of(
    st.sampled_from(["LUNCH", "CASE", "EOS", "COFFEE", "coffee"]),
    st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True),
)


@st.composite
def code_cells(draw):
    if draw(st.integers(0, 7)) == 0:
        return bad(draw(st.sampled_from(["", "   ", "NO SPACES", "x" * 33, "LUNCH!", "Café"])))
    key = draw(CODE_KEYS)
    return Cell(draw(st.sampled_from([key, f" {key} "])), key)


# ---------------------------------------------------------------- files


def with_header_case(draw, columns: list[str]) -> list[str]:
    return [
        draw(st.sampled_from([column, column.upper(), f" {column.capitalize()} "]))
        for column in columns
    ]


def blank_row(columns: list[str]) -> Row:
    return Row({column: Cell("", None) for column in columns})


@st.composite
def rows_of(draw, row_strategy, columns: list[str], *, max_rows: int = 6):
    rows = draw(st.lists(row_strategy, min_size=1, max_size=max_rows))
    if draw(st.integers(0, 5)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), blank_row(columns))
    return rows


CODE_COLUMNS = ["list", "code", "label", "description", "actions", "sort_order", "active"]
CODE_COLUMNS += ["max_minutes"]


@st.composite
def code_rows(draw, columns: list[str]):
    cells = {
        "list": draw(name_cells(["Support", "Sales", "Back office"])),
        "code": draw(code_cells()),
        "label": draw(text_cells(max_length=100, required=True)),
        "description": draw(text_cells(max_length=None, required=False, newlines=True)),
        "actions": draw(action_cells()),
        "sort_order": draw(whole_number_cells(minimum=0, empty=0)),
        "active": draw(yes_no_cells(default=True)),
        "max_minutes": draw(whole_number_cells(minimum=1, empty=None)),
        "label_es": draw(text_cells(max_length=100, required=False, empty=None)),
        "description_fr": draw(text_cells(max_length=None, required=False, empty=None)),
    }
    return Row({column: cells[column] for column in columns})


@st.composite
def code_files(draw):
    columns = CODE_COLUMNS + draw(
        st.lists(st.sampled_from(["label_es", "description_fr"]), unique=True)
    )
    columns = draw(st.permutations(columns))
    rows = draw(rows_of(code_rows(columns), columns))
    return ImportFile(columns, rows, ("list", "code"), with_header_case(draw, columns))


GROUP_COLUMNS = ["name", "code_list", "supervisors"]
USERS = ["supervisor_a", "supervisor_b", "ana", "root"]


@st.composite
def supervisor_cells(draw):
    usernames = draw(st.lists(st.sampled_from(USERS), unique=True, max_size=3))
    if draw(st.integers(0, 5)) == 0:
        return bad(";".join([*usernames, draw(st.sampled_from(["ghost", "Ana", "ana smith"]))]))
    return Cell(" ; ".join(usernames), set(usernames))


@st.composite
def code_list_cells(draw):
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return Cell(draw(st.sampled_from(["", " "])), None)
    if choice == 1:
        return bad(draw(st.sampled_from(["support", "No such list", "=Support"])))
    name = draw(st.sampled_from(["Support", "Sales"]))
    return Cell(draw(st.sampled_from([name, f" {name} "])), name)


@st.composite
def group_rows(draw, columns: list[str]):
    cells = {
        "name": draw(name_cells(["Support Tier 1", "Sales Team", "Back office"])),
        "code_list": draw(code_list_cells()),
        "supervisors": draw(supervisor_cells()),
    }
    return Row({column: cells[column] for column in columns})


@st.composite
def group_files(draw):
    columns = draw(st.permutations(GROUP_COLUMNS))
    rows = draw(rows_of(group_rows(columns), columns))
    return ImportFile(columns, rows, ("name",), with_header_case(draw, columns))


AGENT_COLUMNS = ["username", "first_name", "last_name", "email", "group"]
AGENT_COLUMNS += ["status_codes_enabled", "language"]
# Usernames of the fixtures' users, and the email of the two staff accounts among them.
AGENT_USERS = ["ana", "sofia", "sam", "supervisor_a", "administrator", "root"]
STAFF_EMAILS = {"administrator": "administrator@example.com", "root": "root@example.com"}


USERNAME = re.compile(r"[\w.@+-]+")  # Django's username validator


@st.composite
def username_cells(draw):
    """A username; Django stores it NFKC-normalised ("ﬁona" is "fiona", "ａｎａ" is "ana")."""
    choice = draw(st.integers(0, 7))
    if choice == 0:
        raw = draw(st.sampled_from(["", "ana smith", "a/b", "x" * 151, "ana\u00a0b"]))
    elif choice < 4:
        name = draw(st.sampled_from(AGENT_USERS))
        raw = draw(st.sampled_from([name, f" {name} ", nfkc_variant(name)]))
    elif choice < 6:
        raw = draw(st.from_regex(r"[A-Za-z0-9_.@+-]{1,20}", fullmatch=True))
    else:
        raw = draw(st.from_regex(r"[\w.@+-]{1,20}", fullmatch=True))
    username = nfkc(imported_text(raw))
    valid = USERNAME.fullmatch(username) and len(username) <= 150
    return Cell(raw, username, ok=bool(valid), key=username)


def nfkc_variant(name: str) -> str:
    """The same username in full-width letters, which NFKC turns back into `name`."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in name)


EMAILS = st.from_regex(
    r"[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?@[a-z0-9]{1,10}\.(com|org)", fullmatch=True
)


@st.composite
def email_cells(draw, username: str):
    if username in STAFF_EMAILS:
        stored = STAFF_EMAILS[username]
        local, domain = stored.split("@")
        choice = draw(st.integers(0, 2))
        if choice == 0:
            return bad(draw(st.sampled_from(["", "someone.else@example.com"])))
        return Cell(f"{local}@{domain.upper()}" if choice == 1 else stored, stored)
    choice = draw(st.integers(0, 7))
    if choice == 0:
        return bad(draw(st.sampled_from(["not-an-email", "a@", "@b.com", "x" * 250 + "@x.com"])))
    if choice == 1:
        return Cell("", "")
    email = draw(EMAILS)
    local, domain = email.split("@")
    # Django keeps the local part as written and lower-cases the domain.
    return Cell(draw(st.sampled_from([email, f"{local}@{domain.upper()}"])), email)


@st.composite
def language_cells(draw):
    choice = draw(st.integers(0, 6))
    if choice == 0:
        return bad(draw(st.sampled_from(["de", "english", "e"])))
    if choice == 1:
        return Cell("", "en")
    language = draw(st.sampled_from(["en", "es", "fr"]))
    return Cell(draw(st.sampled_from([language, language.upper(), f" {language} "])), language)


@st.composite
def agent_rows(draw, columns: list[str]):
    username = draw(username_cells())
    cells = {
        "username": username,
        "first_name": draw(text_cells(max_length=150, required=False)),
        "last_name": draw(text_cells(max_length=150, required=False)),
        "email": draw(email_cells(username.identity)),
        "group": draw(
            st.one_of(
                st.sampled_from(["Support Tier 1", " Sales Team "]).map(
                    lambda name: Cell(name, name.strip())
                ),
                st.sampled_from(["", "Ghost team", "support tier 1"]).map(bad),
            )
        ),
        "status_codes_enabled": draw(yes_no_cells(default=True)),
        "language": draw(language_cells()),
    }
    return Row({column: cells[column] for column in columns})


@st.composite
def agent_files(draw):
    columns = draw(st.permutations(AGENT_COLUMNS))
    rows = draw(rows_of(agent_rows(columns), columns))
    return ImportFile(columns, rows, ("username",), with_header_case(draw, columns))


# ---------------------------------------------------------------- writing and running


def csv_text(value: Any) -> Any:
    # A number cell as a spreadsheet writes it to CSV: 12, not 12.0.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def csv_bytes(table: list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[csv_text(value) for value in row] for row in table])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(table: list[list[Any]], *, sheets_before: int = 0) -> bytes:
    """A workbook with `table` on its first sheet, saved while another sheet is open."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line, values in enumerate(table, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(line, column, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text typed into the cell, even if it starts with "="
    for number in range(sheets_before):
        workbook.create_sheet(f"Notes {number}").append(["not", "the", "codes"])
    workbook.active = len(workbook.worksheets) - 1
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def import_bytes(resource: str, data: bytes, suffix: str, *options: str) -> ImportRun:
    """`manage.py import resource FILE --noinput`, with FILE holding `data`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"import{suffix}"
        path.write_bytes(data)
        return run_import(resource, path, *options)


LINE = re.compile(r"^line (\d+): ", re.MULTILINE)


def refused_lines(run: ImportRun) -> set[int]:
    return {int(number) for number in LINE.findall(run.err)}


# ---------------------------------------------------------------- the database


SNAPSHOT_APPS = ("statuscodes", "agents", "auth", "admin")


def snapshot() -> dict[str, list[dict]]:
    """Every row an import could touch: configuration, users, join tables, audit history."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
