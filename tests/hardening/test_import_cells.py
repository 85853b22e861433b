"""Cells the property tests found mishandled, pinned as examples (same result on every database)."""

import pytest
from django.contrib.auth import get_user_model

from agents.models import Agent
from statuscodes.models import StatusCode
from tests.importing import AGENT_HEADER, AGENTS, CODE_HEADER, CODES

from .import_files import csv_bytes, import_bytes, snapshot

pytestmark = pytest.mark.django_db


def code_row(sort_order="0", max_minutes="", code="LUNCH", label="Lunch"):
    return ["Support", code, label, "", "take_break", sort_order, "true", max_minutes]


@pytest.mark.parametrize("written", ["1_000", "١٢", "1e3", "0x10", "12.5", "- 5"])
def test_only_plain_digits_are_a_whole_number(written):
    # Python's int() would read "1_000" as 1000 and the Arabic-Indic "١٢" as 12.
    run = import_bytes(CODES, csv_bytes([CODE_HEADER, code_row(sort_order=written)]), ".csv")

    assert run.problems == [f"line 2: sort_order: “{written}” is not a whole number."]
    assert not StatusCode.objects.exists()


@pytest.mark.parametrize("written", ["+7", "007", " 7 "])
def test_a_signed_or_zero_padded_number_is_read(written):
    assert import_bytes(CODES, csv_bytes([CODE_HEADER, code_row(sort_order=written)]), ".csv").ok

    assert StatusCode.objects.get().sort_order == 7


def test_numbers_beyond_what_postgresql_holds_are_refused_on_every_database():
    # SQLite would store 2147483648; PostgreSQL would refuse it with its own message.
    rows = [
        code_row(code="A", sort_order="2147483647", max_minutes="2147483647"),
        code_row(code="B", sort_order="2147483648"),
        code_row(code="C", max_minutes="9" * 5000),
    ]

    run = import_bytes(CODES, csv_bytes([CODE_HEADER, *rows]), ".csv")

    assert run.problems == [
        "line 3: sort_order: The number is too large: at most 2147483647.",
        "line 4: max_minutes: The number is too large: at most 2147483647.",
    ]
    assert import_bytes(CODES, csv_bytes([CODE_HEADER, rows[0]]), ".csv").ok


def test_a_nul_character_is_refused_by_column_on_every_database():
    # PostgreSQL cannot store NUL (it failed with a driver message and no column); SQLite
    # stored it, and the XLSX export then failed.
    run = import_bytes(CODES, csv_bytes([CODE_HEADER, code_row(label="Lu\x00nch")]), ".csv")

    assert run.problems == [
        "line 2: label: Contains the invisible control character U+0000 (at position 3); remove it."
    ]
    assert not StatusCode.objects.exists()


def test_a_repeated_row_with_a_bad_cell_is_listed_for_both_reasons():
    rows = [code_row(), code_row(label="Lunch\x07")]

    run = import_bytes(CODES, csv_bytes([CODE_HEADER, *rows]), ".csv")

    assert run.problems == [
        "line 3: Repeats line 2: list + code “Support / LUNCH” may appear only once.",
        "line 3: label: Contains the invisible control character U+0007 (at position 6); "
        "remove it.",
    ]


def agent_row(username):
    return [username, "Fiona", "", "", "Support Tier 1", "true", "en"]


def test_a_username_is_matched_as_django_stores_it_so_reimporting_changes_nothing(support_group):
    # "ﬁona" (with the ligature ﬁ) is stored as "fiona": the second import failed with
    # "A user with that username already exists".
    data = csv_bytes([AGENT_HEADER, agent_row("\ufb01ona")])
    assert import_bytes(AGENTS, data, ".csv").ok
    assert Agent.objects.get().user.username == "fiona"
    before = snapshot()

    again = import_bytes(AGENTS, data, ".csv")

    assert again.ok, again.err
    assert again.out.strip() == "Import finished: 0 new, 0 updated, 1 skipped agents."
    assert snapshot() == before


def test_two_spellings_of_one_username_are_a_repeated_row(support_group):
    data = csv_bytes([AGENT_HEADER, agent_row("\ufb01ona"), agent_row("fiona")])

    run = import_bytes(AGENTS, data, ".csv")

    assert run.problems == ["line 3: Repeats line 2: username “fiona” may appear only once."]
    assert not get_user_model().objects.filter(username="fiona").exists()
