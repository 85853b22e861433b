"""The subscribe form of a report page: when and in which file; the report and its filters
come from the page, the owner is the reader."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .models import ReportSubscription


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = ReportSubscription
        fields = ["frequency", "weekday", "send_time", "file_format", "query"]
        widgets = {
            "send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "query": forms.HiddenInput,
            "frequency": forms.RadioSelect,
            "file_format": forms.RadioSelect,
        }

    def add_error(self, field, error) -> None:
        # The owner is the reader, not a field here: what is wrong with them (no e-mail address,
        # no report to read) is said above the form.
        if isinstance(error, ValidationError) and "owner" in getattr(error, "error_dict", {}):
            owner_errors = error.error_dict.pop("owner")
            error.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(owner_errors)
        super().add_error(field, error)
