"""Translated fields (django-modeltranslation) and, after them, the audit history.

simple-history is registered here, after the translation options, so that the history tables
carry every language's column (docs/architecture.md, "Traps of the stack").
"""

import simple_history
from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from .models import StatusCode, StatusCodeList


@register(StatusCode)
class StatusCodeTranslationOptions(TranslationOptions):
    fields = ("label", "description", "report_label")
    required_languages = {settings.LANGUAGE_CODE: ("label",), "default": ()}


simple_history.register(StatusCodeList)
simple_history.register(StatusCode, m2m_fields=["actions"])
