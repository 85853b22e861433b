"""System reasons count in the reports like codes (docs/reports.md, "System reasons in the
reports"): a missed offer, a safety net's timeout and a supervisor's change without a code are
rows of their own, with an empty list, the reason as the code and its translated label.

One day of ana's (Support), made through the services with the clock moved by hand (UTC):

    08:00 login → available
    08:30 a chat is offered; 08:31 it rings out → a missed rejection, then on break (missed)
    08:41 ana goes available                        → 600 s on break, missed
    09:00 ana takes a Lunch (auto end after 30 min)
    09:30 the safety net logs her out (fired late, at 09:45) → 1,800 s Lunch; logged out, timeout
    10:00 ana logs in again
    23:00 supervisor_a puts her on break, no reason → on break, supervisor, across midnight
    01:00 (next day) supervisor_a makes her available; 02:00 she logs out with End of shift

Logged in on 2 March: 08:00-24:00 less 09:30-10:00 = 55,800 s; on 3 March: 00:00-02:00 = 7,200 s.
"""

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from agents.services import (
    agent_perform_action,
    agent_supervise,
    offer_create,
    offer_miss,
    timers_fire_due,
)
from reports.selectors.agent_day import agent_day
from reports.selectors.window import Window
from statuscodes.models import StatusCode
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

WINDOW = {"date_from": "2026-03-02", "date_to": "2026-03-03", "tz": "UTC"}


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def day(ana, supervisor_a):
    StatusCode.objects.filter(code_list=ana.group.code_list, code="LUNCH").update(
        auto_end_minutes=30
    )
    telephony = make_user("telephony")
    telephony.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    with time_machine.travel(instant("2026-03-02 08:00"), tick=False) as clock:
        agent_perform_action(agent=ana, action="login", source="console")
        clock.move_to(instant("2026-03-02 08:30"))
        offer = offer_create(agent=ana, channel="chat", actor=telephony)
        clock.move_to(instant("2026-03-02 08:31"))
        offer_miss(agent=ana, offer_id=str(offer.pk), actor=telephony)
        clock.move_to(instant("2026-03-02 08:41"))
        agent_perform_action(agent=ana, action="go_available", source="console")
        clock.move_to(instant("2026-03-02 09:00"))
        agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
        clock.move_to(instant("2026-03-02 09:45"))
        assert timers_fire_due() == 1
        clock.move_to(instant("2026-03-02 10:00"))
        agent_perform_action(agent=ana, action="login", source="console")
        clock.move_to(instant("2026-03-02 23:00"))
        agent_supervise(agent=ana, action="take_break", supervisor=supervisor_a)
        clock.move_to(instant("2026-03-03 01:00"))
        agent_supervise(agent=ana, action="go_available", supervisor=supervisor_a)
        clock.move_to(instant("2026-03-03 02:00"))
        agent_perform_action(agent=ana, action="logout", code="EOS", source="console")
        clock.move_to(instant("2026-03-04 12:00"))
        yield ana


def page_rows(response, *fields) -> list[tuple]:
    return [
        tuple(getattr(row.record, field) for field in fields)
        for row in response.context["table"].paginated_rows
    ]


def csv_rows(response) -> list[dict]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def xlsx_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_time_by_code_has_a_row_per_system_reason(client_for, day, supervisor_a):
    response = client_for(supervisor_a).get("/reports/time-by-code/", WINDOW)
    rows = [
        (row.period, row.list, row.code, row.code_label, row.figures.count, row.figures.seconds)
        for row in (r.record for r in response.context["table"].paginated_rows)
    ]
    assert sorted(rows) == [
        ("2026-03-02", "", "missed", "Missed offer", 1, 600),
        ("2026-03-02", "", "supervisor", "Changed by a supervisor", 1, 3600),
        ("2026-03-02", "Support", "LUNCH", "Lunch", 1, 1800),
        # The supervisor's break crossed midnight: time, no count, on the second day.
        ("2026-03-03", "", "supervisor", "Changed by a supervisor", 0, 3600),
    ]
    summary = response.context["summary"]
    assert summary["total"].count == 3
    assert summary["total"].seconds == 600 + 1800 + 7200
    # The group summary names them by label and key, with no list.
    assert [item.caption for item in summary["by_group_code"]] == [
        "Changed by a supervisor (supervisor)",
        "Lunch (Support / LUNCH)",
        "Missed offer (missed)",
    ]


def test_time_by_code_exports_carry_the_reason_key_in_the_code_column(
    client_for, day, supervisor_a
):
    client = client_for(supervisor_a)
    rows = csv_rows(client.get("/reports/time-by-code/", {**WINDOW, "_export": "csv"}))
    assert [
        (r["date"], r["list"], r["code"], r["code_label"], r["count"], r["seconds"]) for r in rows
    ] == [
        ("2026-03-02", "", "missed", "Missed offer", "1", "600"),
        ("2026-03-02", "", "supervisor", "Changed by a supervisor", "1", "3600"),
        ("2026-03-02", "Support", "LUNCH", "Lunch", "1", "1800"),
        ("2026-03-03", "", "supervisor", "Changed by a supervisor", "0", "3600"),
    ]
    # 100 × seconds ÷ the day's 55,800 (2 March) or 7,200 (3 March) logged-in seconds.
    assert [r["percent_of_logged_in"] for r in rows] == ["1.1", "6.5", "3.2", "50.0"]
    workbook = xlsx_rows(client.get("/reports/time-by-code/", {**WINDOW, "_export": "xlsx"}))
    # Empty cells read back as None; the last row is the totals.
    *lines, totals = workbook
    assert [(r["list"] or "", r["code"], r["seconds"]) for r in lines] == [
        ("", "missed", 600),
        ("", "supervisor", 3600),
        ("Support", "LUNCH", 1800),
        ("", "supervisor", 3600),
    ]
    assert totals["seconds"] == 600 + 3600 + 1800 + 3600


def test_the_trend_by_code_names_the_system_reasons(client_for, day, supervisor_a):
    response = client_for(supervisor_a).get("/reports/time-by-code/", {**WINDOW, "trend": "code"})
    legend = [label for label, _colour in response.context["trend"].legend]
    assert legend == [
        "Changed by a supervisor (supervisor)",
        "Lunch (Support / LUNCH)",
        "Missed offer (missed)",
    ]


def test_the_agent_code_matrix_has_a_column_per_system_reason(client_for, day, supervisor_a):
    client = client_for(supervisor_a)
    response = client.get("/reports/time-by-code/matrix/", WINDOW)
    assert [code.caption for code in response.context["matrix"].codes] == [
        "Missed offer (missed)",
        "Changed by a supervisor (supervisor)",
        "Lunch (Support / LUNCH)",
    ]
    rows = csv_rows(client.get("/reports/time-by-code/matrix/", {**WINDOW, "_export": "csv"}))
    assert [
        (r["date"], r["on_break::missed"], r["on_break::supervisor"], r["on_break:Support:LUNCH"])
        for r in rows
    ] == [("2026-03-02", "600", "3600", "1800"), ("2026-03-03", "0", "3600", "0")]


def test_rejections_count_the_missed_offer(client_for, day, supervisor_a):
    client = client_for(supervisor_a)
    response = client.get("/reports/rejections/", WINDOW)
    assert [
        (r.period, r.channel, r.list, r.code, r.code_label, r.count)
        for r in (row.record for row in response.context["table"].paginated_rows)
    ] == [("2026-03-02", "chat", "", "missed", "Missed offer", 1)]
    by_code = response.context["summary"]["by_code"]
    assert [(s.key, s.label, s.count) for s in by_code] == [("missed", "Missed offer", 1)]
    rows = csv_rows(client.get("/reports/rejections/", {**WINDOW, "_export": "csv"}))
    assert [(r["list"], r["code"], r["code_label"], r["count"]) for r in rows] == [
        ("", "missed", "Missed offer", "1")
    ]


def test_the_agents_day_shows_the_reasons(day):
    window = Window(date(2026, 3, 2), date(2026, 3, 2), ZoneInfo("UTC"))
    [march_2] = agent_day(agent=day, window=window, now=instant("2026-03-04 12:00"))
    assert [
        (s.interval.status, s.interval.code, s.interval.code_label, s.us // 1_000_000)
        for s in march_2.segments
    ] == [
        ("available", "", "", 1860),
        ("on_break", "missed", "Missed offer", 600),
        ("available", "", "", 1140),
        ("on_break", "LUNCH", "Lunch", 1800),
        ("logged_out", "timeout", "Timed out", 1800),
        ("available", "", "", 46800),
        ("on_break", "supervisor", "Changed by a supervisor", 3600),
    ]
    assert [(m.channel, m.code, m.code_label) for m in march_2.marks] == [
        ("chat", "missed", "Missed offer")
    ]


def test_the_labels_are_in_the_readers_language(client_for, day, supervisor_a):
    client = client_for(supervisor_a)
    response = client.get(
        "/reports/rejections/", {**WINDOW, "_export": "csv"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert [r["code_label"] for r in csv_rows(response)] == ["Oferta perdida"]
    response = client.get("/reports/time-by-code/", WINDOW, HTTP_ACCEPT_LANGUAGE="fr")
    labels = {r.record.code_label for r in response.context["table"].paginated_rows}
    assert labels == {"Offre manquée", "Changé par un superviseur", "Lunch"}
