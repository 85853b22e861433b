"""A real history import that pauses inside its transaction, for tests of what waits for it."""

import io
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.db import connection

from agents.history_import import events_import, read_events_csv


def history_file(username: str) -> bytes:
    """Yesterday's shift of `username` (three status changes), as an import_events file."""
    day = datetime.now(UTC).date() - timedelta(days=1)
    rows = [("08:00", "available", ""), ("12:00", "on_break", "LUNCH"), ("17:00", "logged_out", "")]
    lines = ["timestamp,agent,event,code"] + [
        f"{day.isoformat()}T{at}:00+00:00,{username},{event},{code}" for at, event, code in rows
    ]
    return "\n".join(lines).encode()


@contextmanager
def import_paused_in_its_transaction(username: str):
    """Import `username`'s history in a thread, paused after writing every row, before the
    commit, with the agent's row locked (the database's write lock on SQLite). It commits when
    the block ends; the yielded dict then holds its `summary`, or the `error` it raised.
    """
    holding, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "write" and done == total:
            holding.set()
            release.wait(timeout=60)

    def run() -> None:
        try:
            rows = read_events_csv(io.BytesIO(history_file(username)))
            outcome["summary"] = events_import(rows=rows, progress=progress)
        except Exception as exc:  # noqa: BLE001 - reported by the caller, not swallowed
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        if not holding.wait(timeout=30):
            raise RuntimeError(f"the import did not reach its commit: {outcome.get('error')!r}")
        yield outcome
    finally:
        release.set()
        thread.join(timeout=60)
    if thread.is_alive():
        raise RuntimeError("the import did not finish")
