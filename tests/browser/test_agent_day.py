"""In Chromium: a supervisor follows a report row to an agent's day, reads its bars, tooltips
and table, moves to the next day and picks a zone; axe-core finds nothing serious on the page."""

import pytest

from tests.browser.axe import laptop_page, serious_violations
from tests.browser.conftest import log_in, screenshot
from tests.reports.timeline import at, rejection, timeline

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

WINDOW = "?date_from=2025-03-01&date_to=2025-03-01&tz=UTC"


@pytest.fixture
def laptop(browser, live_server):
    yield from laptop_page(browser, live_server)


@pytest.fixture
def history(ana):
    """ana's Saturday, with a night shift into Sunday."""
    timeline(
        ana,
        (at("2025-03-01 07:55"), "available"),
        (at("2025-03-01 09:10"), "busy"),
        (at("2025-03-01 09:32"), "post_processing"),
        (at("2025-03-01 09:36"), "available"),
        (at("2025-03-01 10:30"), "on_break", "SHORT"),
        (at("2025-03-01 10:45"), "available"),
        (at("2025-03-01 12:30"), "on_break", "LUNCH"),
        (at("2025-03-01 13:30"), "work_offline", "TRAINING"),
        (at("2025-03-01 15:00"), "available"),
        (at("2025-03-01 16:05"), "logged_out", "EOS"),
        (at("2025-03-01 21:00"), "available"),
        (at("2025-03-01 23:40"), "on_break", "SHORT"),
        (at("2025-03-02 00:25"), "available"),
        (at("2025-03-02 05:00"), "logged_out", "EOS"),
    )
    rejection(ana, at("2025-03-01 08:30"), "phone", "CASE")
    rejection(ana, at("2025-03-01 11:20"), "chat", "TECH")
    rejection(ana, at("2025-03-01 22:10"), "email")


def test_supervisor_reads_an_agents_day(laptop, history, supervisor_a):
    page = laptop
    log_in(page, "supervisor_a", next_url="/reports/")
    page.goto(f"/reports/status-changes/{WINDOW}&sort=timestamp")
    page.locator("table.report").get_by_role("link", name="ana").first.click()
    page.wait_for_url("**/reports/agents/ana/day/?date=2025-03-01&tz=UTC")
    expect(page.locator("h1")).to_contain_text("An agent's day: ana")

    saturday = page.get_by_role("region", name="Saturday 2025-03-01")
    picture = saturday.get_by_role("img")
    # 07:55 to midnight, in 12 intervals: available 1:15 + 0:54 + 1:45 + 1:05 + 2:40, and so on.
    expect(picture).to_have_attribute(
        "aria-label",
        "ana on Saturday 2025-03-01 (24 hours): 12 intervals — Available 7:39:00, Logged out"
        " 4:55:00, On break 1:35:00, Work offline 1:30:00, Busy 0:22:00, Post-processing 0:04:00;"
        " 3 rejections.",
    )
    rows = saturday.locator("table.intervals tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.last).to_contain_text("23:40:00")
    expect(rows.last).to_contain_text("until 2025-03-02 00:25:00")
    expect(saturday.locator("svg.timeline rect.segment title").nth(4)).to_have_text(
        "On break — Short Break (SHORT): 10:30:00 – 10:45:00, 0:15:00"
    )
    expect(saturday.locator("table.rejections tbody tr")).to_have_count(3)
    assert serious_violations(page) == [], page.url

    filters = page.get_by_role("form", name="Filters")
    filters.get_by_label("Days").fill("2")
    filters.get_by_role("button", name="Apply").click()
    page.wait_for_url("**days=2**")
    sunday = page.get_by_role("region", name="Sunday 2025-03-02")
    expect(sunday.locator("table.intervals tbody tr").first).to_contain_text(
        "from 2025-03-01 23:40:00"
    )
    screenshot(page, "report-agent-day")

    page.get_by_role("link", name="Next 2 days").click()
    page.wait_for_url("**date=2025-03-03**")
    expect(page.get_by_role("region", name="Monday 2025-03-03")).to_be_visible()
    filters = page.get_by_role("form", name="Filters")
    # The page lists the common zones only; any other is found by typing part of its name.
    filters.locator("#id_tz + .select2 .select2-selection").click()
    page.locator(".select2-search__field").fill("new york")
    page.get_by_role("option", name="America/New_York", exact=True).click()
    filters.get_by_role("button", name="Apply").click()
    page.wait_for_url("**tz=America%2FNew_York**")
    expect(page.locator(".day-nav")).to_contain_text("America/New_York time.")
    assert serious_violations(page) == [], page.url
