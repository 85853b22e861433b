"""Bad filter input is a form error on the page (200) or an HTTP 400 for exports, never a 500."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.reports.conftest import REPORT_URLS, WINDOW

DATED_URLS = [url for url in REPORT_URLS if "live" not in url]

BAD_FILTERS = [
    (
        {"date_from": "2025-03-05", "date_to": "2025-03-01"},
        "The end date is before the start date.",
    ),
    ({"date_from": "2024-01-01", "date_to": "2025-03-01"}, "at most 366 days"),
    ({"date_from": "2025-02-30"}, "Enter a valid date."),
    ({"date_to": "yesterday"}, "Enter a valid date."),
    ({"date_from": "0001-01-01", "date_to": "0001-01-02"}, "Dates must be between"),
    ({"date_to": "9999-12-31"}, "Dates must be between"),
    ({"tz": "Mars/Olympus_Mons"}, "Unknown time zone"),
    ({"tz": "../../etc/passwd"}, "Unknown time zone"),
    ({"agent": "not-a-number"}, "“not-a-number” is not a valid value."),
    ({"agent": "999999"}, "Select a valid choice"),
    ({"code": "999999"}, "Select a valid choice"),
]


@pytest.mark.parametrize("url", DATED_URLS)
@pytest.mark.parametrize(("filters", "message"), BAD_FILTERS)
def test_bad_filters_are_shown_on_the_page(
    client_for, history, supervisor_a, url, filters, message
):
    response = client_for(supervisor_a).get(url, {**WINDOW, **filters})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "table" not in response.context


@pytest.mark.parametrize("url", DATED_URLS)
@pytest.mark.parametrize(("filters", "message"), BAD_FILTERS)
def test_bad_filters_refuse_the_export(client_for, history, supervisor_a, url, filters, message):
    response = client_for(supervisor_a).get(url, {**WINDOW, **filters, "_export": "xlsx"})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("url", DATED_URLS)
def test_a_refused_export_gives_a_script_one_line_reason(client_for, history, supervisor_a, url):
    client = client_for(supervisor_a)
    response = client.get(
        url,
        {"date_from": "2025-03-05", "date_to": "2025-03-01", "_export": "csv"},
        HTTP_ACCEPT="*/*",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "The end date is before the start date."
    reason = client.get(
        url, {"date_to": "yesterday", "tz": "Mars/Base", "_export": "csv"}
    ).content.decode()
    assert "\n" not in reason and "__all__" not in reason
    assert "To: Enter a valid date." in reason
    assert "Time zone: Unknown time zone “Mars/Base”" in reason


@pytest.mark.parametrize("url", DATED_URLS)
def test_a_refused_export_gives_a_browser_the_page_with_its_errors(
    client_for, history, supervisor_a, url
):
    response = client_for(supervisor_a).get(
        url,
        {"date_from": "2025-03-05", "date_to": "2025-03-01", "_export": "xlsx"},
        HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "The end date is before the start date." in html
    assert str(response.context["title"]) in html
    assert "__all__" not in html
    assert "table" not in response.context


def test_the_live_board_refuses_an_unknown_zone(client_for, support_group, supervisor_a):
    response = client_for(supervisor_a).get("/reports/live/", {"tz": "Nowhere/Land"})
    assert response.status_code == 200
    assert "Unknown time zone" in response.content.decode()


@pytest.mark.parametrize("url", REPORT_URLS)
def test_an_unknown_export_format_is_refused(client_for, support_group, supervisor_a, url):
    response = client_for(supervisor_a).get(url, {**WINDOW, "_export": "pdf"})
    assert response.status_code == 400
    assert "Unknown export format" in response.content.decode()


@pytest.mark.parametrize("url", DATED_URLS)
def test_a_year_is_the_longest_window(client_for, support_group, supervisor_a, url):
    response = client_for(supervisor_a).get(
        url, {"date_from": "2024-01-01", "date_to": "2024-12-31"}
    )
    assert response.context["filterset"].is_valid()


@pytest.mark.parametrize("url", DATED_URLS)
def test_without_dates_the_window_is_the_last_seven_days(
    client_for, support_group, supervisor_a, url
):
    response = client_for(supervisor_a).get(url, {"tz": "Asia/Tokyo"})
    window = response.context["window"]
    today = timezone.now().astimezone(window.zone).date()
    assert (window.date_from, window.date_to) == (today - timedelta(days=6), today)
    assert window.zone.key == "Asia/Tokyo"
    # The date inputs show that window, so the reader sees which dates they are reading.
    html = response.content.decode()
    assert f'name="date_from" value="{today - timedelta(days=6)}"' in html
    assert f'name="date_to" value="{today}"' in html


def test_with_only_an_end_date_the_start_input_shows_the_week_before(
    client_for, support_group, supervisor_a
):
    response = client_for(supervisor_a).get("/reports/rejections/", {"date_to": "2025-03-10"})
    assert 'name="date_from" value="2025-03-04"' in response.content.decode()


def test_without_a_zone_the_report_uses_the_contact_centers_zone(
    client_for, support_group, supervisor_a, settings
):
    settings.TIME_ZONE = "Europe/Madrid"
    response = client_for(supervisor_a).get(
        "/reports/time-by-code/", {"date_from": "2025-03-01", "date_to": "2025-03-02"}
    )
    window = response.context["window"]
    assert window.zone.key == "Europe/Madrid"
    assert window.date_from == date(2025, 3, 1)


def test_an_unknown_sort_column_is_ignored(client_for, history, supervisor_a):
    response = client_for(supervisor_a).get(
        "/reports/time-by-code/", {**WINDOW, "sort": "nonsense,-seconds"}
    )
    assert response.status_code == 200
    seconds = [row.record.figures.seconds for row in response.context["table"].paginated_rows]
    assert seconds == sorted(seconds, reverse=True)


@pytest.mark.parametrize("page", ["0", "-3", "abc", "999", "99999999999999999999999"])
def test_any_page_number_shows_a_page(client_for, history, supervisor_a, page):
    for url in REPORT_URLS:
        response = client_for(supervisor_a).get(url, {**WINDOW, "page": page})
        assert response.status_code == 200, url
        assert response.context["table"].page.number == 1


def test_the_chosen_filters_stay_chosen_on_the_page(client_for, history, supervisor_a, sofia):
    response = client_for(supervisor_a).get(
        "/reports/rejections/", {**WINDOW, "tz": "Asia/Tokyo", "agent": sofia.pk, "channel": "chat"}
    )
    content = response.content.decode()
    assert '<option value="Asia/Tokyo" selected>Asia/Tokyo</option>' in content
    assert f'<option value="{sofia.pk}" selected>sofia</option>' in content
    assert '<option value="chat" selected>Chat</option>' in content
    assert 'value="2025-03-01"' in content
