"""A reader's own subscriptions: subscribe from a report page, list, delete; and the others'
doors (an agent, another group's supervisor)."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schedules.models import ReportSubscription


def test_a_report_page_offers_to_mail_itself_with_its_filters(
    supervisor_a, support_group, client_for
):
    page = client_for(supervisor_a).get("/reports/rejections/?tz=Europe/Madrid&channel=phone")
    assert page.status_code == 200
    assert (
        'href="/reports/subscriptions/new/rejections/?tz=Europe%2FMadrid&amp;channel=phone"'
        in page.text
    )
    assert "E-mail me this report" in page.text


def test_the_live_board_has_no_subscription_link(supervisor_a, support_group, client_for):
    page = client_for(supervisor_a).get("/reports/live/")
    assert page.status_code == 200
    assert "data-subscribe" not in page.text
    assert client_for(supervisor_a).get("/reports/subscriptions/new/live/").status_code == 404


def test_subscribing_keeps_the_filters_but_not_the_dates(supervisor_a, support_group, client_for):
    client = client_for(supervisor_a)
    query = f"tz=Europe/Madrid&group={support_group.pk}&date_from=2025-03-01&page=2"
    form = client.get(f"/reports/subscriptions/new/status-changes/?{query}")
    assert form.status_code == 200
    assert "Support Tier 1" in form.text
    assert "Europe/Madrid" in form.text

    kept = f"tz=Europe%2FMadrid&group={support_group.pk}"
    answer = client.post(
        "/reports/subscriptions/new/status-changes/",
        {
            "query": kept,
            "frequency": "weekly",
            "weekday": "0",
            "send_time": "06:30",
            "file_format": "xlsx",
        },
    )

    assert answer.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert subscription.owner == supervisor_a
    assert subscription.query == f"tz=Europe%2FMadrid&group={support_group.pk}"
    assert (subscription.frequency, subscription.weekday) == ("weekly", 0)
    assert subscription.send_time == time(6, 30)
    listing = client.get("/reports/subscriptions/")
    assert "Agent status change details" in listing.text
    assert "Weekly on Monday at 06:30, Europe/Madrid time" in listing.text
    assert "Nothing sent yet" in listing.text


def test_a_filter_outside_the_readers_scope_is_refused_with_the_forms_message(
    supervisor_a, support_group, sales_group, client_for
):
    answer = client_for(supervisor_a).post(
        "/reports/subscriptions/new/status-changes/",
        {
            "query": f"group={sales_group.pk}",
            "frequency": "daily",
            "send_time": "07:00",
            "file_format": "csv",
        },
    )
    assert answer.status_code == 400
    assert "Group: Select a valid choice" in answer.text
    assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tz=Mars/Olympus", "Unknown time zone"),
        ("granularity=fortnight", "Unknown granularity"),
    ],
)
def test_bad_filters_are_refused(supervisor_a, support_group, client_for, query, message):
    answer = client_for(supervisor_a).post(
        "/reports/subscriptions/new/time-by-code/",
        {"query": query, "frequency": "daily", "send_time": "07:00", "file_format": "csv"},
    )
    assert answer.status_code == 400
    assert message in answer.text
    assert not ReportSubscription.objects.exists()


def test_weekly_needs_a_day(supervisor_a, support_group, client_for):
    answer = client_for(supervisor_a).post(
        "/reports/subscriptions/new/status-changes/",
        {"query": "", "frequency": "weekly", "send_time": "07:00", "file_format": "csv"},
    )
    assert answer.status_code == 400
    assert "Choose the day a weekly report is sent." in answer.text


def test_others_subscriptions_are_neither_listed_nor_deletable(
    supervisor_a, supervisor_b, support_group, sales_group, subscribe, client_for
):
    theirs = subscribe(supervisor_a)
    client = client_for(supervisor_b)
    assert "Agent status change details" not in client.get("/reports/subscriptions/").text
    assert client.post(f"/reports/subscriptions/{theirs.pk}/delete/").status_code == 404
    assert ReportSubscription.objects.filter(pk=theirs.pk).exists()


def test_an_owner_deletes_their_subscription(supervisor_a, support_group, subscribe, client_for):
    mine = subscribe(supervisor_a)
    answer = client_for(supervisor_a).post(f"/reports/subscriptions/{mine.pk}/delete/")
    assert answer.status_code == 302
    assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize(
    "url", ["/reports/subscriptions/", "/reports/subscriptions/new/status-changes/"]
)
def test_agents_may_not_subscribe(ana, client_for, url):
    assert client_for(ana).get(url).status_code == 403


def test_an_agent_may_not_delete_a_subscription(ana, supervisor_a, subscribe, client_for):
    mine = subscribe(supervisor_a)
    assert client_for(ana).post(f"/reports/subscriptions/{mine.pk}/delete/").status_code == 403
    assert ReportSubscription.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, db):
    answer = client.get("/reports/subscriptions/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


def test_a_reader_without_an_e_mail_address_is_told_so(supervisor_a, support_group, client_for):
    supervisor_a.email = ""
    supervisor_a.save()
    client = client_for(supervisor_a)
    assert (
        "Your account has no e-mail address"
        in client.get("/reports/subscriptions/new/status-changes/").text
    )
    answer = client.post(
        "/reports/subscriptions/new/status-changes/",
        {"query": "", "frequency": "daily", "send_time": "07:00", "file_format": "csv"},
    )
    assert answer.status_code == 400
    assert "This user has no e-mail address" in answer.text
    assert not ReportSubscription.objects.exists()


def test_the_list_reads_as_many_queries_for_three_subscriptions_as_for_one(
    supervisor_a, support_group, subscribe, client_for
):
    client = client_for(supervisor_a)
    subscribe(supervisor_a, query="tz=Europe/Madrid&granularity=hour", report="rejections")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/reports/subscriptions/").status_code == 200
        return len(captured)

    one = queries()
    subscribe(supervisor_a, query="tz=UTC&status=on_break")
    subscribe(supervisor_a, query="tz=America/New_York", frequency="weekly", weekday=4)
    assert queries() == one
