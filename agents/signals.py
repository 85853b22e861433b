"""What the timeline announces to the apps above it (the event feed, docs/architecture.md).

Both are sent by `agents.services` inside the transaction that records the change, with the new
`StatusEvent` as `event=`: a receiver that writes to the database writes in that transaction, so
a refused or rolled-back change leaves nothing behind. The history import sends neither.
"""

from django.dispatch import Signal

# A status change was recorded: `event` is the StatusEvent of the new interval.
status_changed = Signal()

# A rejection was recorded: `event` is the rejection's StatusEvent.
interaction_rejected = Signal()
