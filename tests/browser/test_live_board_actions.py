"""In Chromium: a supervisor logs an agent out from the live board, with a reason, using only the
keyboard, then finds the change and its author in the status-changes report."""

import pytest

from agents.services import agent_perform_action
from tests.browser.axe import laptop_page, serious_violations
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture
def laptop(browser, live_server):
    """1366 px wide, with axe: the board must stay readable and accessible with its actions."""
    yield from laptop_page(browser, live_server)


@pytest.fixture
def on_shift(ana, sofia, sam):
    for agent in (ana, sofia, sam):
        agent_perform_action(agent=agent, action="login", source="console")


def test_a_supervisor_logs_an_agent_out_from_the_live_board(laptop, on_shift, supervisor_a):
    page = laptop
    log_in(page, "supervisor_a", next_url="/reports/live/?tz=UTC")
    row = page.locator("table.report tbody tr", has_text="ana")
    expect(row.locator("td").nth(2)).to_have_text("Available")
    # The actions are folded: the board stays one line per agent.
    expect(row.get_by_role("button", name="Log out (ana)")).to_be_hidden()
    # The other group's agent is not on this supervisor's board.
    expect(page.locator("table.report tbody tr", has_text="sam")).to_have_count(0)

    summary = row.locator("summary", has_text="Act")
    summary.focus()
    page.keyboard.press("Enter")
    reason = row.get_by_label("Log-out reason")
    expect(reason).to_be_visible()
    assert reason.locator("option").all_inner_texts() == ["No reason", "End of shift"]
    reason.select_option("EOS")
    screenshot(page, "live-board-actions")
    row.get_by_role("button", name="Log out (ana)").press("Enter")

    page.wait_for_url("**/reports/live/?tz=UTC")
    expect(page.locator(".messages li.success")).to_have_text(
        "ana is now logged out (End of shift)."
    )
    row = page.locator("table.report tbody tr", has_text="ana")
    expect(row.locator("td").nth(2)).to_have_text("Logged out")
    expect(row).to_contain_text("End of shift")
    expect(row).to_contain_text("supervisor_a")
    assert serious_violations(page) == []

    page.goto("/reports/status-changes/?tz=UTC")
    latest = page.locator("table.report tbody tr", has_text="Logged out").filter(has_text="ana")
    expect(latest).to_have_count(1)
    expect(latest).to_contain_text("EOS")
    expect(latest).to_contain_text("Supervisor")
    expect(latest.locator("td").last).to_have_text("supervisor_a")


def replaced(page) -> bool:
    """Whether the board's table was replaced (updated in place) since `mark(page)`."""
    return page.evaluate("document.querySelector('.table-card').dataset.mark === undefined")


def mark(page) -> None:
    page.evaluate("document.querySelector('.table-card').dataset.mark = '1'")


def test_the_board_does_not_update_under_a_supervisor_who_acts(laptop, on_shift, supervisor_a):
    page = laptop
    page.clock.install()
    log_in(page, "supervisor_a", next_url="/reports/live/")

    # A row's actions open: the board waits, however long the supervisor takes.
    mark(page)
    row = page.locator("table.report tbody tr", has_text="ana")
    row.locator("summary", has_text="Act").click()
    row.get_by_label("Break reason").select_option("LUNCH")
    page.locator("h1").click()  # the focus leaves the row; its actions stay open
    page.clock.run_for(60_000)
    assert not replaced(page)
    expect(row.get_by_label("Break reason")).to_have_value("LUNCH")

    # Paused by the reader: no update even with nothing open.
    row.locator("summary", has_text="Act").click()
    toggle = page.get_by_role("button", name="Pause updates")
    toggle.click()
    page.clock.run_for(60_000)
    assert not replaced(page)
    page.get_by_role("button", name="Resume updates").click()
    expect(page.locator(".table-card")).not_to_have_attribute("data-mark", "1")
