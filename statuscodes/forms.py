"""Admin forms of the configuration: the inline codes of a list."""

from django import forms
from django.core.exceptions import ValidationError

from .services import code_deletion_blockers


class StatusCodeInlineFormSet(forms.BaseInlineFormSet):
    """The codes of a list; a code that recorded events use cannot be ticked for deletion."""

    def clean(self):
        # Checked before the admin's own check (run by super().clean()), which would list
        # every protected event by name and not say what to do instead.
        ticked = [
            form.instance
            for form in self.forms
            if form.instance.pk and self._should_delete_form(form)
        ]
        blockers = code_deletion_blockers(ticked)
        if blockers:
            raise ValidationError(blockers, code="protected")
        super().clean()
