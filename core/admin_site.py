"""The admin site: branded, with its home and menu grouped by task (docs/admin.md, "The admin
home"), and people named in full in every autocomplete.

`core.apps.AdminConfig` replaces `django.contrib.admin` in INSTALLED_APPS, so `admin.site`
(where every app registers its models) is this site and every admin URL stays as it was.
"""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

# The sections of the home page and the menu, in order: (key, title, models as
# "app_label.model_name"). A model listed nowhere keeps its app's own section, after these; a
# section whose models the user may not see is not shown (the lockout tables of Security, for
# instance, are a superuser's unless a role is given the axes permissions).
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "configuration",
        _("Configuration"),
        ("statuscodes.statuscodelist", "statuscodes.statuscode"),
    ),
    (
        "people",
        _("People"),
        ("agents.agentgroup", "agents.agent", "auth.user", "auth.group", "agents.apitoken"),
    ),
    ("history", _("History"), ("agents.statusevent",)),
    ("integrations", _("Integrations"), ("feed.webhookendpoint", "feed.delivery")),
    ("scheduled_reports", _("Scheduled reports"), ("schedules.reportsubscription",)),
    (
        "security",
        _("Security"),
        ("axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"),
    ),
)

# Django calls the roles "Groups", next to our agent groups: name them for what they are here.
MENU_NAMES = {"auth.group": _("Roles (user groups)")}


def option_label(obj) -> str:
    """How the admin's pickers name a row: people as "María López (maria)", so that two
    people with similar usernames are told apart (a row that stands for a person, with a
    `user`, too); anything else as itself."""
    if not isinstance(obj, AbstractBaseUser) and isinstance(
        getattr(obj, "user", None), AbstractBaseUser
    ):
        obj = obj.user
    if isinstance(obj, AbstractBaseUser):
        full_name = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
        username = obj.get_username()
        return f"{full_name} ({username})" if full_name else username
    return str(obj)


class PeopleAutocompleteJsonView(AutocompleteJsonView):
    """The answers of every autocomplete field, with people named in full (`option_label`)."""

    def serialize_result(self, obj, to_field_name):
        return {**super().serialize_result(obj, to_field_name), "text": option_label(obj)}


class AdminSite(admin.AdminSite):
    site_header = _("Agent status codes — administration")
    site_title = _("Agent status codes")
    index_title = _("Administration")

    def autocomplete_view(self, request):
        return PeopleAutocompleteJsonView.as_view(admin_site=self)(request)

    def get_app_list(self, request, app_label=None):
        """The models the user may see, by task; an app's own page (`/admin/<app>/`) stays by
        app."""
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                # The menu's ids keep naming the model's app ("statuscodes-statuscode"), whatever
                # section shows it.
                model["app_label"] = app["app_label"]
        if app_label is not None:
            return app_list
        models = {
            f"{app['app_label']}.{model['object_name'].lower()}": (app, model)
            for app in app_list
            for model in app["models"]
        }
        grouped = []
        for key, title, names in SECTIONS:
            found = [models.pop(name)[1] for name in names if name in models]
            for model in found:
                name = f"{model['app_label']}.{model['object_name'].lower()}"
                model["name"] = MENU_NAMES.get(name, model["name"])
            if found:
                grouped.append({"name": title, "app_label": key, "app_url": "", "models": found})
        # Whatever no section claims (a model added later) stays under its app's name.
        for app in app_list:
            rest = [
                model
                for model in app["models"]
                if f"{app['app_label']}.{model['object_name'].lower()}" in models
            ]
            if rest:
                grouped.append({**app, "models": rest})
        return grouped
