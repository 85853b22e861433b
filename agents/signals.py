"""Signals of the agent's timeline, for whoever follows it (the event feed, docs/api.md).

Both are sent by `agents.services` inside the transaction that records the event, with
`event=<the StatusEvent>`: a receiver that writes to the database writes in that same
transaction, so a refused or rolled-back change leaves nothing behind, and a recorded one
cannot be lost. Receivers must therefore be quick and must not call out to the network.

The history import (`agents.history_import`) records facts of the past in bulk and sends
neither; it sends `history_rewritten` once.
"""

from collections.abc import Callable

from django.db.models import Expression
from django.dispatch import Signal

# A status change was recorded: `event` is the new interval (kind "status").
status_changed = Signal()

# A rejection was recorded (`event.missed` for an offer that rang out): `event` is the rejection.
interaction_rejected = Signal()

# The history import rewrote the timelines from `since` (an instant) on: new intervals, and the
# ends of existing ones. Sent inside the import's transaction (the daily rollup forgets those
# days, reports/rollup.py).
history_rewritten = Signal()

# What a receiver wants read with the agent's situation once the agent is locked (name → a
# function giving the expression; agents.selectors.load_situation), found on `event.agent` under
# that name (absent for an agent read otherwise): the feed asks whether an active webhook
# endpoint wants each event type, so a change nobody listens to costs it nothing.
lock_reads: dict[str, Callable[[], Expression]] = {}
