"""The Administrators role manages the webhooks: endpoints, and replaying deliveries."""

from django.db import migrations

GRANTED = [
    "add_webhookendpoint",
    "change_webhookendpoint",
    "delete_webhookendpoint",
    "view_webhookendpoint",
    "view_delivery",
    "replay_delivery",
    "view_deliveryattempt",
    "view_outboxmessage",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the role needs them now.
    app_config = apps.get_app_config("feed")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    administrators, _ = Group.objects.get_or_create(name="Administrators")
    found = list(Permission.objects.filter(content_type__app_label="feed", codename__in=GRANTED))
    missing = set(GRANTED) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"permissions missing for feed: {sorted(missing)}")
    administrators.permissions.add(*found)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Administrators"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="feed", codename__in=GRANTED)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0001_initial"),
        ("statuscodes", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
