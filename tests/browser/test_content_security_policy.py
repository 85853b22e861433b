"""In Chromium: no page we serve breaks its Content-Security-Policy (docs/security.md).

The policy allows scripts, styles and images from the site itself only: an inline <script>, an
inline style= attribute, a <style> block or an onclick= handler is blocked, and the browser
reports it (a `securitypolicyviolation` event and a console error). Each test walks through the
pages of one door, uses what runs scripts there (adding an inline row, the ticking clock), and
asserts that nothing was reported.
"""

import time

import pytest

from agents.services import agent_perform_action
from statuscodes.models import StatusCode, StatusCodeList
from tests.browser.conftest import log_in
from tests.browser.test_admin_import import BAD_FILE
from tests.reports.timeline import at, rejection, timeline

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

# Collects the violations the page reports, from the first byte of every document on.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber} on ${document.location.pathname}`
  );
});
"""


class ViolationWatch:
    """The page's CSP violations: its console errors, and the events of each document."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def collect(self) -> None:
        """Takes the current document's events (call before leaving it)."""
        self.found += self.page.evaluate("window.cspViolations || []")

    def visit(self, path: str) -> None:
        self.page.goto(path)
        self.page.wait_for_load_state("load")
        self.collect()

    def assert_none(self) -> None:
        self.collect()
        assert self.found == [], "\n".join(self.found)


@pytest.fixture
def watch(page):
    return ViolationWatch(page)


@pytest.fixture
def history(ana, sofia):
    timeline(
        ana,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:12"), "available"),
        (at("2025-03-01 13:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:45"), "work_offline", "MEETING"),
        (at("2025-03-01 17:00"), "logged_out", "EOS"),
    )
    timeline(
        sofia,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:05"), "logged_out", "EOS"),
    )
    rejection(ana, at("2025-03-01 09:30"), "phone", "CASE")


def test_the_agent_console_runs_under_the_policy(page, watch, ana):
    agent_perform_action(agent=ana, action="login", source="console")
    # The pages' clocks stand still (at the real time) until the test moves them.
    now = time.time()
    page.clock.install(time=now - 60)
    page.clock.pause_at(now)
    log_in(page, "ana", next_url="/console/")
    take_break = page.locator("form.console-action").filter(
        has=page.get_by_role("button", name="Take break")
    )
    take_break.get_by_label("Reason (required)").select_option(label="Lunch")
    take_break.get_by_role("button", name="Take break").click()
    expect(page.locator(".console-status")).to_contain_text("On break")
    # The script ticks the time in status every second: it runs. (The seconds the server counted
    # are 0 but on a slow machine.)
    clock = page.locator(".console-elapsed")
    served = int(clock.get_attribute("data-elapsed"))
    page.clock.run_for(2_000)
    expect(clock).to_have_text(f"0:00:{served + 2:02d}")
    watch.assert_none()


def test_the_report_pages_and_the_chart_run_under_the_policy(page, watch, history, superuser):
    log_in(page, "root", next_url="/reports/")
    window = "date_from=2025-03-01&date_to=2025-03-01&tz=UTC"
    watch.visit(f"/reports/time-by-code/?{window}")
    expect(page.locator("svg.bar-chart rect").first).to_be_visible()
    expect(page.locator("ul.legend .swatch").first).to_be_visible()
    watch.visit(f"/reports/time-by-code/?{window}&stack=agent")
    for path in [
        f"/reports/rejections/?{window}",
        f"/reports/status-changes/?{window}",
        "/reports/live/",
        "/reports/",
    ]:
        watch.visit(path)
    watch.assert_none()


def test_the_admin_pages_we_use_run_under_the_policy(page, watch, history, superuser, tmp_path):
    log_in(page, "root", next_url="/admin/")
    code_list = StatusCodeList.objects.get(name="Support")
    code = StatusCode.objects.get(code_list=code_list, code="LUNCH")

    # The status code list with its inline codes: add a row, as the administrator would.
    watch.visit(f"/admin/statuscodes/statuscodelist/{code_list.pk}/change/")
    rows = page.locator(".codes-inline .code-row:not(.empty-form)")
    before = rows.count()
    page.locator(".inline-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    watch.collect()

    for path in [
        "/admin/",
        "/admin/statuscodes/statuscodelist/",
        "/admin/statuscodes/statuscodelist/add/",
        f"/admin/statuscodes/statuscodelist/{code_list.pk}/history/",
        "/admin/statuscodes/statuscode/",
        f"/admin/statuscodes/statuscode/{code.pk}/change/",
        "/admin/agents/agent/",
        "/admin/agents/agentgroup/",
        "/admin/agents/statusevent/",
        "/admin/agents/apitoken/add/",
        "/admin/auth/user/",
        f"/admin/auth/user/{superuser.pk}/change/",
    ]:
        watch.visit(path)

    # The export page's "Select all" box still works, from a static script.
    watch.visit("/admin/statuscodes/statuscode/export/")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:visible")
    assert fields.count() > 2
    page.get_by_label("Select all").uncheck()
    expect(fields.and_(page.locator(":checked"))).to_have_count(0)
    page.get_by_label("Select all").check()
    expect(fields.and_(page.locator(":checked"))).to_have_count(fields.count())
    watch.collect()

    # The import page, and its answer to a file with a bad line.
    watch.visit("/admin/statuscodes/statuscode/import/")
    bad = tmp_path / "codes.csv"
    bad.write_text(BAD_FILE, encoding="utf-8")
    form = page.locator("#content form")
    form.get_by_label("File to import").set_input_files(bad)
    form.get_by_label("Format").select_option(label="csv")
    form.get_by_role("button", name="Submit").click()
    expect(page.locator("table.import-preview")).to_be_visible()
    watch.assert_none()


def test_the_api_docs_run_under_the_policy(page, watch, superuser):
    log_in(page, "root", next_url="/admin/")
    watch.visit("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Agent status codes API")
    watch.assert_none()
