"""Spreadsheet formula neutralisation: one rule for every file the project writes.

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and some
drop a leading tab or carriage return and run what follows. Every export (the reports' files,
the admin's and the command's configuration files) writes such a text cell with a leading `'`,
so that it shows as text; an import gives back exactly the original value (docs/security.md,
"Spreadsheet formulas").
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"
# The first characters of a value that neutralisation may change: a quick test for callers
# that neutralise millions of cells (report exports).
RISKY_FIRST_CHARACTERS = frozenset((*FORMULA_TRIGGERS, FORMULA_ESCAPE))


def neutralise_formula(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would run it as a formula.

    A value that already starts with `'` before a trigger gets one more, so that
    `restore_formula` gives back exactly the original value.
    """
    if (
        value
        and value[0] in RISKY_FIRST_CHARACTERS
        and value.lstrip(FORMULA_ESCAPE).startswith(FORMULA_TRIGGERS)
    ):
        return FORMULA_ESCAPE + value
    return value


def restore_formula(value: str) -> str:
    """Undo `neutralise_formula`, so that an exported file re-imports unchanged."""
    if value.startswith(FORMULA_ESCAPE) and value.lstrip(FORMULA_ESCAPE).startswith(
        FORMULA_TRIGGERS
    ):
        return value[1:]
    return value
