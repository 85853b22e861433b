"""Report 2's page: totals, subtotals, the chart, and an export that matches the screen."""

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from agents.models import Agent
from reports.selectors.time_by_code import TimeByCodeReport
from reports.selectors.window import Window
from statuscodes.models import StatusCode
from tests.reports.conftest import WINDOW

URL = "/reports/time-by-code/"


def exported(client, **filters) -> list[dict]:
    response = client.get(URL, {**WINDOW, **filters, "_export": "csv"})
    return list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )


def screen_rows(response) -> list[dict]:
    rows = []
    for row in response.context["table"].paginated_rows:
        record = row.record
        rows.append(
            {
                "date": record.date.isoformat(),
                "agent": record.agent,
                "status": record.status,
                "code": record.code,
                "count": str(record.figures.count),
                "duration": record.figures.duration,
                "percent_of_logged_in": f"{record.figures.percent_of_logged_in:.1f}",
            }
        )
    return rows


def test_the_export_has_the_numbers_of_the_screen(client_for, history, supervisor_a):
    client = client_for(supervisor_a)
    response = client.get(URL, {**WINDOW, "sort": "-seconds"})
    on_screen = screen_rows(response)
    in_file = [{key: row[key] for key in on_screen[0]} for row in exported(client, sort="-seconds")]
    assert in_file == on_screen
    assert in_file[0] == {
        "date": "2025-03-01",
        "agent": "sofia",
        "status": "on_break",
        "code": "LUNCH",
        "count": "1",
        "duration": "1:05:00",
        # Logged in 09:00 to midnight: 15 h; 65 minutes of it is 7.2 %.
        "percent_of_logged_in": "7.2",
    }


def test_the_csv_row_has_every_column_of_the_spec(client_for, history, supervisor_a):
    assert exported(client_for(supervisor_a), code="none") == []
    rows = exported(client_for(supervisor_a), status="work_offline")
    assert rows == [
        {
            "date": "2025-03-01",
            "agent": "ana",
            "group": "Support Tier 1",
            "status": "work_offline",
            "list": "Support",
            "code": "MEETING",
            "code_label": "Attend Meeting",
            "count": "1",
            "seconds": "1800",
            "duration": "0:30:00",
            "percent_of_logged_in": "3.1",
            "paid": "false",
            "status_label": "Work offline",
        },
        {
            "date": "2025-03-02",
            "agent": "ana",
            "group": "Support Tier 1",
            "status": "work_offline",
            "list": "Support",
            "code": "MEETING",
            "code_label": "Attend Meeting",
            "count": "0",
            "seconds": "3600",
            "duration": "1:00:00",
            "percent_of_logged_in": "100.0",
            "paid": "false",
            "status_label": "Work offline",
        },
    ]


def test_the_page_shows_subtotals_totals_and_a_chart(client_for, history, supervisor_a):
    response = client_for(supervisor_a).get(URL, WINDOW)
    summary = response.context["summary"]
    assert [subtotal.key for subtotal in summary["by_agent"]] == ["ana", "sofia"]
    assert [subtotal.key for subtotal in summary["by_status"]] == ["on_break", "work_offline"]
    assert (summary["total"].count, summary["total"].duration) == (3, "2:47:00")
    # sofia's 65-minute lunch is over LUNCH's 60 minutes.
    assert (summary["total"].exceeded_count, summary["total"].exceeded_duration) == (1, "0:05:00")
    content = response.content.decode()
    assert "<svg" in content
    assert "Lunch (Support / LUNCH)" in content
    assert "Attend Meeting (Support / MEETING)" in content
    assert 'data-total="duration">2:47:00<' in content


def test_the_chart_can_be_stacked_by_agent(client_for, history, supervisor_a):
    response = client_for(supervisor_a).get(URL, {**WINDOW, "stack": "agent"})
    legend = [label for label, _colour in response.context["chart"].legend]
    # Agents with the most time first: ana 1:42:00, sofia 1:05:00.
    assert legend == ["ana", "sofia"]
    assert "stack=status" in response.context["restack_link"]


def test_labels_are_in_the_readers_language(client_for, history, supervisor_a):
    response = client_for(supervisor_a).get(URL, WINDOW, headers={"accept-language": "es"})
    labels = {row.record.code_label for row in response.context["table"].paginated_rows}
    assert labels == {"Almuerzo", "Descanso corto", "Reunión"}


def test_a_window_without_breaks_shows_an_empty_table(client_for, history, supervisor_a):
    response = client_for(supervisor_a).get(
        URL, {"date_from": "2024-01-01", "date_to": "2024-01-07"}
    )
    assert response.status_code == 200
    assert response.context["summary"]["total"].count == 0
    assert "Nothing in this window" in response.content.decode()


def test_labels_are_escaped_in_the_table_and_the_chart(client_for, history, supervisor_a):
    StatusCode.objects.filter(code="LUNCH").update(label_en="<script>alert(1)</script>")
    content = client_for(supervisor_a).get(URL, WINDOW).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_report_labels_and_paid_time(client_for, history, supervisor_a, support_list):
    # ana: SHORT 12 min (made paid) and MEETING 30 + 60 min; sofia: LUNCH 65 min.
    StatusCode.objects.filter(code_list=support_list, code="SHORT").update(paid=True)
    StatusCode.objects.filter(code_list=support_list, code="LUNCH").update(
        report_label_en="Meal (unpaid)"
    )
    client = client_for(supervisor_a)
    rows = exported(client)
    assert {(row["code"], row["code_label"], row["paid"]) for row in rows} == {
        ("SHORT", "Short Break", "true"),
        ("LUNCH", "Meal (unpaid)", "false"),
        ("MEETING", "Attend Meeting", "false"),
    }
    assert list(rows[0])[-2:] == ["paid", "status_label"]
    summary = client.get(URL, WINDOW).context["summary"]
    by_paid = {subtotal.key: subtotal.figures.duration for subtotal in summary["by_paid"]}
    assert by_paid == {"paid": "0:12:00", "unpaid": "2:35:00"}
    assert "Paid and unpaid" in client.get(URL, WINDOW).content.decode()


@pytest.mark.parametrize(
    "order", [(), ("-seconds",), ("agent", "-date"), ("-percent_of_logged_in",)]
)
def test_every_page_of_rows_has_the_figures_of_the_export(history, order):
    """The page finds the time logged in of its own rows only (unless sorted by its share):
    page after page, in any order, each row has the figures the export computes for it."""
    report = TimeByCodeReport(
        agents=Agent.objects.all(),
        window=Window(date(2025, 3, 1), date(2025, 3, 2), ZoneInfo("UTC")),
        now=datetime(2030, 1, 1, tzinfo=UTC),
    )

    def figures(row):
        return (row.date, row.agent, row.status, row.code, row.figures)

    exported = [figures(row) for row in report.rows(order=order)]
    on_pages = [
        figures(row)
        for offset in range(0, len(exported) + 2, 2)
        for row in report.page(order=order, offset=offset, limit=2).rows
    ]
    assert on_pages == exported
    # ana's offline time after midnight: logged in 00:00-01:00 of 2 March, all of it offline.
    assert ("2025-03-02", 100.0) in [
        (row[0].isoformat(), row[4].percent_of_logged_in) for row in exported
    ]
