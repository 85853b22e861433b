"""The window index of the status changes holds, on PostgreSQL, what time by code reads of each
interval (docs/performance.md, "Reports"): the report reads the window from the index alone.

On PostgreSQL the new index is built and the old one dropped without blocking status changes
(CONCURRENTLY; years of history take a while to index); SQLite, which has no INCLUDE columns,
gets the same index as before under the new name."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


def concurrently_on_postgresql(concurrent: type, plain: type) -> type:
    """The operation `concurrent` on PostgreSQL, `plain` elsewhere (SQLite has no CONCURRENTLY)."""

    def run(direction: str):
        def method(self, app_label, schema_editor, from_state, to_state):
            chosen = concurrent if schema_editor.connection.vendor == "postgresql" else plain
            getattr(chosen, direction)(self, app_label, schema_editor, from_state, to_state)

        return method

    return type(
        concurrent.__name__,
        (concurrent,),
        {
            "database_forwards": run("database_forwards"),
            "database_backwards": run("database_backwards"),
        },
    )


AddIndex = concurrently_on_postgresql(AddIndexConcurrently, migrations.AddIndex)
RemoveIndex = concurrently_on_postgresql(RemoveIndexConcurrently, migrations.RemoveIndex)


class Migration(migrations.Migration):
    # CREATE and DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("agents", "0007_statusevent_group_required"),
    ]

    operations = [
        AddIndex(
            model_name="statusevent",
            index=models.Index(
                fields=["kind", "status", "started_at"],
                include=("agent", "group", "code", "system_reason", "ended_at", "source"),
                name="statusevent_status_window_idx",
            ),
        ),
        RemoveIndex(
            model_name="statusevent",
            name="statusevent_status_start_idx",
        ),
    ]
