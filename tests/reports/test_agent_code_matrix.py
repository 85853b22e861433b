"""The agent × code matrix: one row per agent and period, one column per code, the time logged
in and the share on break and offline — every figure computed by hand, and equal to the sums
of the time-by-code rows it lays out."""

import csv
import io
from collections import defaultdict

import pytest
from openpyxl import load_workbook

from tests.reports.conftest import WINDOW
from tests.reports.timeline import at, timeline

URL = "/reports/time-by-code/matrix/"


@pytest.fixture
def day_and_night(ana, sofia, sam):
    """ana: two breaks on 1 March, a meeting across midnight into 3 March; sofia: a day without
    a break; sam (Sales): a lunch."""
    timeline(
        ana,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:15"), "available"),
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:00"), "available"),
        (at("2025-03-01 17:00"), "logged_out", "EOS"),
        (at("2025-03-02 22:00"), "available"),
        (at("2025-03-02 23:30"), "work_offline", "MEETING"),
        (at("2025-03-03 00:30"), "logged_out", "EOS"),
    )
    timeline(
        sofia,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 16:00"), "logged_out", "EOS"),
    )
    timeline(
        sam,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 12:30"), "available"),
        (at("2025-03-01 17:00"), "logged_out", "EOS"),
    )


def exported(client, **filters) -> list[dict]:
    response = client.get(URL, {**WINDOW, **filters, "_export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_each_agent_and_day_is_a_row_with_a_column_per_code(
    client_for, day_and_night, supervisor_a
):
    rows = exported(client_for(supervisor_a))
    header = list(rows[0])
    assert header == [
        "date",
        "agent",
        "agent_name",
        "group",
        "logged_in_seconds",
        "on_break_seconds",
        "on_break_percent_of_logged_in",
        "work_offline_seconds",
        "work_offline_percent_of_logged_in",
        "on_break:Support:LUNCH",
        "on_break:Support:SHORT",
        "work_offline:Support:MEETING",
    ]
    figures = [
        [row["date"], row["agent"], row["logged_in_seconds"]] + [row[name] for name in header[5:]]
        for row in rows
    ]
    assert figures == [
        # 09:00-17:00 logged in: 8 h; 15 min + 60 min on break = 15.625 % (15.6).
        ["2025-03-01", "ana", "28800", "4500", "15.6", "0", "0.0", "3600", "900", "0"],
        # A whole shift without a break is a row too: 0, not nothing.
        ["2025-03-01", "sofia", "28800", "0", "0.0", "0", "0.0", "0", "0", "0"],
        # 22:00 to midnight logged in; the meeting's first half hour is on this day.
        ["2025-03-02", "ana", "7200", "0", "0.0", "1800", "25.0", "0", "0", "1800"],
    ]
    # sofia, logged out all of 2 March, has no row for it; sam is not supervisor_a's.
    assert {row["group"] for row in rows} == {"Support Tier 1"}


def test_the_page_shows_the_rows_and_the_totals_of_the_whole_matrix(
    client_for, day_and_night, supervisor_a
):
    response = client_for(supervisor_a).get(URL, WINDOW)
    assert response.status_code == 200
    page = response.context["matrix"]
    assert [code.key for code in page.codes] == [
        "on_break:Support:LUNCH",
        "on_break:Support:SHORT",
        "work_offline:Support:MEETING",
    ]
    assert [(row.period, row.agent) for row in page.rows] == [
        ("2025-03-01", "ana"),
        ("2025-03-01", "sofia"),
        ("2025-03-02", "ana"),
    ]
    totals = page.totals
    assert totals.logged_in_seconds == 28800 + 28800 + 7200
    assert [(share.seconds, share.percent_of_logged_in) for share in totals.shares] == [
        (4500, 6.9),  # 4,500 of 64,800 s
        (1800, 2.8),
    ]
    assert [cell.seconds for cell in totals.cells] == [3600, 900, 1800]
    html = response.content.decode()
    assert "Lunch" in html and "1:00:00" in html and "15.6" in html


def test_without_a_grain_each_agent_is_one_row(client_for, day_and_night, supervisor_a):
    rows = exported(client_for(supervisor_a), granularity="none")
    assert [
        (row["period"], row["agent"], row["logged_in_seconds"], row["on_break_seconds"])
        for row in rows
    ] == [
        # The period is written as the time-by-code report writes it: its first date.
        ("2025-03-01", "ana", "36000", "4500"),
        ("2025-03-01", "sofia", "28800", "0"),
    ]


def test_a_status_filter_keeps_only_that_status_columns(client_for, day_and_night, supervisor_a):
    rows = exported(client_for(supervisor_a), status="work_offline")
    assert list(rows[0])[5:] == [
        "work_offline_seconds",
        "work_offline_percent_of_logged_in",
        "work_offline:Support:MEETING",
    ]
    # Logged-in rows stay: the share is of the time logged in, breaks or not.
    assert [row["work_offline_seconds"] for row in rows] == ["0", "0", "1800"]


def test_each_cell_is_the_sum_of_the_time_by_code_rows(client_for, history, supervisor_a):
    client = client_for(supervisor_a)
    response = client.get("/reports/time-by-code/", {**WINDOW, "_export": "csv"})
    by_code = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    expected = defaultdict(int)
    for row in by_code:
        key = f"{row['status']}:{row['list']}:{row['code'] or 'none'}"
        expected[(row["date"], row["agent"], key)] += int(row["seconds"])
    matrix = exported(client)
    found = {
        (row["date"], row["agent"], name): int(value)
        for row in matrix
        for name, value in row.items()
        if name.count(":") == 2 and int(value)
    }
    assert found == dict(expected)


def test_a_supervisor_sees_only_the_agents_of_their_groups(client_for, day_and_night, supervisor_b):
    rows = exported(client_for(supervisor_b))
    assert [(row["agent"], row["on_break:Sales:LUNCH"]) for row in rows] == [("sam", "1800")]
    page = client_for(supervisor_b).get(URL, WINDOW).context["matrix"]
    assert [row.agent for row in page.rows] == ["sam"]


def xlsx_sheet(client, **filters):
    response = client.get(URL, {**WINDOW, **filters, "_export": "xlsx"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_the_xlsx_has_times_as_durations_shares_as_percentages_and_totals(
    client_for, day_and_night, supervisor_a
):
    sheet = xlsx_sheet(client_for(supervisor_a))
    assert sheet.title == "Agent × code"
    header = [cell.value for cell in sheet[1]]
    # The CSV's columns; the date's header names the zone of the sheet's naive dates.
    assert header == ["date (UTC)", *list(exported(client_for(supervisor_a))[0])[1:]]
    times = [4, 5, 7, 9, 10, 11]
    shares = [6, 8]

    def seconds(row: int) -> list:
        return [sheet.cell(row, column + 1).value.total_seconds() for column in times]

    def percents(row: int) -> list:
        return [sheet.cell(row, column + 1).value for column in shares]

    assert sheet.max_row == 5
    assert [sheet.cell(row, 2).value for row in (2, 3, 4)] == ["ana", "sofia", "ana"]
    # ana's 1 March: 8 h logged in, 1:15 on break (15.6 %), an hour's lunch, 15 min short.
    assert seconds(2) == [28800, 4500, 0, 3600, 900, 0]
    assert percents(2) == [0.156, 0]
    assert seconds(4) == [7200, 0, 1800, 0, 0, 1800]
    assert percents(4) == [0, 0.25]
    for row in range(2, 6):
        for column in times:
            assert sheet.cell(row, column + 1).number_format == "[h]:mm:ss"
        for column in shares:
            assert sheet.cell(row, column + 1).number_format == "0.0%"
    # The totals: the times summed, 18 hours logged in shown as 18:00:00; each share is of the
    # summed times (4,500 of 64,800 s = 6.9 %), not the sum of the rows' (15.6 %).
    assert sheet.cell(5, 1).value == "Total"
    assert sheet.cell(5, 2).value is None
    assert seconds(5) == [64800, 4500, 1800, 3600, 900, 1800]
    assert percents(5) == [0.069, 0.028]
    assert sheet.cell(5, 5).font.bold


def test_the_xlsx_sheet_is_named_in_full_in_the_readers_language(
    client_for, day_and_night, supervisor_a
):
    client = client_for(supervisor_a)
    response = client.get(URL, {**WINDOW, "_export": "xlsx"}, headers={"accept-language": "es"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "Agente × código"
    assert sheet.cell(sheet.max_row, 1).value == "Total"


def test_the_xlsx_of_an_empty_window_has_no_totals_row(client_for, day_and_night, supervisor_a):
    sheet = xlsx_sheet(client_for(supervisor_a), date_from="2025-01-01", date_to="2025-01-02")
    assert sheet.max_row == 1


def test_the_time_by_code_page_links_to_the_matrix_with_its_filters(
    client_for, day_and_night, supervisor_a
):
    response = client_for(supervisor_a).get("/reports/time-by-code/", {**WINDOW, "page": "2"})
    link = response.context["matrix_link"]
    assert link.startswith(URL) and "date_from=2025-03-01" in link and "page" not in link


def test_a_bad_filter_is_refused_with_its_reason(client_for, day_and_night, supervisor_a):
    response = client_for(supervisor_a).get(
        URL, {**WINDOW, "date_to": "2025-02-01", "_export": "csv"}
    )
    assert response.status_code == 400


def test_agents_cannot_read_it(client_for, day_and_night, ana):
    assert client_for(ana).get(URL, WINDOW).status_code == 403
