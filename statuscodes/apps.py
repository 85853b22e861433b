from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusCodesConfig(AppConfig):
    name = "statuscodes"
    verbose_name = _("Status codes")
