"""Waking the worker when deliveries were committed, off the request path
(docs/integrations.md, "Delivery").

Publishing a Celery message costs more than writing the outgoing message itself (Celery builds
it, then a round trip to the broker). So a commit only sets an event; a thread of the process
publishes one wake-up — the sweep `feed.tasks.deliver_due`, which starts a task per endpoint with
something due — for all the commits since the last one, at most every WAKE_INTERVAL seconds.

A wake-up that is lost (broker down, process ended before its thread published) loses nothing:
the periodic sweep finds the deliveries within WEBHOOKS_SWEEP_SECONDS. With
WEBHOOKS_WAKE_IN_BACKGROUND off, or tasks run eagerly, the commit publishes the wake-up itself
(tests, scripts).
"""

import logging
import os
import threading
from collections.abc import Callable

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)

# Commits within this many seconds share one wake-up.
WAKE_INTERVAL = 0.2


def publish_wake_up() -> None:
    """Ask the worker to look for due deliveries now; a failure is logged, never raised."""
    from .tasks import deliver_due

    try:
        # Should the worker be away, the wake-ups queued meanwhile expire: the sweep does their
        # work when it is back.
        deliver_due.apply_async(expires=settings.WEBHOOKS_SWEEP_SECONDS)
    except Exception:  # the broker is down: the sweep will find the deliveries
        logger.warning("Could not wake the worker for webhook deliveries", exc_info=True)


class Waker:
    """A thread that calls `publish` after `wake()`, once for all the wakes of an interval."""

    def __init__(self, publish: Callable[[], None], *, interval: float = WAKE_INTERVAL):
        self.publish = publish
        self.interval = interval
        self.woken = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="feed-waker", daemon=True)

    def start(self) -> "Waker":
        self.thread.start()
        return self

    def wake(self) -> None:
        self.woken.set()

    def stop(self, timeout: float | None = None) -> None:
        """End the thread; wakes not yet published are left to the sweep."""
        self.stopping.set()
        self.woken.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        while True:
            self.woken.wait()
            if self.stopping.is_set():
                return
            self.woken.clear()
            try:
                self.publish()
            except Exception:  # the thread must outlive any failure; the sweep covers this one
                logger.exception("Waking the webhook worker failed")
            # The commits of the interval set `woken` again and share the next wake-up.
            if self.stopping.wait(self.interval):
                return


_waker: Waker | None = None
_waker_pid: int | None = None
_waker_lock = threading.Lock()


def process_waker() -> Waker:
    """This process's waker, started on first use. A forked process (a web server's or the
    worker's children) does not have its parent's thread: the pid tells, and it starts its own."""
    global _waker, _waker_pid
    pid = os.getpid()
    if _waker_pid != pid:
        with _waker_lock:
            if _waker_pid != pid:
                _waker = Waker(publish_wake_up).start()
                _waker_pid = pid
    return _waker


def wake_worker() -> None:
    """Once deliveries are committed: have the worker deliver them soon."""
    # Eager tasks (CELERY_TASK_ALWAYS_EAGER) run in the caller, never in the thread.
    if settings.WEBHOOKS_WAKE_IN_BACKGROUND and not current_app.conf.task_always_eager:
        process_waker().wake()
    else:
        publish_wake_up()
