"""Re-submitting an admin change page the way a browser would, so tests change one field."""

from django.utils import timezone


def change_form_data(response) -> dict:
    """The POST data of the admin change page in `response`, inlines included, as shown.

    Also reads simple-history's history form (a change page without inlines).
    """
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for bound_field in form:
            value = bound_field.value()
            if value is None or value is False:
                continue
            if value is True:
                data[bound_field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound_field.html_name] = [str(item) for item in value]
            else:
                data[bound_field.html_name] = str(value)
    return data


def inline_prefix(response, code: str) -> str:
    """The form prefix of the inline row showing the object whose `code` is given."""
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if form.instance.pk and getattr(form.instance, "code", None) == code:
                return form.prefix
    raise LookupError(code)


def account_form_data(user, **changes) -> dict:
    """The POST data of `user`'s full admin change page (as a superuser sees it), with `changes`.

    Every field is spelled out, the privileges included, so that a page which shows fewer
    fields receives them anyway: the way a forged request would.
    """
    values = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": list(user.groups.values_list("pk", flat=True)),
        "user_permissions": list(user.user_permissions.values_list("pk", flat=True)),
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        **changes,
    }
    data = {}
    for name, value in values.items():
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif name in ("date_joined", "last_login"):
            # The admin's split date and time widget.
            local = timezone.localtime(value)
            data[f"{name}_0"] = local.date().isoformat()
            data[f"{name}_1"] = local.time().strftime("%H:%M:%S")
        elif isinstance(value, list):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    return data
