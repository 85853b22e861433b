from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

CODE_KEY_MAX_LENGTH = 32

validate_code_key = RegexValidator(
    regex=r"^[A-Za-z0-9_-]+\Z",
    message=_("A code key may contain only letters, digits, “_” and “-” (no spaces)."),
    code="invalid_code_key",
)
