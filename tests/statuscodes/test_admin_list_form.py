"""The status code list page: codes inline, translations side by side, actions as checkboxes."""

from django.urls import reverse

from statuscodes.models import StatusCode, StatusCodeList

from ..admin_forms import change_form_data, inline_prefix


def list_url(code_list):
    return reverse("admin:statuscodes_statuscodelist_change", args=[code_list.pk])


def new_row(data, **fields):
    """Fill the inline's empty extra row with `fields` (label_es=…, actions=[…], …)."""
    prefix = f"codes-{int(data['codes-INITIAL_FORMS'])}"
    for name, value in fields.items():
        data[f"{prefix}-{name}"] = value
    return data


def test_new_code_is_saved_with_translations_and_actions(support_list, client_for, superuser):
    client = client_for(superuser)
    data = new_row(
        change_form_data(client.get(list_url(support_list))),
        code="COFFEE",
        label_en="Coffee",
        label_es="Café",
        label_fr="Pause café",
        actions=["take_break", "work_offline"],
        sort_order="7",
        active="on",
        max_minutes="10",
    )

    response = client.post(list_url(support_list), data)

    assert response.status_code == 302
    coffee = support_list.codes.get(code="COFFEE")
    assert (coffee.label_en, coffee.label_es, coffee.label_fr) == ("Coffee", "Café", "Pause café")
    assert sorted(coffee.actions.values_list("key", flat=True)) == ["take_break", "work_offline"]
    assert (coffee.sort_order, coffee.active, coffee.max_minutes) == (7, True, 10)


def test_existing_codes_are_reordered_and_retired_inline(support_list, client_for, superuser):
    client = client_for(superuser)
    page = client.get(list_url(support_list))
    data = change_form_data(page)
    lunch = inline_prefix(page, "LUNCH")
    data[f"{lunch}-sort_order"] = "99"
    data.pop(f"{lunch}-active")
    data[f"{lunch}-label_fr"] = "Déjeuner"

    assert client.post(list_url(support_list), data).status_code == 302

    lunch = support_list.codes.get(code="LUNCH")
    assert (lunch.sort_order, lunch.active, lunch.label_fr) == (99, False, "Déjeuner")
    assert lunch.label_es == "Almuerzo"


def test_code_without_action_is_refused(support_list, client_for, superuser):
    client = client_for(superuser)
    data = new_row(change_form_data(client.get(list_url(support_list))), code="NAP", label_en="Nap")

    response = client.post(list_url(support_list), data)

    assert response.status_code == 200
    assert "This field is required." in str(
        response.context["inline_admin_formsets"][0].formset.errors
    )
    assert not StatusCode.objects.filter(code="NAP").exists()


def test_code_without_primary_label_is_refused(support_list, client_for, superuser):
    client = client_for(superuser)
    data = new_row(
        change_form_data(client.get(list_url(support_list))),
        code="NAP",
        label_es="Siesta",
        actions=["take_break"],
    )

    response = client.post(list_url(support_list), data)

    assert response.status_code == 200
    assert not StatusCode.objects.filter(code="NAP").exists()


def test_duplicate_code_in_the_list_is_refused(support_list, client_for, superuser):
    client = client_for(superuser)
    data = new_row(
        change_form_data(client.get(list_url(support_list))),
        code="LUNCH",
        label_en="Second lunch",
        actions=["take_break"],
    )

    response = client.post(list_url(support_list), data)

    assert response.status_code == 200
    assert "Please correct the duplicate data for code" in response.content.decode()
    assert support_list.codes.filter(code="LUNCH").count() == 1


def test_code_key_with_spaces_is_refused(support_list, client_for, superuser):
    client = client_for(superuser)
    data = new_row(
        change_form_data(client.get(list_url(support_list))),
        code="COFFEE BREAK",
        label_en="Coffee",
        actions=["take_break"],
    )

    response = client.post(list_url(support_list), data)

    assert response.status_code == 200
    assert "no spaces" in response.content.decode()
    assert not StatusCode.objects.filter(label_en="Coffee").exists()


def test_new_list_is_created_with_its_first_code(client_for, administrator):
    client = client_for(administrator)
    data = new_row(
        change_form_data(client.get(reverse("admin:statuscodes_statuscodelist_add"))),
        code="LUNCH",
        label_en="Lunch",
        actions=["take_break"],
    )
    data.update(name="Back office", description="Back office workflow")

    response = client.post(reverse("admin:statuscodes_statuscodelist_add"), data)

    assert response.status_code == 302
    back_office = StatusCodeList.objects.get(name="Back office")
    assert list(back_office.codes.values_list("code", flat=True)) == ["LUNCH"]
