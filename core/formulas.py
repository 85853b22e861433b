"""Spreadsheet formula neutralisation of the configuration files.

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` as a formula. An export
writes such a text cell with a leading `'`, so that it shows as text; an import gives back
exactly the original value (docs/security.md, "Spreadsheet formulas").
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@")
FORMULA_ESCAPE = "'"
# The first characters of a cell that may need a look past its leading apostrophes.
_SUSPECT_STARTS = frozenset((*FORMULA_TRIGGERS, FORMULA_ESCAPE))


def neutralise_formula(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would run it as a formula.

    A value that already starts with `'` before a trigger gets one more, so that
    `restore_formula` gives back exactly the original value.
    """
    if (
        value
        and value[0] in _SUSPECT_STARTS
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
