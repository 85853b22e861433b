"""Re-submitting an admin change page the way a browser would, so tests change one field."""


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
