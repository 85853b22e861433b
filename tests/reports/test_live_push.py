"""The live board's pushed changes (reports/live_push.py): the stream's doors, who hears of which
agent, and that only committed changes are told."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import AsyncClient

from agents.models import StatusEvent
from agents.services import ActionRefused, agent_perform_action
from reports import live_push
from tests.conftest import make_user

URL = "/reports/live/stream/"


@pytest.fixture
def sent(monkeypatch):
    """What is handed to the event stream library: (channel, type, payload)."""
    events = []
    monkeypatch.setattr(
        live_push, "send_event", lambda channel, kind, data: events.append((channel, kind, data))
    )
    return events


@pytest.fixture
def reader(db):
    user = make_user("rita")
    user.user_permissions.add(Permission.objects.get(codename="view_all_reports"))
    return user


def log_in(agent):
    return agent_perform_action(agent=agent, action="login", source="console")


# The doors: the board's readers, nobody else.


def test_anonymous_users_are_sent_to_the_login_page(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_agents_are_refused(client_for, ana):
    assert client_for(ana).get(URL).status_code == 403


def test_a_wsgi_server_answers_no_stream(client_for, support_group, supervisor_a):
    # The test client, like a WSGI server, could not hold a stream open: the board is told there
    # is none, and refreshes itself on its timer.
    response = client_for(supervisor_a).get(URL)
    assert response.status_code == 204
    assert not response.streaming


# The payload and when it is sent.


def test_a_committed_change_is_told_to_the_readers_who_see_the_agent(
    sent, ana, supervisor_a, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        log_in(ana)
        # Inside the transaction nothing is told yet.
        assert sent == []
    event = StatusEvent.objects.get(agent=ana)
    payload = {
        "agent": "ana",
        "status": event.status,
        "code": event.code.code if event.code else "",
        "at": event.started_at.isoformat(),
    }
    assert sent == [
        ("live-all", "status", payload),
        (f"live-supervisor-{supervisor_a.pk}", "status", payload),
    ]


def test_a_rolled_back_change_is_not_told(sent, ana, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        log_in(ana)
        raise RuntimeError("the caller gives up")
    assert not StatusEvent.objects.filter(agent=ana).exists()
    assert sent == []


def test_a_refused_change_is_not_told(sent, ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ActionRefused):
        agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    assert sent == []


def test_a_change_goes_to_the_supervisors_the_agent_has_when_it_is_told(
    sent, ana, supervisor_a, supervisor_b, sales_group, django_capture_on_commit_callbacks
):
    sales_group.supervisors.add(supervisor_a)
    ana.group = sales_group
    ana.save(update_fields=["group"])
    with django_capture_on_commit_callbacks(execute=True):
        log_in(ana)
    assert {channel for channel, _, _ in sent} == {
        "live-all",
        f"live-supervisor-{supervisor_a.pk}",
        f"live-supervisor-{supervisor_b.pk}",
    }


def test_a_change_is_told_from_what_it_read_with_the_lock(
    sent,
    ana,
    supervisor_a,
    supervisor_b,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    ana.group.supervisors.add(supervisor_b)
    with django_capture_on_commit_callbacks() as told:
        log_in(ana)
    with django_assert_num_queries(0):
        for callback in told:
            callback()
    assert {channel for channel, _, _ in sent} == {
        "live-all",
        f"live-supervisor-{supervisor_a.pk}",
        f"live-supervisor-{supervisor_b.pk}",
    }
    assert {payload["agent"] for _, _, payload in sent} == {"ana"}


# The stream itself, read as a browser reads it.


def stream_events(user, changes, *, count: int) -> list[tuple[str, dict]]:
    """Opens `user`'s stream, makes `changes` (a function, run as the test's code) and returns
    the first `count` events that follow, as (type, payload)."""

    async def read():
        client = AsyncClient()
        await sync_to_async(client.force_login)(user)
        response = await client.get(URL)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/event-stream")
        chunks = aiter(response.streaming_content)
        events = []
        try:
            opening = (await anext(chunks)).decode()
            assert "event: stream-open" in opening
            # The stream waits for the next change before the changes are made.
            waiting = asyncio.ensure_future(anext(chunks))
            await asyncio.sleep(0)
            await sync_to_async(changes)()
            while len(events) < count:
                # Bounded so that a broken stream fails instead of hanging the run; the events
                # are queued before this waits, so it does not race the clock.
                message = await asyncio.wait_for(waiting, timeout=30)
                events += parse(message.decode())
                waiting = asyncio.ensure_future(anext(chunks))
            waiting.cancel()
        finally:
            await chunks.aclose()
        return events

    return async_to_sync(read)()


def parse(message: str) -> list[tuple[str, dict]]:
    events = []
    for block in message.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_a_supervisor_hears_of_their_agents_only(
    ana, sam, supervisor_a, django_capture_on_commit_callbacks
):
    def changes():
        # Sales first: had it been sent to this stream, it would come first.
        for agent in (sam, ana):
            with django_capture_on_commit_callbacks(execute=True):
                log_in(agent)

    events = stream_events(supervisor_a, changes, count=1)
    assert [(kind, payload["agent"]) for kind, payload in events] == [("status", "ana")]


def test_a_report_reader_hears_of_every_agent(ana, sam, reader, django_capture_on_commit_callbacks):
    def changes():
        for agent in (sam, ana):
            with django_capture_on_commit_callbacks(execute=True):
                log_in(agent)

    events = stream_events(reader, changes, count=2)
    assert [payload["agent"] for _, payload in events] == ["sam", "ana"]


def test_a_refused_change_reaches_no_stream(ana, supervisor_a, django_capture_on_commit_callbacks):
    def changes():
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(ActionRefused):
                agent_perform_action(agent=ana, action="take_break", code="NOPE", source="console")
            log_in(ana)

    events = stream_events(supervisor_a, changes, count=1)
    assert [(payload["agent"], payload["status"]) for _, payload in events] == [
        ("ana", StatusEvent.objects.get(agent=ana).status)
    ]


def test_a_stream_carries_only_the_readers_own_channel(supervisor_a, supervisor_b, ana):
    # Whatever channel the request names, the reader listens to their own only.
    manager = live_push.ReaderChannelManager()
    assert manager.can_read_channel(supervisor_a, f"live-supervisor-{supervisor_a.pk}")
    assert not manager.can_read_channel(supervisor_a, f"live-supervisor-{supervisor_b.pk}")
    assert not manager.can_read_channel(supervisor_a, "live-all")
    assert not manager.can_read_channel(ana.user, f"live-supervisor-{ana.user.pk}")


# Across processes: through Redis pub/sub when it is configured (docs/deployment.md).

REDIS_URL = "redis://127.0.0.1:6379/5"


@pytest.fixture
def redis_publishing(monkeypatch):
    """The event stream library as a process started with LIVE_PUSH_REDIS_URL has it, and a
    subscriber in the place of the other processes' streams."""
    redis = pytest.importorskip("redis")
    from django_eventstream import eventstream

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    monkeypatch.setattr(eventstream, "redis_client", client)
    subscriber = client.pubsub()
    # The channel django-eventstream's listeners subscribe to in every web process.
    subscriber.subscribe("events_channel")
    assert subscriber.get_message(timeout=30)["type"] == "subscribe"
    yield subscriber
    subscriber.close()
    client.close()


def test_with_redis_a_change_made_elsewhere_reaches_every_web_process(
    redis_publishing, ana, supervisor_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        log_in(ana)
    messages = []
    while len(messages) < 2:
        message = redis_publishing.get_message(timeout=30)
        assert message is not None
        messages.append(json.loads(message["data"]))
    assert {(m["channel"], m["event_type"], json.loads(m["data"])["agent"]) for m in messages} == {
        ("live-all", "status", "ana"),
        (f"live-supervisor-{supervisor_a.pk}", "status", "ana"),
    }
