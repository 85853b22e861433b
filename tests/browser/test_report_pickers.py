"""In Chromium: the pickers of the report filters (the admin's autocomplete). The agent picker
finds agents by their full name; two chosen agents are the table's only agents and the CSV link
keeps both. The code picker finds a code by its label; the chosen code is the table's only code
and stays chosen, by its label, after the filters are applied."""

from urllib.parse import parse_qs, urlparse

import pytest

from statuscodes.models import StatusCode
from tests.browser.conftest import log_in
from tests.conftest import make_agent
from tests.reports.timeline import at, timeline

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture
def three_agents(ana, sofia, support_group):
    diego = make_agent("diego", support_group)
    for agent, first, last in (
        (ana, "Ana", "García"),
        (sofia, "Sofía", "Martín"),
        (diego, "Diego", "Gallo"),
    ):
        agent.user.first_name, agent.user.last_name = first, last
        agent.user.save()
        timeline(
            agent,
            (at("2025-03-01 09:00"), "available"),
            (at("2025-03-01 10:00"), "on_break", "SHORT"),
            (at("2025-03-01 10:15"), "available"),
        )
    return ana, sofia, diego


def choose(page, text: str, option: str, *, picker: str = "agent") -> None:
    """Type `text` into a picker (`agent`, `code`) and pick `option` from what it finds."""
    field = page.locator(f"#id_{picker} + .select2 .select2-search__field")
    field.click()
    field.fill(text)
    page.locator(".select2-results__option", has_text=option).click()


def test_supervisor_picks_two_agents_by_name(page, three_agents, supervisor_a):
    ana, sofia, diego = three_agents
    log_in(page, "supervisor_a", next_url="/reports/time-by-code/")
    page.goto("/reports/time-by-code/?date_from=2025-03-01&date_to=2025-03-01&tz=UTC")
    expect(page.locator("#id_agent + .select2")).to_be_visible()
    # An empty picker is seen as a box, as the other filters (the admin's picker styles read
    # colours that only the admin's pages define).
    for picker in ("agent", "code"):
        box = page.locator(f"#id_{picker} + .select2 .select2-selection")
        expect(box).to_have_css("border-top-style", "solid")
        expect(box).to_have_css("border-top-width", "1px")
    # "Ga" is in García and in Gallo: the picker searches full names.
    choose(page, "Ga", "Ana García (ana)")
    choose(page, "mart", "Sofía Martín (sofia)")
    chosen = page.locator("#id_agent + .select2 .select2-selection__choice")
    expect(chosen).to_have_count(2)
    page.get_by_role("form", name="Filters").get_by_role("button", name="Apply").click()

    page.wait_for_url(f"**agent={sofia.pk}**")
    agents = page.locator("table.report tbody td:nth-child(2)").all_inner_texts()
    # The agent cell: the username, then the full name.
    assert {agent.split("\n")[0].strip() for agent in agents} == {"ana", "sofia"}
    link = page.get_by_role("link", name="CSV", exact=True).get_attribute("href")
    assert sorted(parse_qs(urlparse(link).query)["agent"]) == sorted([str(ana.pk), str(sofia.pk)])
    # The chosen agents are still shown, by name, after the page reloads.
    expect(chosen).to_have_count(2)
    expect(chosen.first).to_contain_text("Ana García (ana)")


def test_supervisor_picks_a_code_by_typing_its_label(page, ana, sofia, supervisor_a):
    for agent in (ana, sofia):
        timeline(
            agent,
            (at("2025-03-01 09:00"), "available"),
            (at("2025-03-01 10:00"), "on_break", "SHORT"),
            (at("2025-03-01 10:15"), "available"),
            (at("2025-03-01 12:00"), "on_break", "LUNCH"),
            (at("2025-03-01 12:30"), "available"),
        )
    log_in(page, "supervisor_a", next_url="/reports/time-by-code/")
    page.goto("/reports/time-by-code/?date_from=2025-03-01&date_to=2025-03-01&tz=UTC")
    expect(page.locator("#id_code + .select2")).to_be_visible()
    # "lun" is in Lunch only: the picker searches labels, keys and lists.
    choose(page, "lun", "Support / LUNCH — Lunch", picker="code")
    chosen = page.locator("#id_code + .select2 .select2-selection__choice")
    expect(chosen).to_have_count(1)
    page.get_by_role("form", name="Filters").get_by_role("button", name="Apply").click()

    lunch = StatusCode.objects.get(code_list__name="Support", code="LUNCH")
    page.wait_for_url(f"**code={lunch.pk}**")
    codes = page.locator("table.report tbody td:nth-child(6)").all_inner_texts()
    assert codes and {code.strip() for code in codes} == {"LUNCH"}
    link = page.get_by_role("link", name="CSV", exact=True).get_attribute("href")
    assert parse_qs(urlparse(link).query)["code"] == [str(lunch.pk)]
    expect(chosen).to_have_count(1)
    expect(chosen.first).to_contain_text("Support / LUNCH — Lunch")
