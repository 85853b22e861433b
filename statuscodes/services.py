"""Writes on the configuration that are more than a form save: duplicating, (de)activating lists,
and the rule that a code or list in use is never deleted (docs/concepts.md, "Deleting: codes in
use are never deleted")."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from modeltranslation.translator import translator
from simple_history.utils import bulk_update_with_history

from core.deletion import usage_counts

from .models import StatusCode, StatusCodeList

DEACTIVATE_CODE_HINT = gettext_lazy(
    "Untick “active” instead: agents stop seeing it and its history is kept."
)


def code_list_copy_name(name: str) -> str:
    """The first free name among "<name> (copy)", "<name> (copy 2)", … within the name's length."""
    max_length = StatusCodeList._meta.get_field("name").max_length
    number = 1
    while True:
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = name[: max_length - len(suffix)] + suffix
        if not StatusCodeList.objects.filter(name=candidate).exists():
            return candidate
        number += 1


@transaction.atomic
def code_list_duplicate(*, code_list: StatusCodeList) -> StatusCodeList:
    """Copy a list with all its codes (translations, actions, order, flags) under a new name."""
    copy = StatusCodeList.objects.create(
        name=code_list_copy_name(code_list.name),
        description=code_list.description,
        active=code_list.active,
        secondary_language=code_list.secondary_language,
    )
    # The per-language columns (label_en, label_es, …) are copied, not `label` itself: reading
    # `label` gives the active language's text or its fallback, which would overwrite a
    # translation with the primary language's text.
    not_copied = {"id", "code_list", *translator.get_options_for_model(StatusCode).fields}
    copied = [f.name for f in StatusCode._meta.concrete_fields if f.name not in not_copied]
    for code in code_list.codes.prefetch_related("actions"):
        new_code = StatusCode(code_list=copy, **{name: getattr(code, name) for name in copied})
        new_code.save()
        new_code.actions.set(code.actions.all())
    return copy


def code_lists_set_active(
    *, code_lists: QuerySet[StatusCodeList], active: bool, user: AbstractBaseUser | None = None
) -> int:
    """Set the `active` flag of the lists that do not have it yet; return how many changed.

    The change is recorded in each list's history, attributed to `user`.
    """
    changing = list(code_lists.exclude(active=active))
    for code_list in changing:
        code_list.active = active
    bulk_update_with_history(changing, StatusCodeList, ["active"], default_user=user)
    return len(changing)


def code_deletion_blockers(codes: Iterable[StatusCode]) -> list[str]:
    """Why these codes cannot be deleted: one sentence per code that recorded events use."""
    codes = list(codes)
    used = usage_counts(StatusCode, codes, "events")
    return [
        ngettext(
            "Status code “%(code)s” is used by %(count)d recorded event. %(hint)s",
            "Status code “%(code)s” is used by %(count)d recorded events. %(hint)s",
            used[code.pk],
        )
        % {"code": code, "count": used[code.pk], "hint": DEACTIVATE_CODE_HINT}
        for code in codes
        if code.pk in used
    ]


def code_list_deletion_blockers(code_lists: Iterable[StatusCodeList]) -> list[str]:
    """Why these lists cannot be deleted: groups that use them, codes that events use."""
    code_lists = list(code_lists)
    pks = [code_list.pk for code_list in code_lists]
    group_names: dict[int, list[str]] = {}
    for list_pk, group_name in (
        StatusCodeList.objects.filter(pk__in=pks, groups__isnull=False)
        .order_by("groups__name")
        .values_list("pk", "groups__name")
    ):
        group_names.setdefault(list_pk, []).append(group_name)
    events = usage_counts(StatusCodeList, code_lists, "codes__events")
    hint = _("Untick “active” instead: its codes and their history are kept.")
    reasons = []
    for code_list in code_lists:
        if code_list.pk in group_names:
            reasons.append(
                _(
                    "Status code list “%(list)s” is assigned to the agent groups %(groups)s: "
                    "give those groups another list first."
                )
                % {
                    "list": code_list,
                    "groups": ", ".join(f"“{name}”" for name in group_names[code_list.pk]),
                }
            )
        if code_list.pk in events:
            reasons.append(
                ngettext(
                    "Status code list “%(list)s” has codes used by %(count)d recorded event. "
                    "%(hint)s",
                    "Status code list “%(list)s” has codes used by %(count)d recorded events. "
                    "%(hint)s",
                    events[code_list.pk],
                )
                % {"list": code_list, "count": events[code_list.pk], "hint": hint}
            )
    return reasons
