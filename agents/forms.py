"""Forms of the agent console: they only read the posted fields; the rule is agents.services."""

from django import forms
from django.core.exceptions import ValidationError

from .services import ActionRefused, check_code_key


class CodeKeyField(forms.CharField):
    """A status code's key, or nothing; one that cannot be a key is refused as the services
    refuse it (`check_code_key`)."""

    def __init__(self) -> None:
        super().__init__(required=False)

    def validate(self, value: str) -> None:
        super().validate(value)
        try:
            check_code_key(code=value)
        except ActionRefused as refused:
            raise ValidationError(refused.detail, code=refused.key) from None


class StatusActionForm(forms.Form):
    action = forms.CharField(max_length=32)
    code = CodeKeyField()


class OfferRejectionForm(forms.Form):
    code = CodeKeyField()


class SignOutForm(forms.Form):
    """The sign-out question: log out of the contact center too (with a reason), or not."""

    LOGOUT, SIGN_OUT_ONLY = "logout", "sign_out"

    choice = forms.ChoiceField(choices=[(LOGOUT, LOGOUT), (SIGN_OUT_ONLY, SIGN_OUT_ONLY)])
    code = CodeKeyField()
