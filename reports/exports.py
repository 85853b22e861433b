"""CSV and XLSX exports of a whole report, streamed, with the columns of SPEC §6.

CSV is written row by row while the database cursor is read; XLSX is written by openpyxl in
write-only mode to a temporary file that is then streamed. A text cell that a spreadsheet
would run as a formula (starting with = + - @, or a tab or carriage return) gets a leading
apostrophe; numbers stay numbers.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from .figures import whole_seconds
from .selectors.live import time_in_status
from .selectors.rejections import RejectionRow
from .selectors.time_by_code import TimeByCodeRow

FORMATS = ("csv", "xlsx")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    """A report's file: its name (without extension), header and rows of cells."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence]


# Rows per piece of the streamed CSV: one piece per row would mean one socket write per row.
CSV_ROWS_PER_CHUNK = 1000


def _neutralised(row: Sequence) -> list:
    return [
        "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES) else cell
        for cell in row
    ]


def _csv_chunks(export: Export) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export.header)
    for number, row in enumerate(export.rows, start=1):
        writer.writerow(_neutralised(row))
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(export: Export) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_chunks(export), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.name}.csv"'
    return response


def xlsx_response(export: Export) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(export.name[:31])
    sheet.append(list(export.header))
    for row in export.rows:
        sheet.append(_neutralised(row))
    # The file disappears when the response closes it, after its last byte is sent.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    workbook.save(file)
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=f"{export.name}.xlsx", content_type=XLSX_TYPE
    )


def export_response(export: Export, file_format: str):
    return csv_response(export) if file_format == "csv" else xlsx_response(export)


# --- the columns of each report --------------------------------------------------------------

STATUS_CHANGES_HEADER = (
    "timestamp",
    "agent",
    "group",
    "previous_status",
    "status",
    "list",
    "code",
    "code_label",
    "duration_seconds",
    "ongoing",
    "source",
)


def status_change_cells(zone: ZoneInfo) -> Callable[[tuple], list]:
    """Cells of a status change read by `status_change_rows`."""

    def cells(values: tuple) -> list:
        started_at, *middle, duration_us, ongoing, source = values
        return [
            started_at.astimezone(zone).isoformat(timespec="seconds"),
            *middle,
            whole_seconds(duration_us),
            "true" if ongoing else "false",
            source,
        ]

    return cells


TIME_BY_CODE_HEADER = (
    "date",
    "agent",
    "group",
    "status",
    "list",
    "code",
    "code_label",
    "count",
    "seconds",
    "duration",
    "percent_of_logged_in",
)


def time_by_code_cells(row: TimeByCodeRow) -> list:
    figures = row.figures
    return [
        row.date.isoformat(),
        row.agent,
        row.group,
        row.status,
        row.list,
        row.code,
        row.code_label,
        figures.count,
        figures.seconds,
        figures.duration,
        figures.percent_of_logged_in,
    ]


REJECTIONS_HEADER = ("date", "agent", "group", "channel", "list", "code", "code_label", "count")


def rejection_cells(row: RejectionRow) -> list:
    return [
        row.date.isoformat(),
        row.agent,
        row.group,
        row.channel,
        row.list,
        row.code,
        row.code_label,
        row.count,
    ]


LIVE_HEADER = (
    "agent",
    "group",
    "status",
    "list",
    "code",
    "code_label",
    "since",
    "seconds_in_status",
    "max_minutes",
    "exceeded",
)


def live_cells(zone: ZoneInfo, now: datetime) -> Callable[[dict], list]:
    """Cells of an agent's live state read as a dict of `live_board`."""

    def cells(record: dict) -> list:
        since = record["since"]
        timing = time_in_status(since=since, max_minutes=record["max_minutes"], now=now)
        return [
            record["agent_username"],
            record["group_name"],
            record["status_now"],
            record["list_name"],
            record["code_key"],
            record["code_label"],
            since.astimezone(zone).isoformat(timespec="seconds") if since else "",
            timing.seconds,
            record["max_minutes"],
            "true" if timing.exceeded else "false",
        ]

    return cells
