"""The feed's fixtures: a real receiver on 127.0.0.1 (pytest-httpserver), endpoints pointing at
it, and the worker run by hand — `deliver()` is the worker starting now; until it is called,
the worker is stopped."""

import threading

import pytest
from standardwebhooks import Webhook

from agents.services import agent_perform_action
from config.celery import app as celery_app
from feed import tasks
from feed.choices import EventType
from feed.services import endpoint_create


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def feed_settings(settings):
    # The receiver is on 127.0.0.1: a private address, allowed as in development.
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_TIMEOUT = 2.0
    settings.WEBHOOKS_CONNECT_TIMEOUT = 2.0
    # A commit wakes the worker itself: what it asks is seen at once (tests/feed/test_wake.py
    # runs the thread).
    settings.WEBHOOKS_WAKE_IN_BACKGROUND = False
    return settings


@pytest.fixture(autouse=True, scope="session")
def broker_in_memory():
    # Requests to the worker go nowhere until a test runs the worker (`deliver`).
    celery_app.conf.update(broker_url="memory://", task_always_eager=False)


@pytest.fixture
def make_endpoint(httpserver):
    """`make_endpoint(path="/hook", events=…)`: an endpoint on the receiver, and its secret."""

    def make(path="/hook", *, events=None, **extra):
        endpoint, secret = endpoint_create(
            url=httpserver.url_for(path), event_types=events or list(EventType.values), **extra
        )
        return endpoint, secret

    return make


@pytest.fixture
def deliver():
    """Run the worker's periodic sweep now, its tasks in this process."""

    def run():
        celery_app.conf.task_always_eager = True
        try:
            tasks.deliver_due.delay()
        finally:
            celery_app.conf.task_always_eager = False

    return run


@pytest.fixture
def ana_available(ana):
    agent_perform_action(agent=ana, action="login", source="console")
    return ana


def received(httpserver) -> list:
    """The requests the receiver got, in order."""
    return [request for request, _response in httpserver.log]


def verified(request, secret: str) -> dict:
    """The delivery as a receiver reads it: verified with the Standard Webhooks library."""
    return Webhook(secret).verify(request.get_data(as_text=True), dict(request.headers))


class BlockingHandler:
    """A receiver that does not answer until released (a slow receiver, without sleeping)."""

    def __init__(self):
        self.release = threading.Event()

    def __call__(self, request):
        from werkzeug import Response

        self.release.wait(timeout=10)
        return Response("late")
