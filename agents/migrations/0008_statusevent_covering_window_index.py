"""The window index of the status changes holds, on PostgreSQL, what time by code reads of each
interval (docs/performance.md, "Reports"): the report reads the window from the index alone.

On PostgreSQL the new index is built and the old one dropped without blocking status changes
(CONCURRENTLY; years of history take a while to index); SQLite, which has no INCLUDE columns,
gets the same index as before under the new name."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )


class RemoveIndexConcurrentlyOnPostgreSQL(RemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )


class Migration(migrations.Migration):
    # CREATE and DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("agents", "0007_statusevent_group_required"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="statusevent",
            index=models.Index(
                fields=["kind", "status", "started_at"],
                include=("agent", "group", "code", "system_reason", "ended_at", "source"),
                name="statusevent_status_window_idx",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgreSQL(
            model_name="statusevent",
            name="statusevent_status_start_idx",
        ),
    ]
