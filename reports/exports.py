"""CSV and XLSX exports of a whole report, streamed, with the columns of docs/reports.md (the
header and the text columns come from the report's column spec, `Report.export`).

CSV is written row by row while the database cursor is read (under an ASGI server, through an
asynchronous iterator: Django's ASGI handler would read a synchronous one whole before sending
its first byte); XLSX is written by XlsxWriter in
constant-memory mode to a temporary file that is then streamed, up to `XLSX_MAX_ROWS` rows. A
text cell that a spreadsheet would run as a formula gets a leading apostrophe
(`core.formulas`); numbers stay numbers.
"""

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import xlsxwriter
from asgiref.sync import sync_to_async
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.translation import gettext as _

from core.formulas import RISKY_FIRST_CHARACTERS, neutralise_formula

from .selectors.common import Report

FORMATS = ("csv", "xlsx")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    """A report's file: its name (without extension), header and rows of cells.

    `text_columns` are the positions of the cells that may hold text typed by people (names,
    labels): only those can start a formula; the others are numbers, dates and keys that the
    export writes itself.
    """

    name: str
    header: Sequence[str]
    rows: Iterable[list]
    text_columns: Sequence[int]

    @classmethod
    def of(cls, report: Report, *, name: str, order: Sequence[str] = ()) -> "Export":
        """The whole of `report` in `order`, with the header and text columns of its spec."""
        return cls(
            name=name,
            header=report.export_header,
            rows=report.cells(order=order),
            text_columns=report.text_indexes,
        )


# Rows per piece of the streamed CSV: one piece per row would mean one socket write per row.
CSV_ROWS_PER_CHUNK = 1000


def _neutralised(row: list, text_columns: Sequence[int]) -> list:
    for index in text_columns:
        cell = row[index]
        if cell and cell[0] in RISKY_FIRST_CHARACTERS:
            row[index] = neutralise_formula(cell)
    return row


def _csv_chunks(export: Export) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export.header)
    for number, row in enumerate(export.rows, start=1):
        writer.writerow(_neutralised(row, export.text_columns))
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


async def _asynchronous(chunks: Iterator[str]) -> AsyncIterator[str]:
    # Each chunk is read in the request's thread (thread-sensitive), where its cursor is.
    next_chunk = sync_to_async(partial(next, chunks, None))
    try:
        while (chunk := await next_chunk()) is not None:
            yield chunk
    finally:
        await sync_to_async(chunks.close)()


def csv_response(export: Export, *, asynchronous: bool = False) -> StreamingHttpResponse:
    chunks = _csv_chunks(export)
    response = StreamingHttpResponse(
        _asynchronous(chunks) if asynchronous else chunks, content_type=CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{export.name}.csv"'
    return response


# An XLSX file is built whole before its first byte is sent, within the request, at some
# 70 µs of processor time a row: 100,000 rows take 7 seconds on an idle machine, and stay
# within gunicorn's 30-second time-out on a busy one (docs/performance.md#xlsx-exports).
XLSX_MAX_ROWS = 100_000


class TooManyRows(Exception):
    """The export has more rows than an XLSX file is built for within a request."""


def _write_xlsx(export: Export, file) -> None:
    # XlsxWriter keeps the rows in a file of its own until close() packs them into `file`; in
    # a folder of ours, which goes whether or not the workbook is packed (a refused export
    # is not).
    with tempfile.TemporaryDirectory(prefix="export-") as scratch:
        workbook = xlsxwriter.Workbook(file, {"constant_memory": True, "tmpdir": scratch})
        sheet = workbook.add_worksheet(export.name[:31])
        # The typed writers: write() would test every string for a number, a formula or a
        # URL, and the cells already are what they must be.
        write_string, write_number = sheet.write_string, sheet.write_number
        for column, name in enumerate(export.header):
            write_string(0, column, name)
        for line, row in enumerate(export.rows, start=1):
            if line > XLSX_MAX_ROWS:
                raise TooManyRows
            for column, cell in enumerate(_neutralised(row, export.text_columns)):
                if isinstance(cell, str):
                    write_string(line, column, cell)
                elif cell is not None:
                    write_number(line, column, cell)
        workbook.close()


def xlsx_response(export: Export) -> FileResponse | HttpResponseBadRequest:
    # The file disappears when the response closes it, after its last byte is sent.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    try:
        _write_xlsx(export, file)
    except TooManyRows:
        file.close()
        return HttpResponseBadRequest(
            _(
                "This export has more than %(rows)s rows, more than an XLSX file is built for "
                "while you wait. Download it as CSV, or narrow the window or choose a group "
                "or an agent."
            )
            % {"rows": f"{XLSX_MAX_ROWS:,}"},
            content_type="text/plain; charset=utf-8",
        )
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=f"{export.name}.xlsx", content_type=XLSX_TYPE
    )


def export_response(export: Export, file_format: str, *, asynchronous: bool = False):
    """`asynchronous` for a request served by an ASGI server."""
    if file_format == "csv":
        return csv_response(export, asynchronous=asynchronous)
    return xlsx_response(export)
