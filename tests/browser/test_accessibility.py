"""In Chromium, with axe-core: no serious or critical accessibility violation on the console (in
each state an agent reaches), the sign-out question, the error pages, the reports and the admin
pages the project shapes (home, a status code list, a group, the import page and its errors).
Every control labelled, focus visible, colour never the only signal."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from agents.models import StatusEvent
from agents.services import agent_perform_action, agent_set_system_status
from tests.browser.axe import laptop_page, serious_violations
from tests.browser.conftest import log_in
from tests.conftest import make_user
from tests.reports.timeline import at, rejection, timeline

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

WINDOW = "?date_from=2025-03-01&date_to=2025-03-02&tz=UTC"
REPORTS = [
    "/reports/",
    f"/reports/status-changes/{WINDOW}",
    f"/reports/time-by-code/{WINDOW}",
    f"/reports/time-by-code/{WINDOW}&granularity=hour",
    f"/reports/time-by-code/matrix/{WINDOW}",
    f"/reports/rejections/{WINDOW}",
]


@pytest.fixture
def laptop(browser, live_server):
    yield from laptop_page(browser, live_server)


def assert_accessible(page, *, disabled_rules: tuple[str, ...] = ()) -> None:
    assert serious_violations(page, disabled_rules=disabled_rules) == [], page.url


class Walk:
    """One walk through several pages, with one login and one set of data: a page that fails
    is recorded under its name and the walk goes on to the next, so that the test reports every
    page that failed, each with its name."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    @contextmanager
    def page(self, name: str):
        try:
            yield
        except (AssertionError, sync_api.Error) as error:
            self.failures.append(f"{name}: {type(error).__name__}: {error}")

    def assert_every_page_passed(self) -> None:
        if self.failures:
            pytest.fail(
                f"{len(self.failures)} page(s) failed:\n\n" + "\n\n".join(self.failures),
                pytrace=False,
            )


def test_the_console_in_each_state(laptop, ana):
    page = laptop
    log_in(page, "ana", next_url="/console/")
    assert_accessible(page)  # logged out
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator(".console-status")).to_contain_text("Available")
    assert_accessible(page)
    page.get_by_label("Reason (required)").first.select_option("LUNCH")
    page.get_by_role("button", name="Take break").click()
    expect(page.locator(".console-status")).to_contain_text("On break")
    assert_accessible(page)
    agent_perform_action(agent=ana, action="go_available", source="console")
    agent_set_system_status(agent=ana, status="busy", source="system")
    page.reload()
    expect(page.locator(".console-status")).to_contain_text("Busy")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_contain_text("You are still busy with an interaction")
    assert_accessible(page)


def test_the_console_says_in_words_when_the_maximum_is_passed(laptop, ana):
    page = laptop
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    StatusEvent.objects.ongoing().filter(agent=ana).update(
        started_at=timezone.now() - timedelta(minutes=75)
    )
    log_in(page, "ana", next_url="/console/")
    clock = page.locator(".console-elapsed.exceeded")
    warning = clock.evaluate("clock => getComputedStyle(clock, '::after').content")
    assert "over the expected maximum" in warning
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("You are still on break (Lunch)")
    assert_accessible(page)


def test_the_error_pages(laptop, ana, support_group):
    page = laptop
    log_in(page, "ana", next_url="/console/")
    page.goto("/reports/")
    expect(page.locator("h1")).to_have_text("This page is not for you")
    assert_accessible(page)
    page.goto("/no-such-page/")
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page)


def test_focus_is_visible_on_the_sites_links_and_buttons(laptop, ana):
    page = laptop
    log_in(page, "ana", next_url="/console/")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "() => { const el = document.activeElement; const style = getComputedStyle(el);"
        " return [el.textContent.trim(), style.outlineStyle, style.outlineWidth]; }"
    )
    assert outline[0] == "Skip to content"
    assert outline[1] == "solid" and outline[2] != "0px"


@pytest.fixture
def reports_history(ana, sofia, sam):
    timeline(
        ana,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:40"), "available"),
        (at("2025-03-02 01:00"), "logged_out", "EOS"),
    )
    timeline(sofia, (at("2025-03-01 09:00"), "available"), (at("2025-03-01 12:00"), "logged_out"))
    rejection(ana, at("2025-03-01 08:30"), "phone", "CASE")
    # Live now: sam on break past his code's maximum (45 minutes).
    agent_perform_action(agent=sam, action="login", source="console")
    agent_perform_action(agent=sam, action="take_break", code="LUNCH", source="console")
    StatusEvent.objects.ongoing().filter(agent=sam).update(
        started_at=timezone.now() - timedelta(minutes=50)
    )


def test_each_report_page_and_the_live_board_saying_who_is_over_the_maximum(
    laptop, reports_history, superuser
):
    page = laptop
    log_in(page, "root", next_url="/reports/")
    walk = Walk()
    # The live board first, while sam's break is as far past its maximum as the data made it.
    with walk.page("/reports/live/"):
        page.goto("/reports/live/")
        over = page.locator("tr.exceeded")
        expect(over).to_have_count(1)
        expect(over.locator("td .warn")).to_have_text(re.compile(r"^\+0:0[56]:\d\d$"))
        # No meta refresh (axe's "meta-refresh"): the board updates in place, and can be paused.
        assert_accessible(page)
    for url in REPORTS:
        with walk.page(url):
            page.goto(url)
            expect(page.locator("h1")).to_be_visible()
            assert_accessible(page)
    walk.assert_every_page_passed()


# Counts the page's fetches as they are made, so that a paused board is seen not to ask.
COUNT_FETCHES = """
window.__fetches = 0;
const fetchOf = window.fetch;
window.fetch = (...args) => { window.__fetches += 1; return fetchOf(...args); };
"""


def test_the_live_board_updates_in_place_until_the_reader_pauses_it(
    laptop, reports_history, superuser, sam
):
    page = laptop
    log_in(page, "root", next_url="/reports/")
    page.add_init_script(COUNT_FETCHES)
    page.clock.install()  # the board's timer runs on a clock the test moves
    page.goto("/reports/live/")
    expect(page.locator(".live-updated")).to_have_text(re.compile(r"^Updated \d\d:\d\d:\d\d "))
    # The test server is not ASGI: no stream (204), so the board says it updates on its timer.
    expect(page.locator("[data-live-status]")).to_be_visible()
    expect(page.locator("[data-live-status]")).to_have_text("Updated every 15 seconds.")
    sams_row = page.locator("tr", has_text="sam")
    expect(sams_row).to_contain_text("On break")

    agent_perform_action(agent=sam, action="go_available", source="console")
    page.clock.run_for(16_000)
    expect(sams_row).to_contain_text("Available")  # replaced in place: no reload
    assert page.evaluate("window.__fetches") == 1

    pause = page.get_by_role("button", name="Pause updates")
    pause.click()
    agent_perform_action(agent=sam, action="take_break", code="LUNCH", source="console")
    page.clock.run_for(60_000)
    assert page.evaluate("window.__fetches") == 1
    expect(sams_row).to_contain_text("Available")

    page.get_by_role("button", name="Resume updates").click()  # updates at once
    expect(sams_row).to_contain_text("On break")
    assert_accessible(page)


@pytest.fixture
def administrator_page(laptop, support_group, ana, sam):
    user = make_user("carla", is_staff=True, first_name="Carla", last_name="Ortiz")
    user.groups.add(Group.objects.get(name="Administrators"))
    log_in(laptop, "carla", next_url="/admin/")
    return laptop


def test_the_admin_pages(administrator_page, support_group, support_list, sam, tmp_path):
    page = administrator_page
    walk = Walk()

    with walk.page("the admin home"):
        expect(page.locator("#site-name")).to_be_visible()
        assert_accessible(page)

    with walk.page("the group page with its pickers"):
        page.goto(f"/admin/agents/agentgroup/{support_group.pk}/change/")
        assert_accessible(page)
        picker = page.locator(".field-add_agents .select2-selection")
        picker.click()
        page.locator(".select2-search__field:focus").fill("sam")
        page.get_by_role("option", name="sam").click()
        expect(page.locator(".field-add_agents .select2-selection__choice")).to_have_count(1)
        assert_accessible(page)

    with walk.page("the import page and its errors"):
        page.goto("/admin/statuscodes/statuscode/import/")
        assert_accessible(page)
        codes = tmp_path / "codes.csv"
        codes.write_text(
            "list,code,label,description,actions,sort_order,active,max_minutes\n"
            "Back office,NAP,Nap,,take_nap,5,true,\n",
            encoding="utf-8",
        )
        form = page.locator("#content form")
        form.get_by_label("File to import").set_input_files(codes)
        form.get_by_label("Format").select_option(label="csv")
        form.get_by_role("button", name="Submit").click()
        expect(page.locator("table.import-preview")).to_be_visible()
        assert_accessible(page)

    # Last: it gives the list a second language, which the pages above were seen without.
    with walk.page("the status code list page, folded and unfolded"):
        support_list.secondary_language = "es"
        support_list.save()
        page.goto(f"/admin/statuscodes/statuscodelist/{support_list.pk}/change/")
        assert_accessible(page)
        for toggle in page.get_by_role("button", name="More").all()[:3]:
            toggle.click()
        page.get_by_role("button", name="Add another Status code").click()
        assert_accessible(page)

    walk.assert_every_page_passed()
