"""CSV and XLSX exports of a whole report, streamed, with the columns of docs/reports.md (the
header and the text columns come from the report's column spec, `Report.export`).

CSV is written row by row while the database cursor is read (under an ASGI server, through an
asynchronous iterator: Django's ASGI handler would read a synchronous one whole before sending
its first byte), after a UTF-8 byte order mark (so that a spreadsheet program opened by a
double-click reads the accents as UTF-8); XLSX is written by XlsxWriter in constant-memory mode
to a temporary file that is then streamed, up to `XLSX_MAX_ROWS` rows. A text cell that a
spreadsheet would run as a formula gets a leading apostrophe (`core.formulas`); numbers stay
numbers.

The XLSX file holds the CSV's cells typed for a spreadsheet (docs/reports.md, "Exports"): dates
and instants as dates (naive, in the report's zone, named in the header), `H:MM:SS` durations and
whole seconds of time as time values, shares in percent as percentages, flags as booleans; a
totals row at the bottom where the report has totals; the header row frozen.
"""

import csv
import io
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
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
    # How the XLSX file types each cell (`Column.xlsx`: "", "date", "instant", "duration",
    # "seconds", "percent", "flag"); empty: every cell as it is.
    xlsx_kinds: Sequence[str] = ()
    # The sheet's title, and the report's time zone named in the header of its dates.
    sheet: str = ""
    zone: str = ""
    # The totals row ({column name: value}), asked for once every row is written; None: none.
    totals: Callable[[], dict | None] | None = None

    @classmethod
    def of(
        cls,
        report: Report,
        *,
        name: str,
        order: Sequence[str] = (),
        sheet: str = "",
        zone: str = "",
    ) -> "Export":
        """The whole of `report` in `order`, with the header and text columns of its spec."""
        return cls(
            name=name,
            header=report.export_header,
            rows=report.cells(order=order),
            text_columns=report.text_indexes,
            xlsx_kinds=tuple(column.xlsx for column in report.export_columns),
            sheet=sheet,
            zone=zone,
            totals=report.export_totals,
        )


# Rows per piece of the streamed CSV: one piece per row would mean one socket write per row.
CSV_ROWS_PER_CHUNK = 1000


def _neutralised(row: list, text_columns: Sequence[int]) -> list:
    for index in text_columns:
        cell = row[index]
        if cell and cell[0] in RISKY_FIRST_CHARACTERS:
            row[index] = neutralise_formula(cell)
    return row


# Excel takes a CSV file without it for the system's legacy code page (accents garbled); CSV
# readers that know UTF-8 skip it (Python's "utf-8-sig", the history import).
BYTE_ORDER_MARK = "\ufeff"


def _csv_chunks(export: Export) -> Iterator[str]:
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
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


# The characters a sheet's title cannot hold, and its length (Excel's rules).
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_MAX_LENGTH = 31
DATE_FORMAT = "yyyy-mm-dd"
INSTANT_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Hours past 24 are not wrapped: a total of 30 hours shows as 30:00:00.
DURATION_FORMAT = "[h]:mm:ss"
# A share written as a fraction (0.156), shown as the CSV's percent with one decimal (15.6%).
PERCENT_FORMAT = "0.0%"
SECONDS_PER_DAY = 86_400


def sheet_title(title: str) -> str:
    """`title` as Excel accepts a sheet's name: no []:*?/\\, no apostrophe at either end, at
    most 31 characters."""
    cleaned = SHEET_FORBIDDEN.sub(" ", str(title)).strip().strip("'").strip()
    return cleaned[:SHEET_MAX_LENGTH].rstrip() or "Report"


def _seconds_of(duration: str) -> int:
    hours, minutes, seconds = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds)


# The kinds of cell written as a number in a format of their own: a time value is a fraction of
# a day; a percentage a fraction of one.
NUMBER_KINDS: dict[str, tuple[Callable, str]] = {
    # `H:MM:SS` (the CSV's `duration` columns).
    "duration": (lambda cell: _seconds_of(cell) / SECONDS_PER_DAY, DURATION_FORMAT),
    # Whole seconds of time (the agent × code matrix's `_seconds` columns).
    "seconds": (lambda cell: cell / SECONDS_PER_DAY, DURATION_FORMAT),
    # A percent with one decimal (15.6).
    "percent": (lambda cell: cell / 100, PERCENT_FORMAT),
}


def _column_width(name: str, kind: str) -> int:
    typical = {"date": 12, "instant": 20, "duration": 10, "seconds": 10, "flag": 8}.get(kind, 14)
    return max(len(name) + 2, typical)


class _Sheet:
    """One sheet written row by row with the cell writers of each column's kind."""

    def __init__(self, workbook, export: Export) -> None:
        self.sheet = sheet = workbook.add_worksheet(sheet_title(export.sheet or export.name))
        kinds = list(export.xlsx_kinds) or [""] * len(export.header)
        self.formats = {
            "date": workbook.add_format({"num_format": DATE_FORMAT}),
            "instant": workbook.add_format({"num_format": INSTANT_FORMAT}),
            **{
                kind: workbook.add_format({"num_format": number_format})
                for kind, (_number, number_format) in NUMBER_KINDS.items()
            },
        }
        self.bold = workbook.add_format({"bold": True})
        self.bold_numbers = {
            kind: workbook.add_format({"bold": True, "num_format": number_format})
            for kind, (_number, number_format) in NUMBER_KINDS.items()
        }
        self.kinds = kinds
        # Widths and the frozen header come first: constant-memory mode writes rows at once.
        for column, (name, kind) in enumerate(zip(export.header, kinds, strict=True)):
            sheet.set_column(column, column, _column_width(name, kind))
        sheet.freeze_panes(1, 0)
        for column, (name, kind) in enumerate(zip(export.header, kinds, strict=True)):
            # A date's zone: the sheet's dates are naive, so the header says where they are.
            zoned = kind in ("instant", "date") and export.zone
            sheet.write_string(0, column, f"{name} ({export.zone})" if zoned else name, self.bold)
        # The typed writers: write() would test every string for a number, a formula or a
        # URL, and the cells already are what they must be.
        self.writers = [self._writer(kind) for kind in kinds]

    def _writer(self, kind: str) -> Callable:
        sheet = self.sheet
        write_string, write_number = sheet.write_string, sheet.write_number
        if kind == "instant":
            format_ = self.formats["instant"]

            def write(line, column, cell):
                # The cell is the local time with its offset; the sheet's is the local time.
                moment = datetime.fromisoformat(cell).replace(tzinfo=None)
                sheet.write_datetime(line, column, moment, format_)

        elif kind == "date":
            format_ = self.formats["date"]

            def write(line, column, cell):
                # A period shorter than a day stays as the report writes it: its offset tells
                # the two buckets of a repeated autumn hour apart.
                if "T" in cell:
                    write_string(line, column, cell)
                else:
                    sheet.write_datetime(line, column, date.fromisoformat(cell), format_)

        elif kind in NUMBER_KINDS:
            number, format_ = NUMBER_KINDS[kind][0], self.formats[kind]

            def write(line, column, cell):
                write_number(line, column, number(cell), format_)

        elif kind == "flag":

            def write(line, column, cell):
                sheet.write_boolean(line, column, cell == "true")

        else:

            def write(line, column, cell):
                if isinstance(cell, str):
                    write_string(line, column, cell)
                else:
                    write_number(line, column, cell)

        def typed(line, column, cell):
            if cell is None or cell == "":
                return
            write(line, column, cell)

        return typed

    def write_row(self, line: int, row: list) -> None:
        for column, (write, cell) in enumerate(zip(self.writers, row, strict=True)):
            write(line, column, cell)

    def write_totals(self, line: int, header: Sequence[str], totals: dict) -> None:
        self.sheet.write_string(line, 0, _("Total"), self.bold)
        for column, name in enumerate(header):
            value = totals.get(name)
            if value is None:
                continue
            kind = self.kinds[column]
            if kind in NUMBER_KINDS:
                number = NUMBER_KINDS[kind][0]
                self.sheet.write_number(line, column, number(value), self.bold_numbers[kind])
            else:
                self.sheet.write_number(line, column, value, self.bold)


def _write_xlsx(export: Export, file) -> None:
    # XlsxWriter keeps the rows in a file of its own until close() packs them into `file`; in
    # a folder of ours, which goes whether or not the workbook is packed (a refused export
    # is not).
    with tempfile.TemporaryDirectory(prefix="export-") as scratch:
        workbook = xlsxwriter.Workbook(file, {"constant_memory": True, "tmpdir": scratch})
        sheet = _Sheet(workbook, export)
        line = 0
        for line, row in enumerate(export.rows, start=1):
            if line > XLSX_MAX_ROWS:
                raise TooManyRows
            sheet.write_row(line, _neutralised(row, export.text_columns))
        totals = export.totals() if export.totals else None
        if totals is not None and line:
            sheet.write_totals(line + 1, export.header, totals)
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


def export_content(export: Export, file_format: str) -> bytes:
    """The bytes `export_response` sends, whole (a mail's attachment); an XLSX file of more than
    `XLSX_MAX_ROWS` rows raises TooManyRows."""
    if file_format == "csv":
        return "".join(_csv_chunks(export)).encode()
    with tempfile.TemporaryFile(suffix=".xlsx") as file:
        _write_xlsx(export, file)
        file.seek(0)
        return file.read()
