from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared base of the other apps: vocabulary, durations, formulas, import machinery,
    admin mixins, the all-or-nothing `import` command and the base templates (no models)."""

    default = True
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_unaccent

        # SQLite has no UNACCENT(): each new connection gets ours (core/search.py).
        connection_created.connect(register_sqlite_unaccent)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with the project's site (core/admin_site.py), in place of
    `django.contrib.admin` in INSTALLED_APPS."""

    default = False
    default_site = "core.admin_site.AdminSite"
