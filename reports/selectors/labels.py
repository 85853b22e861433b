"""Which label a report shows for a code: its current report label, else its current label, in
the reader's language.

Renaming a code relabels its history (docs/timeline.md, "Codes: identity and labels"): reports
read the label from the code now. A code's `report_label` (8x8's "Report Text"), where set,
is what reports show instead of the label. An empty translation falls back to the primary
language, as modeltranslation does.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext
from modeltranslation.utils import build_localized_fieldname, get_language

from core.choices import SystemReason


def _columns() -> list[str]:
    """The columns to try, in order: the report label in the active language, then in the
    primary language, then the label likewise (each language once)."""
    languages = list(dict.fromkeys([get_language(), settings.LANGUAGE_CODE]))
    return [
        build_localized_fieldname(field, language)
        for field in ("report_label", "label")
        for language in languages
    ]


def code_label_expression(code_path: str) -> Func:
    """ORM expression for the label a report shows of the code at `code_path` ('' where there
    is no code)."""
    return Coalesce(
        *(NullIf(F(f"{code_path}__{column}"), Value("")) for column in _columns()),
        Value(""),
        output_field=CharField(),
    )


def code_label_sql(alias: str) -> str:
    """SQL for the label a report shows of the code joined as `alias`."""
    columns = [f"{alias}.{connection.ops.quote_name(column)}" for column in _columns()]
    return f"COALESCE({', '.join(f'NULLIF({column}, {chr(39)}{chr(39)})' for column in columns)})"


def code_or_reason_label_expression(code_path: str, reason_path: str) -> Case:
    """ORM expression for the label shown: the system reason's translated label where the event
    carries one (missed, timeout, supervisor), the code's label otherwise."""
    return Case(
        *(
            When(**{reason_path: reason}, then=Value(str(label)))
            for reason, label in SystemReason.choices
        ),
        default=code_label_expression(code_path),
        output_field=CharField(),
    )


def reason_label_sql(column: str) -> tuple[str, list[str]]:
    """SQL for the translated label of the system reason in `column` (NULL where it holds none),
    with its parameters: the labels, in the reader's language."""
    params: list[str] = []
    for reason, label in SystemReason.choices:
        params += [reason, str(label)]
    whens = " ".join("WHEN %s THEN %s" for _ in SystemReason.choices)
    return f"CASE {column} {whens} END", params


def code_caption(list_name: str, code: str, label: str) -> str:
    """How a page names a code beside its figures: "Lunch (Support / LUNCH)"; a system reason,
    which belongs to no list, "Missed offer (missed)"; "(no code)" where there is none."""
    if not code:
        return gettext("(no code)")
    return f"{label} ({list_name} / {code})" if list_name else f"{label} ({code})"


def choice_labels(choices: type) -> dict[str, str]:
    """Each key of a choices class (statuses, channels) with its label in the reader's language,
    read now: an export's rows are written after the request's language is gone."""
    return {value: str(label) for value, label in choices.choices}
