"""The import upload form of the admin's Import pages."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm


class ImportFileForm(ImportForm):
    """import-export's upload form, refusing oversized files and text that is not UTF-8.

    Both would otherwise reach the parser: a big file is read whole into memory, and a Latin-1
    file would only say "UnicodeDecodeError encountered".
    """

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats

    def clean_import_file(self):
        import_file = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if import_file.size > limit:
            raise ValidationError(
                _("The file is %(size)s; files larger than %(limit)s are refused.")
                % {"size": filesizeformat(import_file.size), "limit": filesizeformat(limit)},
                code="too_large",
            )
        return import_file

    def clean(self):
        cleaned_data = super().clean()
        import_file = cleaned_data.get("import_file")
        chosen = cleaned_data.get("format")
        if import_file and chosen not in (None, "") and not self.formats[int(chosen)]().is_binary():
            content = import_file.read()
            import_file.seek(0)
            try:
                content.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                self.add_error(
                    "import_file",
                    ValidationError(
                        _(
                            "The file is not UTF-8 text (byte 0x%(byte)02X at position "
                            "%(position)d). Save it as “CSV UTF-8” or choose XLSX, then "
                            "upload it again."
                        )
                        % {"byte": content[error.start], "position": error.start},
                        code="encoding",
                    ),
                )
        return cleaned_data
