"""The live board without polling (docs/reports.md, "Live board"): every status change is pushed,
once committed, to the open boards of the readers who may see the agent, as a Server-Sent Event
(django-eventstream).

- Published from the `status_changed` signal, which every change sends inside its transaction:
  `transaction.on_commit` sends the event only once the change is committed, so a refused or
  rolled-back change publishes nothing.
- Who receives what is decided by `reports.selectors.scope`: a reader's stream carries their own
  channel only, and a change goes to the channels of the readers who may see that agent.
- Across processes (several web workers, the Celery worker's timers and automatic statuses) the
  events travel through Redis pub/sub when LIVE_PUSH_REDIS_URL (or a Redis broker) is set; without
  it an event reaches the boards served by the process that made the change, and the boards keep
  their 15-second refresh for the rest (docs/deployment.md).
"""

from functools import partial

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django_eventstream import send_event
from django_eventstream.channelmanager import ChannelManagerBase
from django_eventstream.views import events

from agents.models import Agent, StatusEvent

from .selectors.scope import (
    group_supervisor_ids,
    live_channel_for_reader,
    live_channels_for_agent,
)

EVENT_TYPE = "status"


class ReaderChannelManager(ChannelManagerBase):
    """django-eventstream asks this which channels a request listens to: the reader's own,
    whatever the request names; and whether a user may read a channel: only their own."""

    def get_channels_for_request(self, request: HttpRequest, view_kwargs: dict) -> set[str]:
        channel = live_channel_for_reader(user=request.user)
        return {channel} if channel else set()

    def can_read_channel(self, user, channel: str) -> bool:
        return user is not None and channel == live_channel_for_reader(user=user)

    def is_channel_reliable(self, channel: str) -> bool:
        # No stored history to replay: a board that (re)connects fetches its rows afresh.
        return False


def stream_response(request: HttpRequest) -> HttpResponse:
    """The reader's event stream (text/event-stream), which stays open: only an ASGI server
    can hold it (docs/deployment.md). A WSGI server would read it whole, forever, in one of its
    threads: there the answer is 204 No Content, after which a browser does not reconnect and
    the board refreshes itself on its timer."""
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=204)
    return events(request)


def pushes_worker_changes() -> bool:
    """Whether changes made in other processes (the worker) reach the boards: only through
    Redis."""
    return hasattr(settings, "EVENTSTREAM_REDIS")


# Read with the agent's situation once a change holds their lock (agents.signals.lock_reads).
SUPERVISOR_IDS = "live_push_supervisor_ids"


def on_status_changed(sender, *, event: StatusEvent, **kwargs) -> None:
    # Read now, from what the change holds in memory (no query inside its transaction, none
    # after it where the change read the agent with their lock); sent after the commit, never
    # for a rollback.
    change = {
        "status": event.status,
        "code": event.code.code if event.code_id else "",
        "at": event.started_at.isoformat(),
    }
    agent = event.agent if StatusEvent.agent.is_cached(event) else None
    username = agent.user.get_username() if agent and Agent.user.is_cached(agent) else None
    supervisors = agent.__dict__.get(SUPERVISOR_IDS, False) if agent else False
    transaction.on_commit(
        partial(
            publish,
            agent_id=event.agent_id,
            change=change,
            username=username,
            supervisor_ids=None if supervisors is False else group_supervisor_ids(supervisors),
        ),
        robust=True,
    )


def event_payload(*, agent_id: int, change: dict, username: str | None = None) -> dict:
    """What a board is told: whose status changed, to what, since when (what its row shows)."""
    if username is None:
        username = (
            Agent.objects.filter(pk=agent_id).values_list("user__username", flat=True).first()
        )
    return {"agent": username, **change}


def publish(
    *,
    agent_id: int,
    change: dict,
    username: str | None = None,
    supervisor_ids: list[int] | None = None,
) -> None:
    payload = event_payload(agent_id=agent_id, change=change, username=username)
    channels = live_channels_for_agent(agent_id=agent_id, supervisor_ids=supervisor_ids)
    for channel in sorted(channels):
        send_event(channel, EVENT_TYPE, payload)
