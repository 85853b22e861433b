"""Each event records the agent's group at the time (docs/timeline.md, "The group at the
time"): the column is added empty and filled with each agent's current group, the only group
known for the past. 0005 then makes it required and adds its indexes (after the fill, which is
then not slowed by them; and in a transaction of its own, which PostgreSQL needs to alter a
table whose rows were just updated)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_event_groups(apps, schema_editor) -> int:
    """Give every event without a group its agent's current group: one UPDATE with a
    correlated subquery, whatever the number of events. Returns the number of events filled."""
    agent_model = apps.get_model("agents", "Agent")
    event_model = apps.get_model("agents", "StatusEvent")
    current_group = agent_model.objects.filter(pk=OuterRef("agent_id")).values("group_id")[:1]
    return (
        event_model.objects.using(schema_editor.connection.alias)
        .filter(group__isnull=True)
        .update(group_id=Subquery(current_group))
    )


SOURCE_CHOICES = [
    ("console", "Agent console"),
    ("api", "API"),
    ("admin", "Admin"),
    ("import", "History import"),
    ("system", "System (integration)"),
    ("supervisor", "Supervisor"),
    ("demo", "Demo data"),
    ("group_move", "Group change"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0005_unaccent_extension"),
    ]

    operations = [
        migrations.AddField(
            model_name="statusevent",
            name="group",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="agents.agentgroup",
                verbose_name="group",
            ),
        ),
        migrations.AlterField(
            model_name="pendingchange",
            name="source",
            field=models.CharField(choices=SOURCE_CHOICES, max_length=10, verbose_name="source"),
        ),
        migrations.AlterField(
            model_name="statusevent",
            name="source",
            field=models.CharField(choices=SOURCE_CHOICES, max_length=10, verbose_name="source"),
        ),
        migrations.RunPython(fill_event_groups, migrations.RunPython.noop, elidable=False),
    ]
