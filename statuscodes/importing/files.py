"""Reading CSV and XLSX files: formats, encodings, and what to say when a file is unreadable."""

import csv
import io

import tablib
from django.utils.translation import gettext as _
from import_export.formats import base_formats


class ImportFileError(Exception):
    """The file as a whole cannot be imported (format, encoding, columns)."""


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
    """XLSX from the first sheet; an empty sheet gives an empty dataset."""

    def create_dataset(self, in_stream):
        if not in_stream.startswith(b"PK"):
            raise ImportFileError(
                _(
                    "The file is not an XLSX workbook (if it is CSV, name it .csv "
                    "or use --format csv)."
                )
            )
        try:
            return super().create_dataset(in_stream)
        except StopIteration:
            return tablib.Dataset()
        except Exception as error:  # openpyxl raises many kinds for a damaged workbook
            raise ImportFileError(
                _("The file could not be read as an XLSX workbook (%(error)s).")
                % {"error": error.__class__.__name__}
            ) from None


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
