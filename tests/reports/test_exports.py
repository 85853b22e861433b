"""Exports: the columns of docs/reports.md, the whole filtered result, formulas neutralised,
CSV = XLSX."""

import csv
import io

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

HEADERS = {
    "/reports/status-changes/": "timestamp,agent,group,previous_status,status,list,code,"
    "code_label,duration_seconds,ongoing,source,changed_by",
    "/reports/time-by-code/": "date,agent,group,status,list,code,code_label,count,seconds,"
    "duration,percent_of_logged_in,paid",
    "/reports/rejections/": "date,agent,group,channel,list,code,code_label,count",
    "/reports/live/": "agent,group,status,list,code,code_label,since,seconds_in_status,"
    "max_minutes,exceeded",
}


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("url", REPORT_URLS)
def test_the_csv_starts_with_the_spec_header(client_for, history, superuser, url):
    response = client_for(superuser).get(url, {**WINDOW, "_export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = csv_rows(response)
    assert ",".join(rows[0]) == HEADERS[url]
    assert len(rows) > 1


@pytest.mark.parametrize("url", REPORT_URLS)
def test_the_xlsx_has_the_same_cells_as_the_csv(client_for, history, superuser, url):
    client = client_for(superuser)
    # One instant for both files: an ongoing interval's duration must not tick between them.
    with time_machine.travel(timezone.now(), tick=False):
        from_csv = csv_rows(client.get(url, {**WINDOW, "_export": "csv"}))
        from_xlsx = xlsx_rows(client.get(url, {**WINDOW, "_export": "xlsx"}))
    assert len(from_xlsx) == len(from_csv)
    # A number reads back as a number: 100.0 may come back as 100.
    as_text = [
        [
            "" if cell is None else str(cell) if isinstance(cell, str) else repr(float(cell))
            for cell in row
        ]
        for row in from_xlsx
    ]
    from_csv = [
        [repr(float(cell)) if cell.replace(".", "", 1).isdigit() else cell for cell in row]
        for row in from_csv
    ]
    if url == "/reports/live/":
        # Time in status keeps running between the two requests.
        seconds = HEADERS[url].split(",").index("seconds_in_status")
        for row in (*as_text, *from_csv):
            row[seconds] = ""
    assert as_text == from_csv


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
