"""The administrators' workplace for configuration: status code lists and their codes.

Also home of the admin classes the agents app reuses: all-or-nothing import/export, the
refusal to delete rows in use, and the audit history whose revert needs the change permission.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Count, ProtectedError, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.utils import build_localized_fieldname
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from agents.choices import CODED_ACTIONS

from .forms import ImportFileForm, StatusCodeInlineFormSet
from .importing.files import CSV, XLSX, ImportFileError
from .models import Action, StatusCode, StatusCodeList
from .resources import StatusCodeResource
from .services import (
    code_deletion_blockers,
    code_list_deletion_blockers,
    code_list_duplicate,
    code_lists_set_active,
)


class CheckedImportExportMixin(ImportExportMixin):
    """import-export's Import and Export buttons, made all-or-nothing and readable (SPEC §8).

    The preview refuses to confirm when any row is invalid (import-export's own rule); the
    confirmation rolls back on validation errors too, so a file that turned bad in between
    writes nothing. Errors list each line and its reason, never a traceback.
    """

    formats = [CSV, XLSX]
    import_form_class = ImportFileForm
    import_template_name = "admin/import_export/import_all_or_nothing.html"
    # The stock export page has an inline event handler, which the Content-Security-Policy refuses.
    export_template_name = "admin/import_export/export_no_inline_code.html"

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            # Our readers say what is wrong and where (line, column, formula, size).
            form.add_error("import_file", str(e))
            return
        chosen = self.get_import_formats()[int(form.cleaned_data["format"])]()
        form.add_error(
            "import_file",
            _(
                "The file could not be read as %(format)s. Choose the format that matches the "
                "file and upload it again."
            )
            % {"format": chosen.get_title().upper()},
        )

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # The previewed file is kept in a temporary folder, which may have been cleaned.
            self.message_user(
                request,
                _("The previewed file is no longer available: upload it again."),
                messages.ERROR,
            )
            app_label, model_name = self.get_model_info()
            return HttpResponseRedirect(
                reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
            )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            return self.render_import_errors(request, result)
        return super().process_result(result, request)

    def render_import_errors(self, request, result):
        """The import page again, with the errors of a confirmation that was rolled back."""
        form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )
        resources = [
            resource_class(**self.get_import_resource_kwargs(request))
            for resource_class in self.get_import_resource_classes(request)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "result": result,
            "fields_list": [
                (
                    resource.get_display_name(),
                    [field.column_name for field in resource.get_user_visible_fields()],
                )
                for resource in resources
            ],
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)


class InUseDeletionMixin:
    """Refuse, with the reasons, to delete rows that others depend on (SPEC §3).

    `deletion_blockers(objs)` returns one sentence per reason; when there are any, the delete
    page and the "delete selected" action show them instead of the confirmation button. The
    database's PROTECT is the last line: if a row comes into use between page and click, the
    ProtectedError becomes a message, not a server error.
    """

    delete_confirmation_template = "admin/delete_in_use_confirmation.html"
    delete_selected_confirmation_template = "admin/delete_selected_in_use_confirmation.html"

    def deletion_blockers(self, objs) -> list[str]:
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        blockers = self.deletion_blockers(objs)
        if blockers:
            # Reasons instead of Django's list of every protected row, which for a code used
            # by a year of events would be a page of millions of lines.
            return [], {}, set(), blockers
        return super().get_deleted_objects(objs, request)

    def protected_error_response(self, request):
        self.message_user(
            request,
            _(
                "Nothing was deleted: it came into use meanwhile. Deactivate it instead, or "
                "reload the page to see why."
            ),
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError:
            return self.protected_error_response(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ProtectedError:
            return self.protected_error_response(request)

    def response_action(self, request, queryset):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset)
        except ProtectedError:
            return self.protected_error_response(request)


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's History pages, where reverting to a past version is changing the object.

    simple-history 3.13.0 hides the Revert button from users who may only view, but saves the
    history form's POST all the same. Here the POST is refused (403) unless the user may change
    the object — and, when it was deleted since, add it, since reverting creates it again.
    Readers still see the past version, as text, like Django's view-only change page.
    """

    def revert_disabled(self, request, obj=None):
        if super().revert_disabled(request, obj) or not self.has_change_permission(request, obj):
            return True
        return (
            obj is not None
            and not self.has_add_permission(request)
            and not self.model._default_manager.filter(pk=obj.pk).exists()
        )

    def history_view(self, request, object_id, extra_context=None):
        self.pk_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history = get_history_model_for_model(self.model)
        try:
            version = history.objects.get(
                **{self.opts.pk.attname: self.pk_or_404(object_id)},
                history_id=history._meta.pk.to_python(version_id),
            )
        except (history.DoesNotExist, ValidationError) as error:
            raise Http404 from error
        if request.method == "POST" and self.revert_disabled(request, version.instance):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(self, request, template, context, **kwargs):
        if template == self.object_history_form_template and context["revert_disabled"]:
            editable = context["adminform"]
            context["adminform"] = AdminForm(
                editable.form,
                editable.fieldsets,
                {},
                readonly_fields=flatten_fieldsets(editable.fieldsets),
                model_admin=self,
            )
        return super().render_history_view(request, template, context, **kwargs)

    def pk_or_404(self, object_id: str):
        # simple-history passes the address's id to the database as it is: "abc" was a 500.
        try:
            return self.opts.pk.to_python(unquote(object_id))
        except ValidationError as error:
            raise Http404 from error


class ActionCheckboxesMixin:
    """A code's `actions` as checkboxes in SPEC §2 order, at least one required."""

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
    fields = ("code", "label", "actions", "sort_order", "active", "max_minutes")
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
        """The codes file of SPEC §7 for these lists: the same columns the import reads."""
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
    list_display = (
        "code",
        "label",
        "code_list",
        "action_keys",
        "sort_order",
        "active",
        "max_minutes",
    )
    list_filter = ("code_list", "active", "actions")
    list_select_related = ("code_list",)
    search_fields = (
        "code",
        *(build_localized_fieldname("label", language) for language, _name in settings.LANGUAGES),
    )
    fields = (
        "code_list",
        "code",
        "label",
        "description",
        "actions",
        "sort_order",
        "active",
        "max_minutes",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actions")

    @admin.display(description=_("actions"))
    def action_keys(self, obj: StatusCode) -> str:
        position = {key: index for index, key in enumerate(CODED_ACTIONS)}
        keys = sorted((action.key for action in obj.actions.all()), key=position.get)
        return ", ".join(keys)

    def deletion_blockers(self, objs) -> list[str]:
        return code_deletion_blockers(objs)
