"""What is wrong with a request's body, said in the request's language (docs/api.md, "Errors").

pydantic words its validation errors in English only; each error type a request can meet is
given its own sentence here, and any other type a translated general one, so that no English
creeps into a Spanish or French answer.
"""

from collections.abc import Callable, Iterable

from django.utils.translation import gettext, ngettext

# The body was not a JSON object (a list, a string, a number, null).
NOT_AN_OBJECT = {"model_attributes_type", "dict_type", "model_type"}


def _too_long(context: dict) -> str:
    limit = context.get("max_length", 0)
    return ngettext(
        "must have at most %(count)d character", "must have at most %(count)d characters", limit
    ) % {"count": limit}


# Each is the end of "<field>: …", in lower case.
SENTENCES: dict[str, Callable[[dict], str]] = {
    "missing": lambda context: gettext("is required"),
    "extra_forbidden": lambda context: gettext("is not a field of this request"),
    "string_type": lambda context: gettext("must be a string"),
    "string_too_long": _too_long,
}


def problems_text(errors: Iterable[dict]) -> str:
    """pydantic's `errors` as one text in the active language: "field: what is wrong; …"."""
    problems = []
    for error in errors:
        if error["type"] in NOT_AN_OBJECT:
            problems.append(gettext("the body must be a JSON object"))
            continue
        # loc is ("body", "payload", "code"): the field's name is what the client needs.
        field = ".".join(str(part) for part in error["loc"][2:]) or "body"
        sentence = SENTENCES.get(error["type"])
        what = sentence(error.get("ctx") or {}) if sentence else gettext("is not valid")
        problems.append(f"{field}: {what}")
    return "; ".join(problems)
