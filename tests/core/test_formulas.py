"""The one formula-neutralisation rule, shared by imports and every export."""

import pytest

from core.formulas import neutralise_formula, restore_formula


@pytest.mark.parametrize("value", ["=1+2", "+1", "-2 hours", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["", "Lunch", "1-2", " =1", "'quoted", "é=1"])
def test_other_cells_are_left_alone(value):
    assert neutralise_formula(value) == value


@pytest.mark.parametrize("value", ["'=1", "''+1", "'\t@x"])
def test_a_cell_already_quoted_before_a_trigger_gets_one_more(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["=1", "'=1", "''=1", "-", "'", "''", "'quoted", "\t+x", "Lunch", "", "\r-"]
)
def test_restoring_gives_back_exactly_what_was_neutralised(value):
    assert restore_formula(neutralise_formula(value)) == value
