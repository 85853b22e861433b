"""The Administrators role manages the report subscriptions of every reader."""

from django.db import migrations

GRANTED = [
    "add_reportsubscription",
    "change_reportsubscription",
    "delete_reportsubscription",
    "view_reportsubscription",
    "view_subscriptionrun",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the role needs them now.
    app_config = apps.get_app_config("schedules")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    administrators, _ = Group.objects.get_or_create(name="Administrators")
    found = list(
        Permission.objects.filter(content_type__app_label="schedules", codename__in=GRANTED)
    )
    missing = set(GRANTED) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"permissions missing for schedules: {sorted(missing)}")
    administrators.permissions.add(*found)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Administrators"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="schedules", codename__in=GRANTED)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0001_initial"),
        ("feed", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
