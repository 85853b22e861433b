"""Importing status codes (docs/imports.md): creation, update by (list, code), all or nothing."""

import pytest

from statuscodes.models import StatusCode, StatusCodeList
from tests.importing import CODE_HEADER, CODES, database_state, run_import, write_csv

pytestmark = pytest.mark.django_db

GOOD_ROW = ["Support", "COFFEE", "Coffee", "", "take_break", "5", "true", ""]


def codes_csv(tmp_path, rows, header=CODE_HEADER, name="codes.csv"):
    return write_csv(tmp_path / name, header, rows)


def code(list_name, key):
    return StatusCode.objects.prefetch_related("actions").get(code_list__name=list_name, code=key)


def action_keys(status_code):
    return sorted(action.key for action in status_code.actions.all())


def test_codes_are_created_with_their_list_translations_and_actions(tmp_path):
    header = [*CODE_HEADER, "label_es", "label_fr", "description_es"]
    rows = [
        ["Back office", "LUNCH", "Lunch", "Meal", "take_break", "10", "yes", "45", "Almuerzo",
         "Déjeuner", "Comida"],
        ["Back office", "CASE", "Working on a case", "", "reject_phone;reject_chat", "", "", "",
         "", "", ""],
    ]  # fmt: skip

    run = run_import(CODES, codes_csv(tmp_path, rows, header))

    assert run.ok, run.err
    assert "2 new, 0 updated, 0 skipped" in run.out
    assert StatusCodeList.objects.get().name == "Back office"
    lunch = code("Back office", "LUNCH")
    assert (lunch.label_en, lunch.label_es, lunch.label_fr) == ("Lunch", "Almuerzo", "Déjeuner")
    assert (lunch.description_en, lunch.description_es) == ("Meal", "Comida")
    assert (lunch.sort_order, lunch.active, lunch.max_minutes) == (10, True, 45)
    assert action_keys(lunch) == ["take_break"]
    case = code("Back office", "CASE")
    # Empty cells: sort_order 0, active true, no maximum.
    assert (case.sort_order, case.active, case.max_minutes) == (0, True, None)
    assert action_keys(case) == ["reject_chat", "reject_phone"]


def test_a_row_for_an_existing_list_and_code_updates_that_code(tmp_path, support_list):
    lunch_before = code("Support", "LUNCH")
    history_before = lunch_before.history.count()
    rows = [["Support", "LUNCH", "Long lunch", "", "take_break;logout", "1", "false", "90"]]

    run = run_import(CODES, codes_csv(tmp_path, rows))

    assert run.ok, run.err
    assert "0 new, 1 updated" in run.out
    lunch = code("Support", "LUNCH")
    assert lunch.pk == lunch_before.pk
    assert (lunch.label_en, lunch.active, lunch.max_minutes) == ("Long lunch", False, 90)
    assert action_keys(lunch) == ["logout", "take_break"]
    # A file without label_es leaves the Spanish label as it was.
    assert lunch.label_es == "Almuerzo"
    assert lunch.history.count() > history_before
    assert lunch.history.first().label_en == "Long lunch"
    assert StatusCodeList.objects.filter(name="Support").count() == 1


def test_the_same_code_key_in_another_list_is_another_code(tmp_path, support_list):
    run = run_import(CODES, codes_csv(tmp_path, [["Sales", "LUNCH", "Lunch", "", "take_break",
                                                  "", "", ""]]))  # fmt: skip

    assert run.ok, run.err
    assert StatusCode.objects.filter(code="LUNCH").count() == 2
    assert code("Support", "LUNCH").label_es == "Almuerzo"


def test_reimporting_the_same_file_changes_nothing_and_records_no_history(tmp_path):
    header = [*CODE_HEADER, "label_es", "description_es"]
    rows = [
        ["Support", "LUNCH", "Lunch", "", "reject_chat;take_break", "0", "TRUE", "60", "Almuerzo",
         ""],
        ["Support", "EOS", "End of shift", "Shift over", "logout", "10", "1", "", "", ""],
    ]  # fmt: skip
    path = codes_csv(tmp_path, rows, header)
    assert run_import(CODES, path).ok
    before = database_state()

    run = run_import(CODES, path)

    assert run.ok, run.err
    assert "0 new, 0 updated, 2 skipped" in run.out
    assert database_state() == before


@pytest.mark.parametrize(
    "word, expected", [("yes", True), ("No", False), ("1", True), ("0", False), ("FALSE", False)]
)
def test_active_accepts_yes_no_words_in_any_case(tmp_path, word, expected):
    row = ["Support", "X", "X", "", "take_break", "", word, ""]

    assert run_import(CODES, codes_csv(tmp_path, [row])).ok

    assert code("Support", "X").active is expected


def test_action_keys_are_trimmed_and_read_in_any_case(tmp_path):
    row = ["Support", "X", "X", "", " Take_Break ; logout;", "", "", ""]

    assert run_import(CODES, codes_csv(tmp_path, [row])).ok

    assert action_keys(code("Support", "X")) == ["logout", "take_break"]


BAD_ROWS = [
    pytest.param(
        ["Support", "NAP", "Nap", "", "take_nap", "", "", ""],
        "actions: Unknown action(s) “take_nap”",
        id="unknown-action",
    ),
    pytest.param(
        ["Support", "BACK", "Back", "", "go_available", "", "", ""],
        "actions: No status code goes with “go_available”",
        id="action-without-code",
    ),
    pytest.param(
        ["Support", "IN", "In", "", "take_break;login", "", "", ""],
        "actions: No status code goes with “login”",
        id="login-among-actions",
    ),
    pytest.param(
        ["Support", "NONE", "None", "", "", "", "", ""],
        "actions: Give at least one action",
        id="no-action",
    ),
    pytest.param(
        ["Support", "NOLABEL", "", "", "take_break", "", "", ""],
        "label: Give the code's label.",
        id="empty-label",
    ),
    pytest.param(
        ["Support", "", "Nameless", "", "take_break", "", "", ""],
        "code: Give the code's key",
        id="empty-code",
    ),
    pytest.param(
        ["Support", "TWO WORDS", "Two words", "", "take_break", "", "", ""],
        "code: A code key may contain only letters, digits",
        id="code-with-space",
    ),
    pytest.param(
        ["Support", "X" * 33, "Long", "", "take_break", "", "", ""],
        "code: Ensure this value has at most 32 characters (it has 33).",
        id="code-too-long",
    ),
    pytest.param(
        ["L" * 101, "LONG", "Long", "", "take_break", "", "", ""],
        "list: Ensure this value has at most 100 characters (it has 101).",
        id="list-name-too-long",
    ),
    pytest.param(
        ["Support", "WORDY", "W" * 101, "", "take_break", "", "", ""],
        "label: Ensure this value has at most 100 characters (it has 101).",
        id="label-too-long",
    ),
    pytest.param(
        ["", "ORPHAN", "Orphan", "", "take_break", "", "", ""],
        "list: Give the status code list's name.",
        id="empty-list",
    ),
    pytest.param(
        ["Support", "SOON", "Soon", "", "take_break", "soon", "", ""],
        "sort_order: “soon” is not a whole number.",
        id="sort-order-not-a-number",
    ),
    pytest.param(
        ["Support", "NEG", "Neg", "", "take_break", "-1", "", ""],
        "sort_order: The sort order may not be negative.",
        id="negative-sort-order",
    ),
    pytest.param(
        ["Support", "MAYBE", "Maybe", "", "take_break", "", "maybe", ""],
        "active: “maybe” is not true or false.",
        id="bad-boolean",
    ),
    pytest.param(
        ["Support", "ZERO", "Zero", "", "take_break", "", "", "0"],
        "max_minutes: The maximum minutes must be more than 0",
        id="zero-max-minutes",
    ),
    pytest.param(
        ["Support", "HALF", "Half", "", "take_break", "", "", "1.5"],
        "max_minutes: “1.5” is not a whole number.",
        id="fractional-max-minutes",
    ),
]


@pytest.mark.parametrize("bad_row, reason", BAD_ROWS)
def test_a_bad_row_refuses_the_whole_file_and_names_its_line(tmp_path, support_list, bad_row,
                                                            reason):  # fmt: skip
    before = database_state()
    # A good row first, with a list that does not exist yet: neither may be written.
    good_row = ["Brand new list", "COFFEE", "Coffee", "", "take_break", "5", "true", ""]

    run = run_import(CODES, codes_csv(tmp_path, [good_row, bad_row]))

    assert not run.ok
    assert f"line 3: {reason}" in run.err
    assert "line 2" not in run.err
    assert "nothing was written" in run.error
    assert database_state() == before


def test_a_repeated_list_and_code_is_refused_naming_the_first_line(tmp_path, support_list):
    before = database_state()
    rows = [GOOD_ROW, ["Support", "TEA", "Tea", "", "take_break", "", "", ""], GOOD_ROW]

    run = run_import(CODES, codes_csv(tmp_path, rows))

    assert not run.ok
    assert run.problems == [
        "line 4: Repeats line 2: list + code “Support / COFFEE” may appear only once."
    ]
    assert database_state() == before


def test_every_bad_line_is_listed_not_only_the_first(tmp_path, support_list):
    rows = [
        ["Support", "NAP", "Nap", "", "take_nap", "", "", ""],
        GOOD_ROW,
        ["Support", "BAD KEY", "", "", "take_break", "", "", "-3"],
    ]

    run = run_import(CODES, codes_csv(tmp_path, rows))

    assert not run.ok
    assert [problem.split(":")[0:2] for problem in run.problems] == [
        ["line 2", " actions"],
        ["line 4", " code"],
        ["line 4", " label"],
        ["line 4", " max_minutes"],
    ]


def test_a_list_created_by_the_import_gets_one_history_record(tmp_path):
    rows = [
        ["Back office", "A", "A", "", "take_break", "", "", ""],
        ["Back office", "B", "B", "", "take_break", "", "", ""],
    ]

    assert run_import(CODES, codes_csv(tmp_path, rows)).ok

    back_office = StatusCodeList.objects.get(name="Back office")
    assert back_office.history.count() == 1
    assert back_office.active
    assert back_office.codes.count() == 2
