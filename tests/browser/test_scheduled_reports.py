"""In Chromium: a supervisor subscribes to a report from its page, with its filters, finds it in
their scheduled reports, and deletes it; both pages pass axe's serious checks."""

import pytest

from schedules.models import ReportSubscription
from tests.browser.axe import laptop_page, serious_violations
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture
def laptop(browser, live_server):
    yield from laptop_page(browser, live_server)


def test_a_supervisor_subscribes_from_a_report_page_and_unsubscribes(
    laptop, supervisor_a, support_group, ana
):
    page = laptop
    log_in(page, "supervisor_a", next_url="/reports/")
    page.goto("/reports/rejections/?tz=Europe/Madrid&channel=phone")
    page.get_by_role("link", name="E-mail me this report").click()

    expect(page.locator("h1")).to_have_text("E-mail me this report")
    expect(page.locator(".filters-summary")).to_contain_text("Europe/Madrid")
    assert serious_violations(page) == []
    form = page.locator("main form")
    form.get_by_label("Weekly (last Monday to Sunday)").check()
    form.get_by_label("Weekday").select_option(label="Monday")
    form.get_by_label("Send time").fill("06:30")
    form.get_by_label("XLSX").check()
    form.get_by_role("button", name="Subscribe").click()

    page.wait_for_url("**/reports/subscriptions/")
    row = page.locator("tr[data-subscription]")
    expect(row).to_contain_text("Rejections by code")
    expect(row).to_contain_text("Weekly on Monday at 06:30, Europe/Madrid time")
    expect(row).to_contain_text("Nothing sent yet")
    assert serious_violations(page) == []
    subscription = ReportSubscription.objects.get()
    assert (subscription.owner, subscription.file_format) == (supervisor_a, "xlsx")

    row.get_by_role("button", name="Delete").click()
    expect(page.locator(".messages")).to_contain_text("Subscription deleted")
    assert not ReportSubscription.objects.exists()
