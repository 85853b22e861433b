"""Import and export of status codes (docs/imports.md), for the admin and `manage.py import` and
`export`."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from modeltranslation.utils import build_localized_fieldname

from core.choices import CODED_ACTIONS, AgentAction
from core.importing.cells import cell_text, quoted_list
from core.importing.resources import ConfigurationResource
from core.importing.widgets import (
    ByNameWidget,
    KeyListWidget,
    TextWidget,
    WholeNumberWidget,
    YesNoWidget,
)

from .models import Action, StatusCode, StatusCodeList, secondary_language_choices

# The columns of a status code file, in order (docs/imports.md); every one is required, and the
# admin's field lists are these too. Each column sets the model field of its name, except
# `list` (`code_list`).
CODE_SETTINGS = ("sort_order", "active", "max_minutes")
CODE_COLUMNS = ("list", "code", "label", "description", "actions", *CODE_SETTINGS)
CODE_FIELDS = tuple("code_list" if column == "list" else column for column in CODE_COLUMNS)
# Optional columns, after those: a file without them imports and leaves them as they are.
# (`report_label_<lang>` follow for each secondary language, like the labels'.)
CODE_OPTIONAL_COLUMNS = ("report_label", "paid", "auto_end_minutes")


class ActionsWidget(KeyListWidget):
    """`;`-separated action keys, exported in the vocabulary's order (core.choices)."""

    def __init__(self):
        super().__init__(Action, field="key", noun_plural=_("actions"))

    def normalise(self, key: str) -> str:
        return key.lower()

    def check_keys(self, keys: list[str]) -> None:
        valid = ", ".join(CODED_ACTIONS)
        if not keys:
            raise ValueError(
                _("Give at least one action, separated by “;”. Actions: %(valid)s.")
                % {"valid": valid}
            )
        codeless = [key for key in keys if key in AgentAction.values and key not in CODED_ACTIONS]
        if codeless:
            raise ValueError(
                _("No status code goes with %(codeless)s. Actions that take a code: %(valid)s.")
                % {"codeless": quoted_list(codeless), "valid": valid}
            )
        unknown = [key for key in keys if key not in CODED_ACTIONS]
        if unknown:
            raise ValueError(
                _("Unknown action(s) %(unknown)s. Actions that take a code: %(valid)s.")
                % {"unknown": quoted_list(unknown), "valid": valid}
            )

    def sort_keys(self, keys: list[str]) -> list[str]:
        return sorted(keys, key=CODED_ACTIONS.index)


def primary(field_name: str) -> str:
    """The modeltranslation column of `field_name` in the primary language, e.g. label_en."""
    return build_localized_fieldname(field_name, settings.LANGUAGE_CODE)


class StatusCodeResource(ConfigurationResource):
    """One row per status code; (list, code) is the identity, so re-importing updates.

    `label` and `description` are the primary language; `label_<lang>` and
    `description_<lang>` columns exist for each secondary language of settings.LANGUAGES
    and may be left out of a file (their values then stay as they are), as may `report_label`
    (and `report_label_<lang>`), `paid` and `auto_end_minutes`.
    """

    list = Field(
        attribute="code_list",
        column_name="list",
        widget=ByNameWidget(
            StatusCodeList, noun=_("status code list"), required=True, create_missing=True
        ),
    )
    code = Field(
        attribute="code",
        column_name="code",
        widget=TextWidget(required=True, required_message=_("Give the code's key, e.g. LUNCH.")),
    )
    label = Field(
        attribute=primary("label"),
        column_name="label",
        widget=TextWidget(required=True, required_message=_("Give the code's label.")),
    )
    description = Field(
        attribute=primary("description"), column_name="description", widget=TextWidget(empty=None)
    )
    actions = Field(attribute="actions", column_name="actions", widget=ActionsWidget())
    sort_order = Field(
        attribute="sort_order",
        column_name="sort_order",
        widget=WholeNumberWidget(
            minimum=0, empty=0, minimum_message=_("The sort order may not be negative.")
        ),
    )
    active = Field(attribute="active", column_name="active", widget=YesNoWidget(default=True))
    max_minutes = Field(
        attribute="max_minutes",
        column_name="max_minutes",
        widget=WholeNumberWidget(
            minimum=1,
            empty=None,
            minimum_message=_("The maximum minutes must be more than 0 (or empty for none)."),
        ),
    )

    # The translated fields mirror the primary language's columns, which are checked instead.
    unchecked_model_fields = ("label", "description", "report_label")

    class Meta(ConfigurationResource.Meta):
        model = StatusCode
        fields = CODE_COLUMNS
        import_id_fields = ("list", "code")
        name = "Status codes"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Optional columns are fields beyond `Meta.fields` (the required ones).
        self.fields["report_label"] = Field(
            attribute=primary("report_label"),
            column_name="report_label",
            widget=TextWidget(empty=""),
        )
        self.fields["paid"] = Field(
            attribute="paid", column_name="paid", widget=YesNoWidget(default=False)
        )
        self.fields["auto_end_minutes"] = Field(
            attribute="auto_end_minutes",
            column_name="auto_end_minutes",
            widget=WholeNumberWidget(
                minimum=1,
                empty=None,
                minimum_message=_(
                    "The automatic end must be more than 0 minutes (or empty for none)."
                ),
            ),
        )
        # The secondary languages come from settings, so a language added there gets columns.
        for language, _name in secondary_language_choices():
            for base in ("label", "description", "report_label"):
                column = build_localized_fieldname(base, language)
                self.fields[column] = Field(
                    attribute=column, column_name=column, widget=TextWidget(empty=None)
                )

    def get_queryset(self):
        return (
            StatusCode.objects.select_related("code_list")
            .prefetch_related("actions")
            .order_by("code_list__name", "sort_order", "code")
        )

    def get_instance(self, instance_loader, row):
        return (
            StatusCode.objects.select_related("code_list")
            .filter(code_list__name=cell_text(row.get("list")), code=cell_text(row.get("code")))
            .first()
        )
