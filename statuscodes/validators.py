from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

CODE_KEY_MAX_LENGTH = 32

validate_code_key = RegexValidator(
    regex=r"^[A-Za-z0-9_-]+\Z",
    message=_("A code key may contain only letters, digits, “_” and “-” (no spaces)."),
    code="invalid_code_key",
)


def is_code_key(value: str) -> bool:
    """Whether `value` could be a code key at all (shape and length), without a query."""
    if len(value) > CODE_KEY_MAX_LENGTH:
        return False
    try:
        validate_code_key(value)
    except ValidationError:
        return False
    return True
