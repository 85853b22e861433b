import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0006_statusevent_group"),
    ]

    operations = [
        migrations.AlterField(
            model_name="statusevent",
            name="group",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="agents.agentgroup",
                verbose_name="group",
            ),
        ),
        migrations.AddIndex(
            model_name="statusevent",
            index=models.Index(fields=["group", "agent"], name="statusevent_group_agent_idx"),
        ),
        migrations.AddIndex(
            model_name="statusevent",
            index=models.Index(
                condition=models.Q(("source", "group_move")),
                fields=["agent", "started_at"],
                name="statusevent_group_move_idx",
            ),
        ),
    ]
