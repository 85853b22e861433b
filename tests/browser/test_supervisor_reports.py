"""In Chromium: a supervisor filters time-by-code, downloads its CSV, reads the other reports."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.browser.conftest import log_in, screenshot
from tests.reports.timeline import at, timeline

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

# docs/reports.md, report 2, written out here so that a change of the export's columns fails
# this test.
TIME_BY_CODE_COLUMNS = [
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
    "paid",
]


@pytest.fixture
def history(ana, sofia, sam):
    """1-2 March 2025 for the three agents; sofia is also on a too-long lunch right now."""
    timeline(
        ana,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:12"), "available"),
        (at("2025-03-01 13:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:45"), "available"),
        (at("2025-03-01 23:30"), "work_offline", "MEETING"),
        (at("2025-03-02 01:00"), "logged_out", "EOS"),
    )
    now = timezone.now().replace(microsecond=0)
    timeline(
        sofia,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:05"), "available"),
        (at("2025-03-02 12:00"), "logged_out", "EOS"),
        (now - timedelta(hours=2), "available"),
        (now - timedelta(minutes=75), "on_break", "LUNCH"),
    )
    timeline(
        sam,
        (at("2025-03-02 09:00"), "available"),
        (at("2025-03-02 10:00"), "on_break", "LUNCH"),
        (at("2025-03-02 10:40"), "available"),
    )


def table_rows(page) -> list[dict[str, str]]:
    """The report table as the reader sees it: one dict per row, keyed by column heading."""
    table = page.locator("table.report")
    headings = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    return [
        dict(
            zip(
                headings,
                (cell.strip() for cell in row.locator("td").all_inner_texts()),
                strict=True,
            )
        )
        for row in table.locator("tbody tr").all()
    ]


def hms(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


# The time zone and agent filters are searchable pickers (Select2) drawn over the plain lists
# #id_tz and #id_agent, which these walks fill directly; test_report_pickers.py types in them.


def test_supervisor_chooses_hours_and_sees_the_trend_chart(page, history, supervisor_a):
    log_in(page, "supervisor_a", next_url="/reports/time-by-code/")
    filters = page.get_by_role("form", name="Filters")
    filters.get_by_label("From").fill("2025-03-01")
    filters.get_by_label("To").fill("2025-03-01")
    filters.locator("#id_tz").select_option("UTC")
    filters.get_by_label("Period").select_option("hour")
    filters.get_by_role("button", name="Apply").click()

    page.wait_for_url("**granularity=hour**")
    expect(filters.get_by_label("Period").locator("option:checked")).to_have_text("Hour")
    periods = {row["Period"] for row in table_rows(page)}
    # ana's short break at 10:00, her lunch at 13:00, sofia's lunch from 12:00 to 13:05.
    assert {"2025-03-01T10:00+00:00", "2025-03-01T12:00+00:00"} <= periods
    trend = page.get_by_role("img", name="Time by period")
    expect(trend).to_be_visible()
    # One column per hour of the day; the legend names the statuses.
    assert trend.locator("g.period").count() == 24
    expect(page.locator("#trend .legend")).to_contain_text("On break")
    page.get_by_role("link", name="stack by code").click()
    expect(page.locator("#trend .legend")).to_contain_text("Lunch")
    screenshot(page, "report-time-by-code-hourly")


def test_supervisor_filters_time_by_code_and_the_csv_matches_the_page(
    page, history, supervisor_a, ana
):
    log_in(page, "supervisor_a", next_url="/reports/time-by-code/")
    filters = page.get_by_role("form", name="Filters")
    # Unfiltered, the report is in the contact center's zone, and the drop-down says so:
    # applying the other filters must not switch the report to another zone.
    expect(filters.locator("#id_tz").locator("option:checked")).to_contain_text(settings.TIME_ZONE)
    agent_choices = filters.locator("#id_agent").locator("option").all_inner_texts()
    assert "sam" not in " ".join(agent_choices)  # another supervisor's agent is not offered
    filters.get_by_label("From").fill("2025-03-01")
    filters.get_by_label("To").fill("2025-03-02")
    filters.locator("#id_tz").select_option("UTC")
    filters.locator("#id_agent").select_option(str(ana.pk))
    filters.get_by_role("button", name="Apply").click()

    page.wait_for_url(f"**agent={ana.pk}**")
    expect(page.locator("p.window")).to_contain_text("From 2025-03-01 to 2025-03-02, UTC time.")
    rows = table_rows(page)
    shown = sorted(
        (row["Date"], row["Status"], row["Code"], row["Count"], row["Time"]) for row in rows
    )
    assert shown == [
        ("2025-03-01", "On break", "LUNCH", "1", "0:45:00"),
        ("2025-03-01", "On break", "SHORT", "1", "0:12:00"),
        ("2025-03-01", "Work offline", "MEETING", "1", "0:30:00"),
        # The meeting crosses midnight: its second part adds time to 2 March but no count.
        ("2025-03-02", "Work offline", "MEETING", "0", "1:00:00"),
    ]
    assert {row["Agent"] for row in rows} == {"ana"}
    screenshot(page, "report-time-by-code")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert download.value.suggested_filename.endswith(".csv")
    reader = csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")))
    header, *records = list(reader)
    # The columns of the contract first, unchanged; the status's label after them.
    assert header == [*TIME_BY_CODE_COLUMNS, "status_label"]
    exported = [dict(zip(header, record, strict=True)) for record in records]
    assert len(exported) == len(rows)
    on_page = {(row["Date"], row["Code"]): row for row in rows}
    for record in exported:
        row = on_page[(record["date"], record["code"])]
        assert record["agent"] == "ana"
        assert record["group"] == row["Group"] == "Support Tier 1"
        assert record["count"] == row["Count"]
        assert record["duration"] == row["Time"] == hms(int(record["seconds"]))
        assert f"{float(record['percent_of_logged_in']):.1f}" == row["% of logged-in"]
    totals = page.locator("[data-total='grand']")
    assert totals.locator("[data-total='count']").inner_text() == str(
        sum(int(record["count"]) for record in exported)
    )
    assert totals.locator("[data-total='duration']").inner_text() == hms(
        sum(int(record["seconds"]) for record in exported)
    )


def test_supervisor_sees_the_live_board_and_the_status_changes_of_their_agents(
    page, history, supervisor_a, ana
):
    log_in(page, "supervisor_a", next_url="/reports/live/")
    filters = page.get_by_role("form", name="Filters")
    expect(filters.locator("#id_tz").locator("option:checked")).to_contain_text(settings.TIME_ZONE)
    live = {row["Agent"]: row for row in table_rows(page)}
    assert sorted(live) == ["ana", "sofia"]
    assert live["sofia"]["Status"] == "On break"
    assert live["sofia"]["Label"] == "Lunch"
    assert live["sofia"]["Exceeded"].startswith("+0:15:")
    expect(page.locator("table.report tbody tr.exceeded")).to_have_count(1)
    screenshot(page, "report-live-board")

    page.goto(
        "/reports/status-changes/?date_from=2025-03-01&date_to=2025-03-02&tz=UTC"
        f"&agent={ana.pk}&sort=timestamp"
    )
    changes = table_rows(page)
    assert len(changes) == 7
    assert {row["Agent"] for row in changes} == {"ana"}
    assert [(row["Status"], row["Code"], row["Duration"]) for row in changes[:3]] == [
        ("Available", "—", "2:00:00"),
        ("On break", "SHORT", "0:12:00"),
        ("Available", "—", "2:48:00"),
    ]
    assert [row["Ongoing"] == "yes" for row in changes] == [False] * 6 + [True]
    expect(page.locator(".totals")).to_contain_text("7 status changes")
    screenshot(page, "report-status-changes")
