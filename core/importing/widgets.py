"""Widgets of the import resources: each turns one cell into a value, or explains why not.

A widget raises ValueError with a sentence a person can act on; the resource turns it into a
row-level validation error under the cell's column.
"""

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from import_export import widgets

from .cells import FALSE_WORDS, TRUE_WORDS, cell_text, quoted_list, split_keys


class TextWidget(widgets.Widget):
    """Trimmed text; `required` refuses an empty cell with `required_message`."""

    def __init__(self, *, required: bool = False, required_message: str = "", empty=""):
        super().__init__(coerce_to_string=True)
        self.required = required
        self.required_message = required_message
        self.empty = empty

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text:
            return text
        if self.required:
            raise ValueError(self.required_message or _("This column may not be empty."))
        return self.empty

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class YesNoWidget(widgets.Widget):
    """true/false, 1/0, yes/no in any case; an empty cell means `default`."""

    def __init__(self, *, default: bool):
        super().__init__(coerce_to_string=True)
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        word = cell_text(value).lower()
        if word == "":
            return self.default
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("“%(value)s” is not true or false.") % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        return "true" if value else "false"


# Digits as people type them: Python's int() would also take "1_000" and "١٢".
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
# The largest value an integer column holds on every supported database (PostgreSQL's integer),
# so that a file valid on SQLite is valid on PostgreSQL too.
LARGEST_WHOLE_NUMBER = 2_147_483_647


class WholeNumberWidget(widgets.Widget):
    """A whole number of at least `minimum` (and at most 2147483647); empty means `empty`."""

    def __init__(self, *, minimum: int, empty: int | None, minimum_message: str):
        super().__init__(coerce_to_string=True)
        self.minimum = minimum
        self.empty = empty
        self.minimum_message = minimum_message

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text == "":
            return self.empty
        if not WHOLE_NUMBER.fullmatch(text):
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
        if len(text.lstrip("+-").lstrip("0")) > len(str(LARGEST_WHOLE_NUMBER)):
            # Out of range either way; and int() refuses strings of more than 4300 digits.
            number = -LARGEST_WHOLE_NUMBER if text.startswith("-") else LARGEST_WHOLE_NUMBER + 1
        else:
            number = int(text)
        if number < self.minimum:
            raise ValueError(self.minimum_message)
        if number > LARGEST_WHOLE_NUMBER:
            raise ValueError(
                _("The number is too large: at most %(largest)s.")
                % {"largest": LARGEST_WHOLE_NUMBER}
            )
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """One of the keys `choices()` returns (read when the cell is cleaned), in lower case."""

    def __init__(self, *, choices: Callable[[], list[str]], default: Callable[[], str], noun: str):
        super().__init__(coerce_to_string=True)
        self.choices = choices
        self.default = default
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        key = cell_text(value).lower()
        if key == "":
            return self.default()
        if key not in self.choices():
            raise ValueError(
                _("%(noun)s “%(key)s” is not configured; use one of: %(choices)s.")
                % {"noun": self.noun, "key": key, "choices": ", ".join(self.choices())}
            )
        return key

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ByNameWidget(widgets.Widget):
    """A row of `model` found by its unique `field` (e.g. a list by its name).

    With `create_missing`, a missing row is validated and created; the import's transaction
    takes it back if anything in the file is refused.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        field: str = "name",
        noun: str,
        required: bool,
        create_missing: bool = False,
    ):
        super().__init__(coerce_to_string=True)
        self.model = model
        self.field = field
        self.noun = noun
        self.required = required
        self.create_missing = create_missing

    def clean(self, value, row=None, **kwargs):
        name = cell_text(value)
        if name == "":
            if self.required:
                raise ValueError(_("Give the %(noun)s's name.") % {"noun": self.noun})
            return None
        found = self.model._default_manager.filter(**{self.field: name}).first()
        if found is not None:
            return found
        if not self.create_missing:
            raise ValueError(
                _("There is no %(noun)s named “%(name)s”.") % {"noun": self.noun, "name": name}
            )
        created = self.model(**{self.field: name})
        try:
            created.full_clean()
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
        created.save()
        return created

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


class KeyListWidget(widgets.ManyToManyWidget):
    """`;`-separated keys of `model` rows (actions, usernames); unknown keys are named.

    A subclass of import-export's many-to-many widget, so that the values are saved after
    the row's instance and compared as sets when deciding whether a row changed.
    """

    def __init__(self, model: type[models.Model], *, field: str, noun_plural: str):
        super().__init__(model, separator=";", field=field)
        self.noun_plural = noun_plural

    def normalise(self, key: str) -> str:
        return key

    def check_keys(self, keys: list[str]) -> None:
        """Raise ValueError for keys that may not be used, before looking them up."""

    def clean(self, value, row=None, **kwargs):
        keys = list(dict.fromkeys(self.normalise(key) for key in split_keys(value)))
        self.check_keys(keys)
        found = list(self.model._default_manager.filter(**{f"{self.field}__in": keys}))
        unknown = set(keys) - {str(getattr(obj, self.field)) for obj in found}
        if unknown:
            raise ValueError(
                _("Unknown %(nouns)s: %(keys)s.")
                % {"nouns": self.noun_plural, "keys": quoted_list(k for k in keys if k in unknown)}
            )
        return found

    def sort_keys(self, keys: list[str]) -> list[str]:
        return sorted(keys)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(
            self.sort_keys([str(getattr(item, self.field)) for item in value.all()])
        )
