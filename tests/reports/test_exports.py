"""Exports: the columns of docs/reports.md, the whole filtered result, formulas neutralised,
CSV (with a byte order mark, for Excel) = XLSX (typed for a spreadsheet, with totals)."""

import csv
import io
from datetime import datetime

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from django.http import StreamingHttpResponse
from django.test import AsyncClient
from django.utils import timezone
from openpyxl import load_workbook

from agents.models import AgentGroup
from statuscodes.models import StatusCode
from tests.conftest import make_agent
from tests.reports.conftest import REPORT_URLS, WINDOW
from tests.reports.timeline import at, rejection, timeline

# The columns of the contract, first and unchanged, then the keys' labels.
HEADERS = {
    "/reports/status-changes/": "timestamp,agent,group,previous_status,status,list,code,"
    "code_label,duration_seconds,ongoing,source,changed_by",
    "/reports/time-by-code/": "date,agent,group,status,list,code,code_label,count,seconds,"
    "duration,percent_of_logged_in,paid",
    "/reports/rejections/": "date,agent,group,channel,list,code,code_label,count",
    "/reports/live/": "agent,group,status,list,code,code_label,since,seconds_in_status,"
    "max_minutes,exceeded,offer,changed_by",
}
# Then the keys' labels (and, for status changes, the duration as H:MM:SS).
LABEL_COLUMNS = {
    "/reports/status-changes/": ["previous_status_label", "status_label", "duration"],
    "/reports/time-by-code/": ["status_label"],
    "/reports/rejections/": ["channel_label"],
    "/reports/live/": ["status_label"],
}
SHEETS = {
    "/reports/status-changes/": "Status changes",
    "/reports/time-by-code/": "Time by code",
    "/reports/rejections/": "Rejections by code",
    "/reports/live/": "Live board",
}
BOM = b"\xef\xbb\xbf"


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    content = b"".join(response.streaming_content)
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def workbook_of(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("url", REPORT_URLS)
def test_the_csv_starts_with_a_byte_order_mark_and_the_spec_header(
    client_for, history, superuser, url
):
    response = client_for(superuser).get(url, {**WINDOW, "_export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = csv_rows(response)
    assert rows[0] == HEADERS[url].split(",") + LABEL_COLUMNS[url]
    assert len(rows) > 1


@pytest.mark.parametrize("url", REPORT_URLS)
def test_the_csv_labels_the_keys_in_the_readers_language(client_for, history, superuser, url):
    client = client_for(superuser)
    response = client.get(url, {**WINDOW, "_export": "csv"}, headers={"accept-language": "es"})
    header, *rows = csv_rows(response)
    key = "channel" if url == "/reports/rejections/" else "status"
    labels = {(row[header.index(key)], row[header.index(f"{key}_label")]) for row in rows}
    expected = {
        "on_break": "En descanso",
        "work_offline": "Trabajo sin conexión",
        "available": "Disponible",
        "logged_out": "Desconectado",
        "phone": "Teléfono",
        "chat": "Chat",
        "email": "Correo electrónico",
    }
    assert labels and all(label == expected[key] for key, label in labels), labels


def test_an_accented_label_survives_as_utf8(client_for, history, superuser):
    StatusCode.objects.filter(code="LUNCH").update(label_en="Déjeuner à l’extérieur")
    rows = csv_rows(
        client_for(superuser).get("/reports/time-by-code/", {**WINDOW, "_export": "csv"})
    )
    assert "Déjeuner à l’extérieur" in {row[6] for row in rows[1:]}


def _as_csv_text(cell) -> str:
    """An XLSX cell written as the CSV writes it."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, datetime) and cell.time() == datetime.min.time():
        return cell.date().isoformat()
    if isinstance(cell, datetime):
        return cell.isoformat()
    if isinstance(cell, str):
        return cell
    return repr(float(cell))


@pytest.mark.parametrize("url", REPORT_URLS)
def test_the_xlsx_has_the_same_cells_as_the_csv_typed(client_for, history, superuser, url):
    client = client_for(superuser)
    # One instant for both files: an ongoing interval's duration must not tick between them.
    with time_machine.travel(timezone.now(), tick=False):
        from_csv = csv_rows(client.get(url, {**WINDOW, "_export": "csv"}))
        workbook = workbook_of(client.get(url, {**WINDOW, "_export": "xlsx"}))
    sheet = workbook.active
    assert sheet.title == SHEETS[url]
    assert sheet.freeze_panes == "A2"
    from_xlsx = [list(row) for row in sheet.iter_rows(values_only=True)]
    if url in ("/reports/time-by-code/", "/reports/rejections/"):
        assert from_xlsx[-1][0] == "Total"
        from_xlsx = from_xlsx[:-1]
    assert len(from_xlsx) == len(from_csv)
    header = from_csv[0]
    # The header names the zone of the sheet's dates, which are naive.
    assert [name.removesuffix(" (UTC)") for name in from_xlsx[0]] == header
    as_text = []
    for row in from_xlsx[1:]:
        cells = []
        for name, cell in zip(header, row, strict=True):
            if name == "duration":
                # A time value (a timedelta for openpyxl): back to H:MM:SS.
                seconds = round(cell.total_seconds())
                cell = f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
            cells.append(_as_csv_text(cell))
        as_text.append(cells)
    expected = []
    for row in from_csv[1:]:
        cells = []
        for name, cell in zip(header, row, strict=True):
            if name in ("timestamp", "since") and cell:
                # The local time without its offset (UTC here).
                cell = datetime.fromisoformat(cell).replace(tzinfo=None).isoformat()
            elif cell.replace(".", "", 1).isdigit():
                cell = repr(float(cell))
            cells.append(cell)
        expected.append(cells)
    if url == "/reports/live/":
        # Time in status keeps running between the two requests.
        seconds = header.index("seconds_in_status")
        for row in (*as_text, *expected):
            row[seconds] = ""
    assert as_text == expected


def test_the_time_by_code_xlsx_is_typed_for_a_spreadsheet(client_for, history, superuser):
    workbook = workbook_of(
        client_for(superuser).get(
            "/reports/time-by-code/",
            {**WINDOW, "tz": "Europe/Madrid", "_export": "xlsx"},
        )
    )
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["date (Europe/Madrid)", "agent"]
    first = dict(zip(header, sheet[2], strict=True))
    assert first["date (Europe/Madrid)"].value == datetime(2025, 3, 1)
    assert first["date (Europe/Madrid)"].number_format == "yyyy-mm-dd"
    assert first["agent"].data_type == "s"
    assert isinstance(first["count"].value, int)
    assert isinstance(first["seconds"].value, int)
    assert isinstance(first["percent_of_logged_in"].value, float)
    assert first["duration"].number_format == "[h]:mm:ss"
    assert first["duration"].value.total_seconds() == first["seconds"].value
    assert first["paid"].value in (True, False)
    assert first["status_label"].value in ("On break", "Working offline")


def test_the_xlsx_totals_are_the_pages(client_for, history, superuser):
    client = client_for(superuser)
    url = "/reports/time-by-code/"
    total = client.get(url, WINDOW).context["summary"]["total"]
    sheet = workbook_of(client.get(url, {**WINDOW, "_export": "xlsx"})).active
    header = [cell.value for cell in sheet[1]]
    last = dict(zip(header, [cell.value for cell in sheet[sheet.max_row]], strict=True))
    assert last["date (UTC)"] == "Total"
    assert (last["count"], last["seconds"]) == (total.count, total.seconds)
    assert last["duration"].total_seconds() == total.seconds
    assert sheet.cell(sheet.max_row, header.index("duration") + 1).number_format == "[h]:mm:ss"
    assert last["agent"] is None

    url = "/reports/rejections/"
    total = client.get(url, WINDOW).context["summary"]["total"]
    rows = xlsx_rows(client.get(url, {**WINDOW, "_export": "xlsx"}))
    assert rows[-1][0] == "Total"
    assert rows[-1][rows[0].index("count")] == total == 4


def test_the_status_changes_xlsx_has_real_times_in_the_report_zone(client_for, history, superuser):
    rows = xlsx_rows(
        client_for(superuser).get(
            "/reports/status-changes/",
            {**WINDOW, "tz": "America/New_York", "sort": "timestamp", "_export": "xlsx"},
        )
    )
    header = rows[0]
    assert header[0] == "timestamp (America/New_York)"
    times = [row[0] for row in rows[1:]]
    assert all(isinstance(moment, datetime) and moment.tzinfo is None for moment in times)
    # ana's first change, 08:00 UTC on 1 March, is 03:00 in New York (UTC-5).
    assert datetime(2025, 3, 1, 3, 0) in times
    assert {row[header.index("ongoing")] for row in rows[1:]} <= {True, False}
    # The duration as a time value next to the seconds, which stay a number.
    for row in rows[1:]:
        seconds = row[header.index("duration_seconds")]
        assert isinstance(seconds, int)
        assert row[header.index("duration")].total_seconds() == seconds


def test_the_sheet_is_named_in_the_readers_language(client_for, history, superuser):
    client = client_for(superuser)
    response = client.get(
        "/reports/time-by-code/", {**WINDOW, "_export": "xlsx"}, headers={"accept-language": "fr"}
    )
    sheet = workbook_of(response).active
    assert sheet.title == "Temps par code"
    assert sheet.cell(sheet.max_row, 1).value == "Total"


def test_a_sheet_title_keeps_within_excels_rules():
    from reports.exports import sheet_title

    assert sheet_title("Agent × code: [by] day?") == "Agent × code   by  day"
    assert len(sheet_title("x" * 40)) == 31
    assert sheet_title("'quoted'") == "quoted"


def test_numbers_stay_numbers_in_the_xlsx(client_for, history, superuser):
    rows = xlsx_rows(
        client_for(superuser).get("/reports/time-by-code/", {**WINDOW, "_export": "xlsx"})
    )
    header, first = rows[0], rows[1]
    values = dict(zip(header, first, strict=True))
    assert isinstance(values["count"], int)
    assert isinstance(values["seconds"], int)
    assert isinstance(values["percent_of_logged_in"], float)


@pytest.fixture
def formula_history(support_group, supervisor_a):
    # Every text a person types — agent, group, code, label — starts like a formula.
    group = AgentGroup.objects.create(name="+Night shift", code_list=support_group.code_list)
    group.supervisors.add(supervisor_a)
    mallory = make_agent("=mallory", group)
    StatusCode.objects.filter(code="SHORT").update(label_en='=HYPERLINK("http://x")')
    StatusCode.objects.filter(code="CASE").update(label_en="@SUM(A1:A9)")
    StatusCode.objects.filter(code="SHORT").update(code="-SHORT")
    timeline(
        mallory,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "-SHORT"),
        (at("2025-03-01 10:10"), "available"),
    )
    rejection(mallory, at("2025-03-01 11:00"), "phone", "CASE")
    return mallory


@pytest.mark.parametrize("url", REPORT_URLS)
def test_cells_that_a_spreadsheet_would_run_are_neutralised(
    client_for, formula_history, superuser, url
):
    client = client_for(superuser)
    for rows in (
        csv_rows(client.get(url, {**WINDOW, "_export": "csv"})),
        xlsx_rows(client.get(url, {**WINDOW, "_export": "xlsx"})),
    ):
        cells = [cell for row in rows[1:] for cell in row if isinstance(cell, str)]
        assert "'=mallory" in cells
        assert "'+Night shift" in cells
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_neutralised_labels_keep_their_text(client_for, formula_history, superuser):
    rows = csv_rows(client_for(superuser).get("/reports/rejections/", {**WINDOW, "_export": "csv"}))
    assert rows[1][rows[0].index("code_label")] == "'@SUM(A1:A9)"
    rows = csv_rows(
        client_for(superuser).get("/reports/time-by-code/", {**WINDOW, "_export": "csv"})
    )
    assert rows[1][rows[0].index("code")] == "'-SHORT"
    assert rows[1][rows[0].index("code_label")] == '\'=HYPERLINK("http://x")'


def test_the_export_holds_every_row_not_just_the_first_page(client_for, ana, superuser):
    steps = []
    for day in range(1, 29):
        steps += [
            (at(f"2025-02-{day:02d} 09:00"), "on_break", "SHORT"),
            (at(f"2025-02-{day:02d} 09:10"), "work_offline", "MEETING"),
            (at(f"2025-02-{day:02d} 09:30"), "available"),
        ]
    timeline(ana, *steps)
    client = client_for(superuser)
    window = {"date_from": "2025-02-01", "date_to": "2025-02-28"}
    page = client.get("/reports/time-by-code/", window)
    assert len(page.context["table"].paginated_rows) == 50
    assert page.context["table"].paginator.count == 56
    rows = csv_rows(client.get("/reports/time-by-code/", {**window, "_export": "csv"}))
    assert len(rows) == 1 + 56


def test_under_an_asgi_server_the_csv_is_streamed_as_it_is_read(history, superuser, client_for):
    # An ASGI server (the production one) reads a synchronous iterator whole before sending a
    # byte; the CSV is given to it as an asynchronous one, with the same rows.
    url = "/reports/status-changes/"

    async def download():
        client = AsyncClient()
        await sync_to_async(client.force_login)(superuser)
        response = await client.get(url, {**WINDOW, "_export": "csv"})
        assert response.is_async
        return b"".join([chunk async for chunk in response.streaming_content])

    with time_machine.travel(timezone.now(), tick=False):
        over_asgi = async_to_sync(download)()
        over_wsgi = client_for(superuser).get(url, {**WINDOW, "_export": "csv"})
        assert not over_wsgi.is_async
        assert over_asgi == b"".join(over_wsgi.streaming_content)
    assert len(over_asgi.splitlines()) > 1
