"""Which label a report shows for a code: its current label in the reader's language.

Renaming a code relabels its history (docs/timeline.md, "Codes: identity and labels"): reports
read the label from the code now. An empty translation falls back to the primary language, as
modeltranslation does.
"""

from django.conf import settings
from django.db import connection
from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Coalesce, NullIf
from modeltranslation.utils import build_localized_fieldname, get_language


def _label_fields() -> tuple[str, str]:
    """The label columns of the active language and of the primary language."""
    return (
        build_localized_fieldname("label", get_language()),
        build_localized_fieldname("label", settings.LANGUAGE_CODE),
    )


def code_label_expression(code_path: str) -> Func:
    """ORM expression for the label of the code at `code_path` ('' where there is no code)."""
    active, primary = _label_fields()
    # modeltranslation gives each language's column a field class of its own: say the type, or
    # Django refuses to mix them in a reader's language other than the primary one.
    return Coalesce(
        NullIf(F(f"{code_path}__{active}"), Value("")),
        F(f"{code_path}__{primary}"),
        Value(""),
        output_field=CharField(),
    )


def code_label_sql(alias: str) -> str:
    """SQL for the label of the code joined as `alias`."""
    active, primary = (connection.ops.quote_name(field) for field in _label_fields())
    if active == primary:
        return f"{alias}.{primary}"
    return f"COALESCE(NULLIF({alias}.{active}, ''), {alias}.{primary})"
