"""In Chromium at 1366×900: each role walks through its own door. The administrator's home is
grouped by task and leads to a status code list that fits the screen; an agent sees no Reports
link and gets the site's 403 page with the way back; a supervisor sees Reports; an agent who
signs out while on break is asked whether to log out too."""

import pytest
from django.contrib.auth.models import Group

from agents.selectors import agent_current_state
from agents.services import agent_perform_action
from tests.browser.axe import laptop_page
from tests.browser.conftest import log_in, screenshot
from tests.conftest import make_code, make_user

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

MORE_CODES = [
    ("COFFEE", "Coffee", "Café", ["take_break"]),
    ("COACH", "Coaching", "Coaching", ["work_offline"]),
    ("EMAILS", "Email backlog", "Correos pendientes", ["work_offline"]),
    ("REBOOT", "PC Reboot", "Reinicio del PC", ["logout"]),
    ("NOTREADY", "Not ready", "No listo", ["reject_phone", "reject_chat", "reject_email"]),
    ("BREAKNEAR", "Nearing break", "", ["reject_phone", "reject_voicemail"]),
]


@pytest.fixture
def laptop(browser, live_server):
    yield from laptop_page(browser, live_server)


def header_links(page) -> list[str]:
    return page.locator("header nav a").all_inner_texts()


def test_administrator_goes_from_the_admin_home_to_a_list_that_fits_the_screen(
    laptop, support_list
):
    page = laptop
    support_list.secondary_language = "es"
    support_list.save()
    for order, (key, label, spanish, actions) in enumerate(MORE_CODES, start=100):
        make_code(support_list, key, label, actions, sort_order=order, label_es=spanish)
    assert support_list.codes.count() == 15
    admin_user = make_user("carla", is_staff=True, first_name="Carla", last_name="Ortiz")
    admin_user.groups.add(Group.objects.get(name="Administrators"))

    log_in(page, "carla", next_url="/admin/")
    expect(page.locator("#site-name")).to_have_text("Agent status codes — administration")
    sections = page.locator("#content-main .module caption").all_inner_texts()
    assert [section.strip() for section in sections] == [
        "CONFIGURATION",
        "PEOPLE",
        "HISTORY",
        "INTEGRATIONS",
        "SCHEDULED REPORTS",
    ]
    assert "Access attempts" not in page.locator("#content-main").inner_text()

    page.locator("#content-main").get_by_role("link", name="Status code lists").click()
    page.get_by_role("link", name="Support", exact=True).click()
    expect(page.locator("h1")).to_have_text("Change status code list")

    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport == 1366
    rows = page.locator(".codes-inline .code-row.has_original")
    expect(rows).to_have_count(15)
    heights = rows.evaluate_all("rows => rows.map(row => row.getBoundingClientRect().height)")
    assert max(heights) <= 60, heights
    assert sum(heights) <= 900
    # RETIRED and BREAKNEAR have no Spanish label: marked, in words.
    expect(page.locator(".code-row .missing-translation")).to_have_count(2)

    lunch = rows.filter(has=page.locator('input[value="LUNCH"]'))
    french = lunch.get_by_label("Label [fr]:", exact=True)
    expect(french).to_be_hidden()
    lunch.get_by_role("button", name="More").click()
    expect(french).to_be_visible()
    expect(lunch.get_by_role("button", name="More")).to_have_attribute("aria-expanded", "true")
    lunch.get_by_role("button", name="More").click()
    expect(french).to_be_hidden()
    screenshot(page, "admin-status-code-list")

    # The chips are checkboxes: a keyboard toggles them, and the page saves them.
    phone = lunch.get_by_role("checkbox", name="Reject Phone")
    phone.focus()
    page.keyboard.press("Space")
    expect(phone).to_be_checked()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    lunch_code = support_list.codes.get(code="LUNCH")
    assert sorted(lunch_code.actions.values_list("key", flat=True)) == [
        "reject_phone",
        "take_break",
    ]


def test_a_new_code_row_is_added_and_saved(laptop, support_list, superuser):
    page = laptop
    log_in(page, "root", next_url=f"/admin/statuscodes/statuscodelist/{support_list.pk}/change/")
    page.get_by_role("button", name="Add another Status code").click()
    new = page.locator(".codes-inline .code-row.dynamic-codes:not(.has_original)").last
    new.get_by_label("Code", exact=True).fill("NAP")
    new.get_by_label("Label [en]", exact=True).fill("Nap")
    new.get_by_role("checkbox", name="Take break").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    nap = support_list.codes.get(code="NAP")
    assert list(nap.actions.values_list("key", flat=True)) == ["take_break"]


def test_an_agent_sees_no_reports_and_gets_the_sites_403_with_the_way_back(
    laptop, ana, support_group
):
    page = laptop
    log_in(page, "ana", next_url="/console/")
    assert header_links(page) == ["Console"]
    response = page.goto("/reports/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("This page is not for you")
    expect(page.locator("main")).to_contain_text("Reports are for supervisors and report readers.")
    screenshot(page, "error-403")
    page.get_by_role("link", name="Go to your Console").click()
    expect(page.locator(".console-status")).to_contain_text("Logged out")


def test_a_supervisor_sees_the_reports_and_no_console(laptop, support_group, supervisor_a):
    page = laptop
    log_in(page, "supervisor_a", next_url="/")
    page.wait_for_url("**/reports/")
    assert header_links(page) == ["Reports"]
    expect(page.locator("h1")).to_have_text("Reports")


def test_an_agent_on_break_who_signs_out_is_asked_to_log_out_too(laptop, ana):
    page = laptop
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    log_in(page, "ana", next_url="/console/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("You are still on break (Lunch)")
    screenshot(page, "sign-out-question")
    page.get_by_label("Reason for logging out (required)").select_option(label="End of shift")
    page.get_by_role("button", name="Log out and sign out").click()
    page.wait_for_url("**/accounts/login/")
    expect(page.locator(".messages")).to_contain_text(
        "You are logged out of the contact center and signed out."
    )
    state = agent_current_state(agent=ana)
    assert (state.status, state.code.code) == ("logged_out", "EOS")


def test_sign_out_only_keeps_the_agent_in_their_status(laptop, ana):
    page = laptop
    agent_perform_action(agent=ana, action="login", source="console")
    log_in(page, "ana", next_url="/console/")
    expect(page.get_by_role("button", name="Log out (end of shift)")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign out only").click()
    page.wait_for_url("**/accounts/login/")
    assert agent_current_state(agent=ana).status == "available"
