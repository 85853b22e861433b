"""The admin machinery every app's admin shares.

- `CheckedImportExportMixin`: import-export's Import and Export buttons, all or nothing;
- `InUseDeletionMixin`: the refusal, with reasons, to delete rows that others depend on (each
  app's services say what blocks a deletion);
- `GuardedHistoryAdmin`: the audit history, whose Revert needs the change permission;
- `PeoplePickersMixin`: people named "Full Name (username)" in the pickers of user fields.
"""

from django.contrib import messages
from django.contrib.admin.helpers import AdminForm
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from .admin_site import option_label
from .forms import ImportFileForm
from .importing.files import CSV, XLSX, ImportFileError


class CheckedImportExportMixin(ImportExportMixin):
    """import-export's Import and Export buttons, made all-or-nothing and readable
    (docs/imports.md).

    The preview refuses to confirm when any row is invalid (import-export's own rule); the
    confirmation rolls back on validation errors too, so a file that turned bad in between
    writes nothing. Errors list each line and its reason, never a traceback.
    """

    formats = [CSV, XLSX]
    import_form_class = ImportFileForm
    import_template_name = "admin/import_export/import_all_or_nothing.html"
    # The stock export page has an inline event handler, which the Content-Security-Policy refuses.
    export_template_name = "admin/import_export/export_no_inline_code.html"

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        if not context.get("fields_list"):
            # import-export lists the columns only when the file was read: after a refused file
            # the list would be empty, just when it is needed.
            context["fields_list"] = self.import_fields_list(request)
        result = context.get("result")
        if context.get("confirm_form") and result is not None and not changes_anything(result):
            # Every line is skipped (the same as what is stored): there is nothing to confirm.
            context["confirm_form"] = None
            context["nothing_to_import"] = True
        return response

    def import_fields_list(self, request) -> list[tuple[str, list[str]]]:
        """The columns each import resource reads, as the import page lists them."""
        return [
            (
                resource.get_display_name(),
                [field.column_name for field in resource.get_user_visible_fields()],
            )
            for resource in (
                resource_class(**self.get_import_resource_kwargs(request))
                for resource_class in self.get_import_resource_classes(request)
            )
        ]

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
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "result": result,
            "fields_list": self.import_fields_list(request),
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)


def changes_anything(result) -> bool:
    """Whether a previewed import would add, change or delete a row."""
    return any(
        result.totals[kind]
        for kind in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
            RowResult.IMPORT_TYPE_DELETE,
        )
    )


class InUseDeletionMixin:
    """Refuse, with the reasons, to delete rows that others depend on (docs/concepts.md,
    "Deleting: codes in use are never deleted").

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
        # One transaction, as the change page's: what the form checks or locks (an agent's row)
        # holds until its save, and a save that fails leaves nothing half-written.
        with transaction.atomic(using=router.db_for_write(self.model)):
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


class PeoplePickersMixin:
    """User fields (a group's supervisors, an agent's or a token's user) name people as
    "María López (maria)", in the chosen options as in the autocomplete's answers
    (`core.admin_site.option_label`)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._people_labels(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._people_labels(super().formfield_for_manytomany(db_field, request, **kwargs))

    @staticmethod
    def _people_labels(field):
        if field is not None and issubclass(field.queryset.model, AbstractBaseUser):
            field.label_from_instance = option_label
        return field
