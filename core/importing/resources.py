"""The base of the configuration import resources and how their problems are reported."""

from typing import Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.resources import ModelResource
from import_export.results import InvalidRow, Result, RowResult

from core.formulas import neutralise_formula

from .cells import cell_problem, cell_text, is_blank
from .files import ImportFileError


def line_number(row_number: int) -> int:
    """The spreadsheet line of the `row_number`-th data row: the header is line 1."""
    return row_number + 1


class ImportResult(Result):
    """An import result whose row numbers are the file's lines (header = line 1)."""

    def append_invalid_row(self, number, row, validation_error):
        # A column the file does not have is shown empty, not as import-export's "---".
        values = tuple(row.get(column, "") for column in self.diff_headers)
        self.invalid_rows.append(
            InvalidRow(number=line_number(number), validation_error=validation_error, values=values)
        )

    def append_error_row(self, number, row, errors):
        super().append_error_row(line_number(number), row, errors)

    def row_errors(self):
        return [
            (line_number(row.errors[0].number), row.errors)
            for row in self.rows
            if row.errors and row.errors[0].number is not None
        ]


class ConfigurationResource(ModelResource):
    """Base of the configuration import resources: all or nothing, clear row errors.

    Subclasses declare their fields (named after their columns), list them in `Meta.fields`
    (the columns every file must have, in order) and name the row's identity in
    `Meta.import_id_fields`; `get_instance` finds the row's instance. Fields added beyond
    `Meta.fields` (translations) are columns a file may leave out.
    """

    # Model fields `full_clean` must not check: mirrors of translated fields, set elsewhere.
    unchecked_model_fields: tuple[str, ...] = ()

    class Meta:
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    @classmethod
    def get_result_class(cls):
        return ImportResult

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(self._meta.fields)

    @property
    def identity_columns(self) -> tuple[str, ...]:
        return tuple(self._meta.import_id_fields)

    def columns(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()]

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """Check the file as a whole, then import it; any invalid row rolls back every row.

        File-level problems are reported as the result's base errors without reading any
        row, so the admin shows them as it shows other errors and nothing is written.
        """
        self.normalise_headers(dataset)
        problems = self.file_problems(dataset)
        if problems:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            for problem in problems:
                result.append_base_error(self.get_error_result_class()(ImportFileError(problem)))
            return result
        self._first_line_of_identity: dict[tuple[str, ...], int] = {}
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows,
            # A file with any invalid row writes nothing, whoever imports it (docs/imports.md).
            rollback_on_validation_errors=True,
            **kwargs,
        )

    @staticmethod
    def normalise_headers(dataset: tablib.Dataset) -> None:
        """Column names in lower case without spaces around them, so `Label ` is `label`."""
        if dataset.headers:
            # A byte-order mark survives when a file is read with --encoding utf-8.
            dataset.headers = [
                cell_text(header).replace("\ufeff", "").strip().lower()
                for header in dataset.headers
            ]

    def file_problems(self, dataset: tablib.Dataset) -> list[str]:
        """What is wrong with the file as a whole, one sentence per problem."""
        headers = dataset.headers or []
        if not any(headers):
            return [_("The file is empty: its first line must name the columns.")]
        columns = self.columns()
        problems = []
        repeated = sorted({h for h in headers if h and headers.count(h) > 1})
        if repeated:
            problems.append(
                _("Repeated column(s): %(columns)s.") % {"columns": ", ".join(repeated)}
            )
        missing = [column for column in self.required_columns if column not in headers]
        if missing:
            problems.append(
                _("Missing required column(s): %(columns)s.") % {"columns": ", ".join(missing)}
            )
        unknown = [h for h in dict.fromkeys(headers) if h and h not in columns]
        if unknown:
            problems.append(
                _("Unknown column(s): %(unknown)s. The columns are: %(columns)s.")
                % {"unknown": ", ".join(unknown), "columns": ", ".join(columns)}
            )
        if any(
            not header and any(not is_blank(value) for value in dataset.get_col(index))
            for index, header in enumerate(headers)
        ):
            problems.append(_("A column holds values but has no name on the first line."))
        if not problems and len(dataset) == 0:
            problems.append(_("The file has no rows under its header line."))
        return problems

    def row_identity(self, row) -> tuple[str, ...] | None:
        identity = tuple(cell_text(row.get(column)) for column in self.identity_columns)
        return identity if all(identity) else None

    def import_row(self, row, instance_loader, **kwargs):
        """Import one row; blank rows are skipped, unreadable cells and repeats refused."""
        row_result = self.get_row_result_class()()
        if all(is_blank(value) for value in row.values()):
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        problems: dict[str, list[str]] = {}
        identity = self.row_identity(row)
        if identity is not None:
            first_line = self._first_line_of_identity.setdefault(
                identity, line_number(kwargs["row_number"])
            )
            if first_line != line_number(kwargs["row_number"]):
                problems[NON_FIELD_ERRORS] = [
                    _("Repeats line %(line)s: %(columns)s “%(identity)s” may appear only once.")
                    % {
                        "line": first_line,
                        "columns": " + ".join(self.identity_columns),
                        "identity": " / ".join(identity),
                    }
                ]
        # Checked before any lookup: PostgreSQL cannot even search for a value holding NUL.
        for column, value in row.items():
            if (problem := cell_problem(value)) is not None:
                problems[column] = [problem]
        if problems:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError(problems)
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """Set the instance's fields from the row, collecting every cell's error.

        Many-to-many cells are checked here too (import-export only reads them after the
        instance is saved), so that a bad one is a validation error like any other.
        """
        errors = {}
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            try:
                if isinstance(field.widget, widgets.ManyToManyWidget):
                    field.clean(row)
                else:
                    self.import_field(field, instance, row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Validate like the admin does; errors are keyed by the file's column names."""
        errors = dict(import_validation_errors or {})
        try:
            self.full_clean_instance(instance, exclude=set(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(self.errors_by_column(errors))

    def full_clean_instance(self, instance, *, exclude: set[str]) -> None:
        instance.full_clean(exclude=exclude | set(self.unchecked_model_fields))

    def errors_by_column(self, errors: dict) -> dict[str, list[str]]:
        """`errors` keyed by model field, re-keyed by column, in the columns' order."""
        column_of = {field.attribute: field.column_name for field in self.get_import_fields()}
        by_column: dict[str, list[str]] = {}
        for key, value in errors.items():
            messages = by_column.setdefault(column_of.get(key, key), [])
            messages.extend(m for m in ValidationError(value).messages if m not in messages)
        order = [NON_FIELD_ERRORS, *column_of.values()]
        return dict(
            sorted(
                by_column.items(), key=lambda item: order.index(item[0]) if item[0] in order else 0
            )
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Skip an existing row whose cells all match the database, so it is not saved.

        New rows are never skipped. Empty text matches NULL (translations are nullable).
        """
        if import_validation_errors or original is None or original.pk is None:
            return False
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                wanted = {item.pk for item in field.clean(row)}
                if wanted != set(field.get_value(original).values_list("pk", flat=True)):
                    return False
            elif _empty_as_none(field.get_value(instance)) != _empty_as_none(
                field.get_value(original)
            ):
                return False
        return True

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return neutralise_formula(value) if isinstance(value, str) else value


def _empty_as_none(value: Any) -> Any:
    return None if value == "" else value


def describe_problems(result: Result) -> list[str]:
    """Every problem of an import result, one sentence each: `line N: <reason>`.

    Also reads the results of plain import-export resources (numbered from the first data
    row), so that `manage.py import app.Model FILE` numbers lines the same way.
    """
    numbered_by_line = isinstance(result, ImportResult)
    problems = [str(error.error) for error in result.base_errors]
    by_line: list[tuple[int, str]] = []
    for row in result.invalid_rows:
        line = row.number if numbered_by_line else line_number(row.number)
        for column, messages in row.error_dict.items():
            for message in messages:
                reason = message if column == NON_FIELD_ERRORS else f"{column}: {message}"
                by_line.append((line, reason))
    for row in result.rows:
        by_line.extend((line_number(error.number), str(error.error)) for error in row.errors)
    problems.extend(
        f"line {line}: {reason}" for line, reason in sorted(by_line, key=lambda p: p[0])
    )
    return problems
