"""Reading CSV and XLSX files: formats, encodings, and what to say when a file is unreadable."""

import csv
import io
import zipfile

import openpyxl
import tablib
from django.utils.translation import gettext as _
from import_export.formats import base_formats

from . import workbooks
from .cells import MAX_CELL_LENGTH, cell_text


class ImportFileError(Exception):
    """The file as a whole cannot be imported (format, encoding, columns)."""


# Beyond what any contact center configures, and what an import gets through in minutes.
MAX_ROWS = 100_000
MAX_COLUMNS = 100


def too_many_rows() -> str:
    return _("The file has more than %(rows)s rows under its header; split it.") % {
        "rows": f"{MAX_ROWS:,}"
    }


def too_long(line: int, cell) -> str:
    # No spreadsheet program writes a longer cell; a CSV cell is refused on its line instead.
    return _(
        "Line %(line)s holds %(length)s characters in column %(column)s; a spreadsheet cell "
        "holds at most %(max)s."
    ) % {
        "line": line,
        "length": f"{len(cell.value):,}",
        "column": cell.column_letter,
        "max": f"{MAX_CELL_LENGTH:,}",
    }


class CSV(base_formats.CSV):
    """CSV read as a spreadsheet shows it: blank lines kept (so line numbers match).

    A line with more cells than the header is refused with its line number; trailing
    empty cells (a stray comma) are dropped.
    """

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        reader = csv.reader(io.StringIO(in_stream))
        dataset = tablib.Dataset()
        try:
            headers = next(reader, [])
            if not headers:
                return dataset
            dataset.headers = headers
            for line, cells in enumerate(reader, start=2):
                if line > MAX_ROWS + 1:
                    raise ImportFileError(too_many_rows())
                if len(cells) > len(headers):
                    if any(cell.strip() for cell in cells[len(headers) :]):
                        raise ImportFileError(
                            _(
                                "Line %(line)s has %(cells)s cells but the header has "
                                "%(columns)s; put quotes around values that contain commas."
                            )
                            % {"line": line, "cells": len(cells), "columns": len(headers)}
                        )
                    cells = cells[: len(headers)]
                dataset.append(cells + [""] * (len(headers) - len(cells)))
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)s is not valid CSV: %(error)s.")
                % {"line": reader.line_num, "error": error}
            ) from None
        return dataset


class XLSX(base_formats.XLSX):
    """XLSX from the first sheet (whichever sheet was open when saved); formulas are refused.

    A formula cell is read neither as its text nor as its result: the result is only there if
    the program that saved the file computed it, so the import would depend on which program
    that was. The file is refused with each formula's line and column instead.

    Before openpyxl parses anything, `workbooks.check_workbook` refuses a workbook that would
    unpack to more than an import reads (a zip bomb).
    """

    MAX_FORMULAS_LISTED = 10

    def create_dataset(self, in_stream):
        if not in_stream.startswith(b"PK"):
            raise ImportFileError(
                _(
                    "The file is not an XLSX workbook: if it is CSV, choose the CSV format "
                    "(or name it .csv)."
                )
            )
        try:
            with zipfile.ZipFile(io.BytesIO(in_stream)) as archive:
                workbooks.check_workbook(archive)
            workbook = openpyxl.load_workbook(
                io.BytesIO(in_stream), read_only=True, keep_links=False
            )
            rows, formulas = (
                self.read_rows(workbook.worksheets[0]) if workbook.worksheets else ([], [])
            )
        except workbooks.WorkbookRefused as error:
            raise ImportFileError(str(error)) from None
        except ImportFileError:
            raise
        except Exception as error:  # openpyxl raises many kinds for a damaged workbook
            raise ImportFileError(
                _("The file could not be read as an XLSX workbook (%(error)s).")
                % {"error": error.__class__.__name__}
            ) from None
        dataset = tablib.Dataset()
        width = max((len(row) for row in rows), default=0)
        if not width:
            # Rows without a single value (tablib checks every earlier row again for each
            # empty one it is given: a sheet with only row 100000 would take hours).
            return dataset
        values = [row + [None] * (width - len(row)) for row in rows]
        self.refuse_formulas(formulas, headers=values[0])
        dataset.headers = values[0]
        for row in values[1:]:
            dataset.append(row)
        return dataset

    @staticmethod
    def read_rows(sheet) -> tuple[list[list], list[tuple[int, object]]]:
        """The values of the sheet's rows, without trailing empty cells, and its formula cells
        with their line; a huge sheet, or a text longer than a spreadsheet cell, is refused."""
        # The size a sheet declares can be wrong (some programs declare every possible cell,
        # A1:XFD1048576): read the cells it holds instead.
        sheet.reset_dimensions()
        rows, formulas = [], []
        for line, row in enumerate(sheet.rows, start=1):
            width = len(row)
            while width and row[width - 1].value is None:
                width -= 1
            if width > MAX_COLUMNS:
                raise ImportFileError(
                    _(
                        "Line %(line)s has a value in column %(column)s; an import reads at "
                        "most %(columns)s columns."
                    )
                    % {
                        "line": line,
                        "column": row[width - 1].column_letter,
                        "columns": MAX_COLUMNS,
                    }
                )
            if line > MAX_ROWS + 1:
                raise ImportFileError(too_many_rows())
            values = []
            for cell in row[:width]:
                if cell.data_type == "f":
                    formulas.append((line, cell))
                elif isinstance(cell.value, str) and len(cell.value) > MAX_CELL_LENGTH:
                    raise ImportFileError(too_long(line, cell))
                values.append(cell.value)
            rows.append(values)
        return rows, formulas

    def refuse_formulas(self, formulas, *, headers) -> None:
        if not formulas:
            return
        listed = [
            _("line %(line)s, %(column)s: %(formula)s")
            % {
                "line": line,
                "column": cell_text(headers[cell.column - 1]) or cell.column_letter,
                "formula": getattr(cell.value, "text", None) or cell.value,
            }
            for line, cell in formulas[: self.MAX_FORMULAS_LISTED]
        ]
        if len(formulas) > self.MAX_FORMULAS_LISTED:
            listed.append(_("and %(more)s more") % {"more": len(formulas) - len(listed)})
        raise ImportFileError(
            _(
                "The workbook holds %(count)s formula(s), which are not imported: %(cells)s. "
                "Replace each formula by its value (Paste Special → Values), or type the text "
                "with a leading ' to keep it as text, and import again."
            )
            % {"count": len(formulas), "cells": "; ".join(listed)}
        )


FORMATS = {"csv": CSV, "xlsx": XLSX}


def format_for(file_name: str, format_name: str | None) -> str:
    """`csv` or `xlsx`: the format asked for, or the one the file's extension names."""
    if format_name:
        # Accepts import-export's spellings too: CSV, xlsx, import_export....base_formats.CSV.
        name = format_name.rsplit(".", 1)[-1].lower()
        if name not in FORMATS:
            raise ImportFileError(
                _("Unsupported format “%(format)s”: use csv or xlsx.") % {"format": format_name}
            )
        return name
    if file_name == "-":
        raise ImportFileError(_("Give --format csv or --format xlsx to read standard input."))
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in FORMATS:
        raise ImportFileError(
            _("Only CSV and XLSX files can be imported; “%(name)s” is neither.")
            % {"name": file_name}
        )
    return extension


def read_dataset(data: bytes, format_name: str, encoding: str = "utf-8-sig") -> tablib.Dataset:
    """The rows of a CSV or XLSX file; ImportFileError says why the file cannot be read."""
    if format_name == "xlsx":
        return XLSX().create_dataset(data)
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ImportFileError(
            _("Unknown encoding “%(encoding)s”.") % {"encoding": encoding}
        ) from None
    except UnicodeDecodeError as error:
        if data.startswith(b"PK"):
            raise ImportFileError(
                _("The file looks like an XLSX workbook, not CSV: use --format xlsx.")
            ) from None
        if encoding.lower().replace("_", "-") in {"utf-8-sig", "utf-8", "utf8"}:
            encoding = "UTF-8"
        raise ImportFileError(
            _(
                "The file is not valid %(encoding)s text (line %(line)s, byte 0x%(byte)02x). "
                "Save it as “CSV UTF-8”, or give its encoding with --encoding, e.g. "
                "--encoding latin-1."
            )
            % {
                "encoding": encoding,
                "line": data[: error.start].count(b"\n") + 1,
                "byte": data[error.start],
            }
        ) from None
    return CSV().create_dataset(text)
