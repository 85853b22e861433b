"""The subscribe form of a report page: when and in which file; the report and its filters
come from the page."""

from django import forms

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
