"""The administrators' workplace for configuration: status code lists and their codes."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q, Value
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from core.admin import CheckedImportExportMixin, GuardedHistoryAdmin, InUseDeletionMixin
from core.choices import CODED_ACTIONS, AgentAction
from core.importing.files import CSV, XLSX
from core.search import unaccented

from .forms import ActionChips, StatusCodeInlineFormSet, action_choices
from .models import StatusCode, StatusCodeList, secondary_language_choices
from .resources import CODE_FIELDS, CODE_OPTIONAL_COLUMNS, CODE_SETTINGS, StatusCodeResource
from .services import (
    code_deletion_blockers,
    code_list_deletion_blockers,
    code_list_duplicate,
    code_lists_set_active,
)


class ActionChipsMixin:
    """A code's `actions` as toggle chips in the vocabulary's order, at least one required."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name != "actions":
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        kwargs["widget"] = ActionChips
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        # Fixed choices, from the vocabulary: every row of the list's inline would otherwise
        # query the actions again.
        field.choices = action_choices()
        return field


def action_labels(keys) -> str:
    """Action keys as people read them, in the vocabulary's order: "Take break, Reject phone"."""
    position = {key: index for index, key in enumerate(CODED_ACTIONS)}
    return ", ".join(
        str(AgentAction(key).label) for key in sorted(keys, key=lambda key: position.get(key, 99))
    )


def label_field(language: str) -> str:
    return build_localized_fieldname("label", language)


def language_name(language: str) -> str:
    return dict(settings.LANGUAGES).get(language, language)


class StatusCodeInline(ActionChipsMixin, TranslationTabularInline):
    """The list's codes, one compact row each: key, the primary label and the list's secondary
    language's, actions, order, active and maximum minutes. The rest (labels in the other
    languages, descriptions, and every other field of a code) is folded under the row's "More"
    (docs/admin.md, "Status code lists")."""

    model = StatusCode
    formset = StatusCodeInlineFormSet
    template = "statuscodes/admin/codes_inline.html"
    extra = 1
    show_change_link = True
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    class Media:
        js = ["js/admin_codes.js"]

    def get_fieldsets(self, request, obj=None):
        secondary = obj.secondary_language if obj else ""
        row = [
            "code",
            label_field(settings.LANGUAGE_CODE),
            *([label_field(secondary)] if secondary else []),
            "actions",
            *CODE_SETTINGS,
        ]
        languages = [settings.LANGUAGE_CODE, *([secondary] if secondary else [])]
        languages += [code for code, _name in settings.LANGUAGES if code not in languages]
        more = [label_field(code) for code in languages if label_field(code) not in row]
        more += [build_localized_fieldname("description", code) for code in languages]
        more += [build_localized_fieldname("report_label", code) for code in languages]
        # Fields of a code that neither part names yet (added since) go under "More" too.
        translated = {
            name
            for original in translator.get_options_for_model(StatusCode).fields
            for name in (
                original,
                *(build_localized_fieldname(original, code) for code in languages),
            )
        }
        more += [
            field.name
            for field in (*StatusCode._meta.fields, *StatusCode._meta.many_to_many)
            if field.editable
            and not field.primary_key
            and field.name not in {"code_list", *row, *more, *translated}
        ]
        return [(None, {"fields": row}), (_("More"), {"fields": more})]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.secondary_label = (
            label_field(obj.secondary_language) if obj and obj.secondary_language else ""
        )
        return formset

    def get_queryset(self, request):
        # Each row's title is str(code), which names the list.
        return super().get_queryset(request).select_related("code_list").prefetch_related("actions")


def translated_codes_count():
    """The number of a list's codes labelled in its secondary language (0 without one)."""
    counts = [
        Count(
            "codes",
            filter=Q(secondary_language=code) & Q(**{f"codes__{label_field(code)}__gt": ""}),
            distinct=True,
        )
        for code, _name in secondary_language_choices()
    ]
    return sum(counts[1:], counts[0]) if counts else Value(0)


@admin.register(StatusCodeList)
class StatusCodeListAdmin(InUseDeletionMixin, GuardedHistoryAdmin):
    list_display = (
        "name",
        "active",
        "codes_count",
        "active_codes_count",
        "translations",
        "groups_count",
    )
    list_filter = ("active", "secondary_language")
    search_fields = unaccented("name", "description")
    # One line for the list itself, so that its codes start near the top of the screen.
    fieldsets = [
        (
            None,
            {"fields": [("name", "active", "secondary_language"), "code_order", "description"]},
        )
    ]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    inlines = [StatusCodeInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The codes' table takes the page's whole width: no menu beside it.
        extra_context = {**(extra_context or {}), "is_nav_sidebar_enabled": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    actions = ["activate", "deactivate", "duplicate", "export_codes_csv", "export_codes_xlsx"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                codes_count=Count("codes", distinct=True),
                active_codes_count=Count("codes", filter=Q(codes__active=True), distinct=True),
                groups_count=Count("groups", distinct=True),
                translated_count=translated_codes_count(),
            )
        )

    @admin.display(description=_("translations"))
    def translations(self, obj: StatusCodeList) -> str:
        """How many codes have a label in the list's secondary language: "12/13 Spanish"."""
        if not obj.secondary_language:
            return "—"
        return _("%(translated)d/%(codes)d %(language)s") % {
            "translated": obj.translated_count,
            "codes": obj.codes_count,
            "language": language_name(obj.secondary_language),
        }

    @admin.display(description=_("codes"), ordering="codes_count")
    def codes_count(self, obj: StatusCodeList) -> int:
        return obj.codes_count

    @admin.display(description=_("active codes"), ordering="active_codes_count")
    def active_codes_count(self, obj: StatusCodeList) -> int:
        return obj.active_codes_count

    @admin.display(description=_("groups using it"), ordering="groups_count")
    def groups_count(self, obj: StatusCodeList) -> int:
        return obj.groups_count

    def deletion_blockers(self, objs) -> list[str]:
        return code_list_deletion_blockers(objs)

    @admin.action(description=_("Activate the selected lists"), permissions=["change"])
    def activate(self, request, queryset):
        changed = code_lists_set_active(code_lists=queryset, active=True, user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d list activated.", "%(count)d lists activated.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate the selected lists"), permissions=["change"])
    def deactivate(self, request, queryset):
        changed = code_lists_set_active(code_lists=queryset, active=False, user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d list deactivated.", "%(count)d lists deactivated.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Duplicate the selected lists with their codes"), permissions=["add"]
    )
    def duplicate(self, request, queryset):
        copies = [code_list_duplicate(code_list=code_list) for code_list in queryset]
        self.message_user(
            request,
            ngettext(
                "%(count)d list duplicated: %(names)s.",
                "%(count)d lists duplicated: %(names)s.",
                len(copies),
            )
            % {"count": len(copies), "names": ", ".join(f"“{copy.name}”" for copy in copies)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Export the codes of the selected lists (CSV)"), permissions=["view"]
    )
    def export_codes_csv(self, request, queryset):
        return self.export_codes(queryset, CSV())

    @admin.action(
        description=_("Export the codes of the selected lists (XLSX)"), permissions=["view"]
    )
    def export_codes_xlsx(self, request, queryset):
        return self.export_codes(queryset, XLSX())

    def export_codes(self, code_lists, file_format) -> HttpResponse:
        """The codes file of these lists (docs/imports.md): the same columns the import reads."""
        codes = StatusCode.objects.filter(code_list__in=code_lists)
        dataset = StatusCodeResource().export(queryset=codes)
        response = HttpResponse(
            file_format.export_data(dataset), content_type=file_format.get_content_type()
        )
        filename = f"status-codes-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(StatusCode)
class StatusCodeAdmin(
    InUseDeletionMixin,
    CheckedImportExportMixin,
    ActionChipsMixin,
    GuardedHistoryAdmin,
    TranslationAdmin,
):
    resource_classes = [StatusCodeResource]
    list_display = ("code", "label", "code_list", "action_labels", *CODE_SETTINGS, "paid")
    list_filter = ("code_list", "active", "actions")
    list_select_related = ("code_list",)
    search_fields = unaccented(
        "code",
        *(build_localized_fieldname("label", language) for language, _name in settings.LANGUAGES),
    )
    fields = (*CODE_FIELDS, *CODE_OPTIONAL_COLUMNS)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actions")

    @admin.display(description=_("actions"))
    def action_labels(self, obj: StatusCode) -> str:
        return action_labels(action.key for action in obj.actions.all())

    def deletion_blockers(self, objs) -> list[str]:
        return code_deletion_blockers(objs)
