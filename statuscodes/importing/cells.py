"""One cell of an imported or exported file: text, keys, and formula neutralisation."""

from collections.abc import Iterable
from typing import Any

# A spreadsheet runs a cell that starts with one of these as a formula (SPEC §8).
FORMULA_TRIGGERS = ("=", "+", "-", "@")
FORMULA_ESCAPE = "'"

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


def neutralise_formula(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with `'`, so it shows as text.

    Cells that already start with `'` before a trigger get one more, so that
    `restore_formula` gives back exactly the original value on re-import.
    """
    if value.lstrip(FORMULA_ESCAPE).startswith(FORMULA_TRIGGERS):
        return FORMULA_ESCAPE + value
    return value


def restore_formula(value: str) -> str:
    """Undo `neutralise_formula`, so that an exported file re-imports unchanged."""
    if value.startswith(FORMULA_ESCAPE) and value.lstrip(FORMULA_ESCAPE).startswith(
        FORMULA_TRIGGERS
    ):
        return value[1:]
    return value


def cell_text(value: Any) -> str:
    """A cell as trimmed text; XLSX numbers such as 12.0 read as "12"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore_formula(str(value).strip())


def is_blank(value: Any) -> bool:
    return cell_text(value) == ""


def split_keys(value: Any, separator: str = ";") -> list[str]:
    """The non-empty `separator`-separated items of a cell, in order, without repeats."""
    items = (item.strip() for item in cell_text(value).split(separator))
    return list(dict.fromkeys(item for item in items if item))


def quoted_list(values: Iterable[str]) -> str:
    return ", ".join(f"“{value}”" for value in values)
