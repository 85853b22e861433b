"""Admin forms of the configuration: the actions' chips and the inline codes of a list."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.choices import CHANNEL_OF_REJECTION_ACTION, CODED_ACTIONS, AgentAction, Channel

from .services import code_deletion_blockers


class ActionChips(forms.CheckboxSelectMultiple):
    """The actions a code applies to, as one line of toggle chips for the status changes and one
    for the rejections ("Reject: Phone Chat …"): checkboxes, so keyboard and screen readers
    work as with any checkbox."""

    template_name = "statuscodes/widgets/action_chips.html"


def action_choices() -> list:
    """The coded actions in the vocabulary's order, the rejections grouped by channel."""
    status_changes = [
        (key, AgentAction(key).label)
        for key in CODED_ACTIONS
        if key not in CHANNEL_OF_REJECTION_ACTION
    ]
    rejections = [
        (key, Channel(CHANNEL_OF_REJECTION_ACTION[key]).label)
        for key in CODED_ACTIONS
        if key in CHANNEL_OF_REJECTION_ACTION
    ]
    return [*status_changes, (_("Reject"), rejections)]


class StatusCodeInlineFormSet(forms.BaseInlineFormSet):
    """The codes of a list; a code that recorded events use cannot be ticked for deletion."""

    # The list's secondary language's label field (e.g. "label_es"), or "": the page marks the
    # codes that have no label in it. Set on the class the admin builds for each page.
    secondary_label = ""

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
