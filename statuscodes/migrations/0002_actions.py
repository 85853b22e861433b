from django.db import migrations

CODED_ACTIONS = (
    "take_break",
    "work_offline",
    "logout",
    "reject_phone",
    "reject_chat",
    "reject_email",
    "reject_voicemail",
)


def create_actions(apps, schema_editor):
    Action = apps.get_model("statuscodes", "Action")
    for key in CODED_ACTIONS:
        Action.objects.get_or_create(key=key)


class Migration(migrations.Migration):
    dependencies = [("statuscodes", "0001_initial")]

    operations = [migrations.RunPython(create_actions, migrations.RunPython.noop)]
