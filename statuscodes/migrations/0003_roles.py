"""The roles of the README: Django groups "Administrators", "Supervisors" and "Integrations"."""

from django.db import migrations

ADMINISTRATOR_MODELS = {
    "statuscodes": ["statuscodelist", "statuscode", "historicalstatuscodelist", "historicalstatuscode"],
    "agents": ["agentgroup", "agent", "apitoken", "historicalagentgroup", "historicalagent"],
}
READ_ONLY_FOR_ADMINISTRATORS = {
    "statuscodes": ["action"],
    "agents": ["statusevent"],
    "auth": ["group"],
}
SUPERVISOR_VIEW_MODELS = {
    "statuscodes": ["statuscodelist", "statuscode"],
    "agents": ["agentgroup", "agent", "statusevent"],
}


def permissions(Permission, app_label, models, actions):
    codenames = [f"{action}_{model}" for model in models for action in actions]
    found = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"permissions missing for {app_label}: {sorted(missing)}")
    return found


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    administrators, _ = Group.objects.get_or_create(name="Administrators")
    granted = []
    for app_label, models in ADMINISTRATOR_MODELS.items():
        granted += permissions(Permission, app_label, models, ["add", "change", "delete", "view"])
    for app_label, models in READ_ONLY_FOR_ADMINISTRATORS.items():
        granted += permissions(Permission, app_label, models, ["view"])
    granted += permissions(Permission, "auth", ["user"], ["add", "change", "view"])
    granted += list(Permission.objects.filter(content_type__app_label="agents", codename="view_all_reports"))
    administrators.permissions.set(granted)

    supervisors, _ = Group.objects.get_or_create(name="Supervisors")
    viewing = []
    for app_label, models in SUPERVISOR_VIEW_MODELS.items():
        viewing += permissions(Permission, app_label, models, ["view"])
    supervisors.permissions.set(viewing)

    integrations, _ = Group.objects.get_or_create(name="Integrations")
    integrations.permissions.set(
        Permission.objects.filter(content_type__app_label="agents", codename="act_for_other_agents")
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Administrators", "Supervisors", "Integrations"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("statuscodes", "0002_actions"),
        ("agents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
