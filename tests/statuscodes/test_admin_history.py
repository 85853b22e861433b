"""Configuration changes made in the admin are kept with who and when, and shown."""

from django.urls import reverse

from ..admin_forms import change_form_data


def test_code_history_shows_who_changed_which_label(support_list, client_for, administrator):
    client = client_for(administrator)
    lunch = support_list.codes.get(code="LUNCH")
    url = reverse("admin:statuscodes_statuscode_change", args=[lunch.pk])
    data = change_form_data(client.get(url))
    data["label_es"] = "Comida"
    assert client.post(url, data).status_code == 302

    page = client.get(reverse("admin:statuscodes_statuscode_history", args=[lunch.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert "Almuerzo" in content and "Comida" in content
    assert "administrator" in content
    latest = lunch.history.latest()
    assert (latest.label_es, latest.history_user) == ("Comida", administrator)


def test_list_history_shows_a_renaming(support_list, client_for, administrator):
    client = client_for(administrator)
    url = reverse("admin:statuscodes_statuscodelist_change", args=[support_list.pk])
    data = change_form_data(client.get(url))
    data["name"] = "Customer support"
    assert client.post(url, data).status_code == 302

    page = client.get(reverse("admin:statuscodes_statuscodelist_history", args=[support_list.pk]))

    content = page.content.decode()
    assert "Support" in content and "Customer support" in content
    assert support_list.history.latest().history_user == administrator


def test_history_of_a_code_shows_its_actions_change(support_list, client_for, administrator):
    client = client_for(administrator)
    case = support_list.codes.get(code="CASE")
    url = reverse("admin:statuscodes_statuscode_change", args=[case.pk])
    data = change_form_data(client.get(url))
    data["actions"] = ["reject_phone", "reject_voicemail"]
    assert client.post(url, data).status_code == 302

    page = client.get(reverse("admin:statuscodes_statuscode_history", args=[case.pk]))
    content = page.content.decode()
    assert "<strong>Actions:</strong>" in content
    assert "[Reject phone, Reject voicemail]" in content
    assert sorted(case.actions.values_list("key", flat=True)) == [
        "reject_phone",
        "reject_voicemail",
    ]
