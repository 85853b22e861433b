"""The periodic send: due subscriptions are mailed once per period, with the page's export of
the period as their owner may read it at sending time."""

import csv
import io
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from schedules import tasks
from schedules.choices import Outcome
from schedules.models import ReportSubscription, SubscriptionRun
from schedules.services import subscription_send, subscriptions_send_due
from tests.reports.timeline import at


def sweep(when: str, zone: str = "UTC") -> dict:
    """The beat's task at a local instant, as the worker runs it."""
    with time_machine.travel(at(when, zone), tick=False):
        return subscriptions_send_due()


def attachment(message) -> tuple[str, bytes, str]:
    (file,) = message.attachments
    # Django keeps a text attachment as text (it is encoded in UTF-8 when sent).
    content = file.content.encode() if isinstance(file.content, str) else file.content
    return file.filename, content, file.mimetype


def csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_a_new_subscription_waits_for_its_next_send_time(supervisor_a, subscribe, history):
    subscribe(supervisor_a, created="2025-03-03 10:00")
    assert sweep("2025-03-03 10:01") == {}
    assert sweep("2025-03-04 06:59") == {}
    assert mail.outbox == []

    sweep("2025-03-04 07:00")

    (message,) = mail.outbox
    assert message.to == ["supervisor_a@example.com"]
    assert message.subject == "Agent status change details, 2025-03-03"
    name, _content, mimetype = attachment(message)
    assert (name, mimetype) == ("status-changes_2025-03-03_2025-03-03.csv", "text/csv")


@pytest.mark.parametrize("report", ["status-changes", "time-by-code", "rejections"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_attachment_is_the_pages_export_of_the_period(
    supervisor_a, subscribe, history, client_for, report, file_format
):
    query = {
        "status-changes": "tz=Europe/Madrid&status=available&sort=-timestamp",
        "time-by-code": "tz=Europe/Madrid&granularity=hour&sort=-agent",
        "rejections": "tz=Europe/Madrid&granularity=hour&sort=-agent",
    }[report]
    subscribe(supervisor_a, report=report, query=query, file_format=file_format)

    with time_machine.travel(at("2025-03-03 07:00", "Europe/Madrid"), tick=False):
        subscriptions_send_due()
        page = client_for(supervisor_a).get(
            f"/reports/{report}/?{query}&date_from=2025-03-02&date_to=2025-03-02"
            f"&_export={file_format}"
        )
        exported = b"".join(page.streaming_content)

    (message,) = mail.outbox
    name, content, _mimetype = attachment(message)
    assert name == f"{report}_2025-03-02_2025-03-02.{file_format}"
    assert content == exported
    if file_format == "csv":
        assert len(csv_cells(content)) > 1
    else:
        assert load_workbook(io.BytesIO(content), read_only=True).active.max_row > 1


def test_the_file_is_read_in_the_owners_scope_at_sending_time(
    supervisor_a, subscribe, history, sales_group
):
    sales_group.supervisors.add(supervisor_a)
    subscription = subscribe(supervisor_a)
    sales_group.supervisors.remove(supervisor_a)

    sweep("2025-03-03 07:00")

    (message,) = mail.outbox
    agents = {row[1] for row in csv_cells(attachment(message)[1])[1:]}
    assert agents == {"ana", "sofia"}
    subscription.refresh_from_db()
    assert subscription.last_outcome == Outcome.SENT


def test_an_owner_with_no_scope_left_gets_nothing_and_the_subscription_says_so(
    supervisor_a, subscribe, history, support_group
):
    subscription = subscribe(supervisor_a)
    support_group.supervisors.remove(supervisor_a)

    assert sweep("2025-03-03 07:00") == {subscription.pk: Outcome.NO_SCOPE}

    assert mail.outbox == []
    subscription.refresh_from_db()
    assert subscription.last_outcome == Outcome.NO_SCOPE
    assert subscription.last_period_end.isoformat() == "2025-03-02"
    assert SubscriptionRun.objects.get().outcome == Outcome.NO_SCOPE
    # The period is handled: the next sweeps do not try it again every minute.
    assert sweep("2025-03-03 07:01") == {}


def test_a_group_filter_out_of_scope_at_sending_time_is_not_sent(
    supervisor_a, subscribe, history, sales_group
):
    sales_group.supervisors.add(supervisor_a)
    subscription = subscribe(supervisor_a, query=f"tz=UTC&group={sales_group.pk}")
    sales_group.supervisors.remove(supervisor_a)

    sweep("2025-03-03 07:00")

    assert mail.outbox == []
    subscription.refresh_from_db()
    assert subscription.last_outcome == Outcome.BAD_FILTERS
    assert "Group: Select a valid choice" in subscription.last_note


def test_missed_runs_are_sent_once_with_the_latest_period(supervisor_a, subscribe, history):
    subscription = subscribe(supervisor_a)
    # The worker was down from 1 March to the 8th at noon: one file, for the 7th.
    sweep("2025-03-08 12:00")
    sweep("2025-03-08 12:01")

    (message,) = mail.outbox
    assert attachment(message)[0] == "status-changes_2025-03-07_2025-03-07.csv"
    assert list(SubscriptionRun.objects.values_list("date_from", flat=True)) == [
        subscription.latest_period(now=at("2025-03-08 12:00")).date_from
    ]


def test_one_mail_a_day_across_the_spring_change(supervisor_a, subscribe, history):
    # New York, 9 March 2025: 02:30 does not happen that day; the sweep runs every 10 minutes.
    subscribe(supervisor_a, query="tz=America/New_York", created="2025-03-06 12:00")
    instant = at("2025-03-07 00:00")
    while instant < at("2025-03-11 00:00"):
        with time_machine.travel(instant, tick=False):
            subscriptions_send_due()
        instant += timedelta(minutes=10)
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [f"Agent status change details, 2025-03-0{day}" for day in (6, 7, 8, 9)]


def test_weekly_sends_each_whole_week_once(supervisor_a, subscribe, history):
    subscribe(
        supervisor_a,
        query="tz=Europe/Madrid",
        frequency="weekly",
        weekday=0,
        created="2025-03-01 12:00",
    )
    instant = at("2025-03-01 00:00")
    while instant < at("2025-03-18 00:00"):
        with time_machine.travel(instant, tick=False):
            subscriptions_send_due()
        instant += timedelta(hours=1)
    # Made on Saturday 1 March: its first file goes on Monday the 3rd, with the week before.
    assert [attachment(message)[0] for message in mail.outbox] == [
        "status-changes_2025-02-24_2025-03-02.csv",
        "status-changes_2025-03-03_2025-03-09.csv",
        "status-changes_2025-03-10_2025-03-16.csv",
    ]
    assert mail.outbox[1].subject == "Agent status change details, 2025-03-03 to 2025-03-09"


def test_a_period_is_sent_once(supervisor_a, subscribe, history):
    subscription = subscribe(supervisor_a)
    now = at("2025-03-03 07:00")
    assert subscription_send(subscription_id=subscription.pk, now=now) == Outcome.SENT
    assert subscription_send(subscription_id=subscription.pk, now=now) is None
    sweep("2025-03-03 07:00")
    assert len(mail.outbox) == 1
    # And the database refuses a second record of the period, whoever writes it.
    subscription.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriptionRun.objects.create(
            subscription=subscription,
            date_from=subscription.last_period_end,
            date_to=subscription.last_period_end,
            outcome=Outcome.SENT,
        )


def test_a_mail_that_fails_leaves_the_period_to_the_next_sweep(
    supervisor_a, subscribe, history, monkeypatch
):
    subscription = subscribe(supervisor_a)

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
        assert sweep("2025-03-03 07:00") == {}
    subscription.refresh_from_db()
    # Still the period before, as when it was made.
    assert subscription.last_period_end.isoformat() == "2025-02-28"
    assert not SubscriptionRun.objects.exists()

    assert sweep("2025-03-03 07:01") == {subscription.pk: Outcome.SENT}
    assert len(mail.outbox) == 1


def test_inactive_subscriptions_are_not_sent(supervisor_a, subscribe, history):
    subscription = subscribe(supervisor_a)
    ReportSubscription.objects.filter(pk=subscription.pk).update(active=False)
    assert sweep("2025-03-03 07:00") == {}
    assert mail.outbox == []


def test_the_beat_task_sends_what_is_due(supervisor_a, subscribe, history):
    subscribe(supervisor_a)
    with time_machine.travel(at("2025-03-03 07:00"), tick=False):
        tasks.send_due_reports()
    assert len(mail.outbox) == 1


def test_an_xlsx_file_too_large_is_not_sent_and_says_why(
    supervisor_a, subscribe, history, monkeypatch
):
    monkeypatch.setattr("reports.exports.XLSX_MAX_ROWS", 1)
    subscription = subscribe(supervisor_a, file_format="xlsx")
    sweep("2025-03-03 07:00")
    assert mail.outbox == []
    subscription.refresh_from_db()
    assert subscription.last_outcome == Outcome.TOO_LARGE
    assert "choose CSV" in subscription.last_note


def test_the_mail_is_in_the_language_the_reader_subscribed_in(supervisor_a, subscribe, history):
    subscribe(supervisor_a, language="es", frequency="weekly", weekday=0)
    sweep("2025-03-03 07:00")
    (message,) = mail.outbox
    assert (
        message.subject
        == "Detalle de los cambios de estado de los agentes, del 2025-02-24 al 2025-03-02"
    )
    assert message.body.startswith("Adjunto:")


def test_an_inactive_owner_gets_nothing(supervisor_a, subscribe, history):
    subscription = subscribe(supervisor_a)
    supervisor_a.is_active = False
    supervisor_a.save()
    assert sweep("2025-03-03 07:00") == {subscription.pk: Outcome.NO_SCOPE}
    assert mail.outbox == []


def test_an_owner_whose_address_was_removed_gets_nothing_and_it_says_why(
    supervisor_a, subscribe, history
):
    subscription = subscribe(supervisor_a)
    supervisor_a.email = ""
    supervisor_a.save()
    assert sweep("2025-03-03 07:00") == {subscription.pk: Outcome.NO_EMAIL}
    assert mail.outbox == []
