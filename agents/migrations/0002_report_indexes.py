# Indexes for the reports (docs/performance.md, "Reports"): the one-ongoing-interval constraint
# keyed on (agent, kind), same rule, an index SQLite's planner picks for "each agent's current
# interval"; and (kind, status, started_at) for "the intervals of these statuses in a window".

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="statusevent",
            name="statusevent_one_ongoing_per_agent",
        ),
        migrations.AddConstraint(
            model_name="statusevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_at__isnull", True), ("kind", "status")),
                fields=("agent", "kind"),
                name="statusevent_one_ongoing_per_agent",
            ),
        ),
        migrations.AddIndex(
            model_name="statusevent",
            index=models.Index(
                fields=["kind", "status", "started_at"], name="statusevent_status_start_idx"
            ),
        ),
    ]
