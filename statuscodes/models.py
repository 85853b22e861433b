"""Configuration: status code lists and their codes (docs/concepts.md, "Configuration")."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname, get_language

from core.choices import CODED_ACTIONS, AgentAction

from .validators import CODE_KEY_MAX_LENGTH, validate_code_key


def secondary_language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class Action(models.Model):
    """An agent action that a status code can apply to (core.choices.CODED_ACTIONS); one row per
    key.

    Stored as rows, so that "the active codes of list L for action A, in order" is one indexed
    join on every database (a JSON or delimited column would need a scan on SQLite).
    """

    key = models.CharField(
        _("key"),
        max_length=32,
        primary_key=True,
        choices=[(key, AgentAction(key).label) for key in CODED_ACTIONS],
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["key"]

    def __str__(self) -> str:
        return str(AgentAction(self.key).label)


class CodeOrder(models.TextChoices):
    """How a list sorts its codes in the agent's drop-down."""

    SORT_ORDER = "sort_order", _("By sort order")
    ALPHABETICAL = "alphabetical", _("Alphabetically, in the agent's language")


class StatusCodeList(models.Model):
    """A named set of status codes for one workflow, e.g. "Support" or "Sales"."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    secondary_language = models.CharField(
        _("secondary language"),
        max_length=10,
        blank=True,
        choices=secondary_language_choices,
        help_text=_("The language this list's translations target, if any."),
    )
    code_order = models.CharField(
        _("order of the codes"),
        max_length=16,
        choices=CodeOrder.choices,
        default=CodeOrder.SORT_ORDER,
        help_text=_("How the agent's drop-down sorts this list's codes."),
    )

    class Meta:
        verbose_name = _("status code list")
        verbose_name_plural = _("status code lists")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="statuscodelist_name_not_empty"),
            models.CheckConstraint(
                condition=Q(code_order__in=CodeOrder.values), name="statuscodelist_code_order_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StatusCodeQuerySet(models.QuerySet):
    def offered(
        self,
        *,
        code_list: StatusCodeList | None,
        action: str | None = None,
        language: str | None = None,
    ):
        """The codes of `code_list` an agent may choose for `action` (None: for any action):
        its active codes, in the drop-down's order (docs/concepts.md, "Which codes are
        offered"): the list's `code_order`, alphabetical by the label in `language` (the
        active language by default, falling back to the primary one) or by sort order. An
        inactive list is retired as a whole and offers nothing, as does no list.
        """
        if code_list is None or not code_list.active:
            return self.none()
        codes = self.filter(code_list=code_list, active=True)
        if action is not None:
            codes = codes.filter(actions=action)
        if code_list.code_order == CodeOrder.ALPHABETICAL:
            label = label_in(language or get_language() or settings.LANGUAGE_CODE)
            return codes.annotate(label_shown=label).order_by(Lower("label_shown"), "code")
        return codes.order_by("sort_order", "code")


def label_in(language: str, field: str = "label") -> Coalesce:
    """The translated `field` of a code in `language`, or in the primary language where that
    translation is empty."""
    wanted = build_localized_fieldname(field, language)
    primary = build_localized_fieldname(field, settings.LANGUAGE_CODE)
    return Coalesce(NullIf(F(wanted), Value("")), F(primary), output_field=models.CharField())


class StatusCode(models.Model):
    """A reason an agent gives for an action; `label`, `description` and `report_label` are
    translated."""

    code_list = models.ForeignKey(
        StatusCodeList,
        on_delete=models.CASCADE,
        related_name="codes",
        verbose_name=_("list"),
    )
    code = models.CharField(
        _("code"),
        max_length=CODE_KEY_MAX_LENGTH,
        validators=[validate_code_key],
        help_text=_("Short key, unique within its list, e.g. LUNCH."),
    )
    label = models.CharField(_("label"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    actions = models.ManyToManyField(
        Action,
        related_name="codes",
        verbose_name=_("actions"),
        help_text=_("The agent actions this code can be chosen for."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive codes are hidden from agents.")
    )
    max_minutes = models.PositiveIntegerField(
        _("maximum minutes"),
        null=True,
        blank=True,
        help_text=_("Expected maximum time in a break or offline status with this code."),
    )
    auto_end_minutes = models.PositiveIntegerField(
        _("automatic end (minutes)"),
        validators=[MinValueValidator(1)],
        null=True,
        blank=True,
        help_text=_(
            "Safety net: a break or offline status with this code that lasts this long ends by "
            "itself with the group's timeout action. Empty: it never ends by itself."
        ),
    )

    report_label = models.CharField(
        _("report label"),
        max_length=100,
        blank=True,
        help_text=_("What reports show instead of the label, if set."),
    )
    # Breaks are usually unpaid; a paid one (a short rest break, a coaching session) is marked.
    paid = models.BooleanField(
        _("paid"),
        default=False,
        help_text=_("Time with this code is paid time; reports total paid and unpaid time."),
    )

    objects = StatusCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("status code")
        verbose_name_plural = _("status codes")
        ordering = ["code_list", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="statuscode_unique_in_list"),
            models.CheckConstraint(condition=~Q(code=""), name="statuscode_code_not_empty"),
            models.CheckConstraint(
                condition=Q(max_minutes__isnull=True) | Q(max_minutes__gt=0),
                name="statuscode_max_minutes_positive",
            ),
            models.CheckConstraint(
                condition=Q(auto_end_minutes__isnull=True) | Q(auto_end_minutes__gt=0),
                name="statuscode_auto_end_minutes_positive",
            ),
        ]
        indexes = [
            models.Index(
                fields=["code_list", "active", "sort_order"], name="statuscode_offered_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_list.name} / {self.code}"
