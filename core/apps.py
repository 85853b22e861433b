from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared base of the other apps: vocabulary, durations, formulas, import machinery,
    admin mixins, the all-or-nothing `import` command and the base templates (no models)."""

    name = "core"
    verbose_name = _("Core")
