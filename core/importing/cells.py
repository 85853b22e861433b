"""One cell of an imported or exported file: text, keys, what no cell may hold."""

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from core.formulas import neutralise_formula, restore_formula

# Characters nobody types into a cell: PostgreSQL refuses NUL in text, and an XLSX file cannot
# hold any of them, so a value containing one could neither be stored everywhere nor exported.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The most characters an XLSX cell holds (Excel's limit; openpyxl cuts longer text).
MAX_CELL_LENGTH = 32_767

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


def cell_text(value: Any) -> str:
    """A cell as trimmed text; XLSX numbers such as 12.0 read as "12"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore_formula(str(value).strip())


def cell_problem(value: Any) -> str | None:
    """Why a cell cannot be imported whatever its column, or None.

    A value longer than a spreadsheet cell could not be exported to XLSX and back without
    being cut (it is most often a quote left open in a CSV file, swallowing the lines after it).
    """
    if not isinstance(value, str):
        return None
    text = cell_text(value)
    # An export adds a `'` before a formula sign, and the exported cell must fit too.
    limit = MAX_CELL_LENGTH - (len(neutralise_formula(text)) - len(text))
    if len(text) > limit:
        return _(
            "Holds %(length)s characters; a cell may hold at most %(limit)s, as in a "
            "spreadsheet (is a quote left open?)."
        ) % {"length": len(text), "limit": limit}
    found = CONTROL_CHARACTER.search(value)
    if found is None:
        return None
    return _(
        "Contains the invisible control character U+%(code)04X (at position %(position)s); "
        "remove it."
    ) % {"code": ord(found.group()), "position": found.start() + 1}


def is_blank(value: Any) -> bool:
    return cell_text(value) == ""


def split_keys(value: Any, separator: str = ";") -> list[str]:
    """The non-empty `separator`-separated items of a cell, in order, without repeats."""
    items = (item.strip() for item in cell_text(value).split(separator))
    return list(dict.fromkeys(item for item in items if item))


def quoted_list(values: Iterable[str]) -> str:
    return ", ".join(f"“{value}”" for value in values)
