"""Forms of the agent console: they only read the posted fields; the rule is agents.services."""

from django import forms


class StatusActionForm(forms.Form):
    action = forms.CharField(max_length=32)
    code = forms.CharField(max_length=100, required=False)


class RejectionForm(forms.Form):
    channel = forms.CharField(max_length=32)
    code = forms.CharField(max_length=100, required=False)
