"""Report 3, rejections by code: counted by local date, agent, channel and code."""

import csv
import io

from tests.reports.conftest import WINDOW
from tests.reports.timeline import at, rejection

URL = "/reports/rejections/"


def exported(client, **filters) -> list[dict]:
    response = client.get(URL, {**WINDOW, **filters, "_export": "csv"})
    assert response.status_code == 200
    return list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )


def test_rejections_are_counted_by_date_agent_channel_and_code(client_for, history, ana, superuser):
    rejection(ana, at("2025-03-01 15:00"), "phone", "CASE")
    rows = exported(client_for(superuser))
    assert [
        (row["date"], row["agent"], row["channel"], row["code"], row["count"]) for row in rows
    ] == [
        ("2025-03-01", "ana", "chat", "TECH", "1"),
        ("2025-03-01", "ana", "phone", "CASE", "2"),
        ("2025-03-01", "sofia", "phone", "CASE", "1"),
        ("2025-03-02", "sam", "email", "", "1"),
    ]
    assert rows[1] == {
        "date": "2025-03-01",
        "agent": "ana",
        "group": "Support Tier 1",
        "channel": "phone",
        "list": "Support",
        "code": "CASE",
        "code_label": "Working on a Case",
        "count": "2",
        "channel_label": "Phone",
    }


def test_a_rejection_belongs_to_its_local_date(client_for, ana, supervisor_a):
    # 23:30 UTC on 1 March is 00:30 on 2 March in Madrid, 18:30 on 1 March in New York.
    rejection(ana, at("2025-03-01 23:30"), "chat", "CASE")
    client = client_for(supervisor_a)
    assert [row["date"] for row in exported(client, tz="Europe/Madrid")] == ["2025-03-02"]
    assert [row["date"] for row in exported(client, tz="America/New_York")] == ["2025-03-01"]
    assert exported(client, tz="Europe/Madrid", date_to="2025-03-01") == []


def test_channel_and_code_filters_narrow_the_rows(client_for, history, superuser):
    client = client_for(superuser)
    assert {row["channel"] for row in exported(client, channel="phone")} == {"phone"}
    assert [row["agent"] for row in exported(client, code="none")] == ["sam"]


def test_the_page_totals_by_channel_and_by_code(client_for, history, superuser):
    summary = client_for(superuser).get(URL, WINDOW).context["summary"]
    assert summary["total"] == 4
    assert [(subtotal.key, subtotal.count) for subtotal in summary["by_channel"]] == [
        ("phone", 2),
        ("chat", 1),
        ("email", 1),
    ]
    assert [(subtotal.key, subtotal.count) for subtotal in summary["by_code"]] == [
        ("Support / CASE", 2),
        ("", 1),
        ("Support / TECH", 1),
    ]
