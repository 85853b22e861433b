"""The administrators' workplace for configuration: status code lists and their codes."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.utils import build_localized_fieldname

from core.admin import CheckedImportExportMixin, GuardedHistoryAdmin, InUseDeletionMixin
from core.choices import CODED_ACTIONS
from core.importing.files import CSV, XLSX

from .forms import StatusCodeInlineFormSet
from .models import Action, StatusCode, StatusCodeList
from .resources import CODE_FIELDS, CODE_SETTINGS, StatusCodeResource
from .services import (
    code_deletion_blockers,
    code_list_deletion_blockers,
    code_list_duplicate,
    code_lists_set_active,
)


class ActionCheckboxesMixin:
    """A code's `actions` as checkboxes in the vocabulary's order, at least one required."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name != "actions":
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        kwargs["widget"] = forms.CheckboxSelectMultiple
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        position = {key: index for index, key in enumerate(CODED_ACTIONS)}
        # Fixed choices, read once per form class: every row of the list's inline would
        # otherwise query the actions again.
        field.choices = sorted(
            ((action.key, str(action)) for action in Action.objects.all()),
            key=lambda choice: position.get(choice[0], len(position)),
        )
        return field


class StatusCodeInline(ActionCheckboxesMixin, TranslationTabularInline):
    model = StatusCode
    formset = StatusCodeInlineFormSet
    # `label` becomes one column per language (label_en | label_es | …); descriptions are
    # edited on the code's own page, reached by the row's "Change" link.
    fields = ("code", "label", "actions", *CODE_SETTINGS)
    extra = 1
    show_change_link = True

    def get_queryset(self, request):
        # Each row's title is str(code), which names the list.
        return super().get_queryset(request).select_related("code_list").prefetch_related("actions")


@admin.register(StatusCodeList)
class StatusCodeListAdmin(InUseDeletionMixin, GuardedHistoryAdmin):
    list_display = (
        "name",
        "active",
        "secondary_language",
        "codes_count",
        "active_codes_count",
        "groups_count",
    )
    list_filter = ("active", "secondary_language")
    search_fields = ("name", "description")
    fields = ("name", "description", "active", "secondary_language")
    inlines = [StatusCodeInline]
    actions = ["activate", "deactivate", "duplicate", "export_codes_csv", "export_codes_xlsx"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                codes_count=Count("codes", distinct=True),
                active_codes_count=Count("codes", filter=Q(codes__active=True), distinct=True),
                groups_count=Count("groups", distinct=True),
            )
        )

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
    ActionCheckboxesMixin,
    GuardedHistoryAdmin,
    TranslationAdmin,
):
    resource_classes = [StatusCodeResource]
    list_display = ("code", "label", "code_list", "action_keys", *CODE_SETTINGS)
    list_filter = ("code_list", "active", "actions")
    list_select_related = ("code_list",)
    search_fields = (
        "code",
        *(build_localized_fieldname("label", language) for language, _name in settings.LANGUAGES),
    )
    fields = CODE_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actions")

    @admin.display(description=_("actions"))
    def action_keys(self, obj: StatusCode) -> str:
        position = {key: index for index, key in enumerate(CODED_ACTIONS)}
        keys = sorted((action.key for action in obj.actions.all()), key=position.get)
        return ", ".join(keys)

    def deletion_blockers(self, objs) -> list[str]:
        return code_deletion_blockers(objs)
