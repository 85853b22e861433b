"""Waking the worker off the request path (docs/integrations.md, "Delivery"): a commit sets an
event, a thread of the process publishes one wake-up for the commits of an interval."""

import threading

import pytest

from agents.services import agent_perform_action
from feed import wake
from feed.wake import Waker

WAIT = 10  # seconds: a bound for a thread that should answer at once, never a pause


class Publisher:
    """Counts the wake-ups; `hold` keeps the next one from returning until released."""

    def __init__(self, *, fail_first=False):
        self.count = 0
        self.published = threading.Semaphore(0)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.fail_first = fail_first

    def hold(self):
        self.release.clear()

    def __call__(self):
        self.entered.set()
        self.release.wait(timeout=WAIT)
        self.count += 1
        self.published.release()
        if self.fail_first and self.count == 1:
            raise ConnectionError("broker unreachable")


@pytest.fixture
def waker():
    made = []

    def make(publish):
        made.append(Waker(publish, interval=0).start())
        return made[-1]

    yield make
    for running in made:
        running.stop(timeout=WAIT)
        assert not running.thread.is_alive()


def test_the_commits_of_one_wake_up_share_the_next(waker):
    publish = Publisher()
    running = waker(publish)
    publish.hold()
    running.wake()
    assert publish.entered.wait(timeout=WAIT)  # the first wake-up is being published
    for _ in range(5):
        running.wake()  # five commits meanwhile
    publish.release.set()

    assert publish.published.acquire(timeout=WAIT)
    assert publish.published.acquire(timeout=WAIT)
    running.stop(timeout=WAIT)
    assert publish.count == 2  # one for the first commit, one for the five


def test_nothing_is_published_without_a_commit(waker):
    publish = Publisher()
    running = waker(publish)
    running.stop(timeout=WAIT)
    assert publish.count == 0


def test_a_failed_wake_up_does_not_stop_the_thread(waker):
    publish = Publisher(fail_first=True)
    running = waker(publish)
    running.wake()
    assert publish.published.acquire(timeout=WAIT)
    running.wake()
    assert publish.published.acquire(timeout=WAIT)
    assert publish.count == 2


def test_a_forked_process_starts_its_own_thread(settings, monkeypatch):
    settings.WEBHOOKS_WAKE_IN_BACKGROUND = True
    started = []

    class RecordingWaker(Waker):
        def start(self):
            started.append(self)
            return self  # no thread: only who starts one is checked

    monkeypatch.setattr(wake, "Waker", RecordingWaker)
    monkeypatch.setattr(wake, "_waker_pid", None)
    monkeypatch.setattr(wake, "_waker", None)
    wake.wake_worker()
    wake.wake_worker()
    assert len(started) == 1 and started[0].woken.is_set()

    monkeypatch.setattr(wake.os, "getpid", lambda: -1)  # the same code, in a child process
    wake.wake_worker()
    assert len(started) == 2 and started[1].woken.is_set()


@pytest.mark.django_db
def test_a_change_is_answered_before_the_worker_is_woken(
    settings, make_endpoint, ana, django_capture_on_commit_callbacks, monkeypatch
):
    """In the background (the default), the commit only wakes the process's thread; the thread
    publishes the wake-up."""
    settings.WEBHOOKS_WAKE_IN_BACKGROUND = True
    make_endpoint()
    publish = Publisher()
    monkeypatch.setattr(wake, "_waker_pid", None)
    monkeypatch.setattr(wake, "_waker", None)
    monkeypatch.setattr(wake, "publish_wake_up", publish)
    publish.hold()

    with django_capture_on_commit_callbacks(execute=True):
        agent_perform_action(agent=ana, action="login", source="api")

    # The change returned while the wake-up is still held in the thread.
    assert publish.entered.wait(timeout=WAIT)
    assert publish.count == 0
    publish.release.set()
    assert publish.published.acquire(timeout=WAIT)
    wake._waker.stop(timeout=WAIT)
