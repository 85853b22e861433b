"""Every configuration page of the admin renders for administrators and refuses other staff."""

import pytest
from django.urls import reverse

from statuscodes.models import StatusCode

from ..conftest import make_code, make_user

INDEX_PAGES = ["admin:index", "admin:app_list"]


def configuration_pages(support_list):
    code = support_list.codes.get(code="LUNCH")
    return [
        reverse("admin:app_list", args=["statuscodes"]),
        reverse("admin:statuscodes_statuscodelist_changelist"),
        reverse("admin:statuscodes_statuscodelist_add"),
        reverse("admin:statuscodes_statuscodelist_change", args=[support_list.pk]),
        reverse("admin:statuscodes_statuscodelist_history", args=[support_list.pk]),
        reverse(
            "admin:statuscodes_statuscodelist_simple_history",
            args=[support_list.pk, support_list.history.latest().history_id],
        ),
        reverse("admin:statuscodes_statuscodelist_delete", args=[support_list.pk]),
        reverse("admin:statuscodes_statuscode_changelist"),
        reverse("admin:statuscodes_statuscode_add"),
        reverse("admin:statuscodes_statuscode_change", args=[code.pk]),
        reverse("admin:statuscodes_statuscode_history", args=[code.pk]),
        reverse(
            "admin:statuscodes_statuscode_simple_history",
            args=[code.pk, code.history.latest().history_id],
        ),
        reverse("admin:statuscodes_statuscode_delete", args=[code.pk]),
        reverse("admin:statuscodes_statuscode_import"),
        reverse("admin:statuscodes_statuscode_export"),
    ]


@pytest.mark.parametrize("who", ["superuser", "administrator"])
def test_configuration_pages_render_for_administrators(request, who, support_group, client_for):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("admin:index")).status_code == 200
    for url in configuration_pages(support_group.code_list):
        assert client.get(url).status_code == 200, url


def test_list_page_shows_translations_side_by_side(support_list, client_for, superuser):
    url = reverse("admin:statuscodes_statuscodelist_change", args=[support_list.pk])
    page = client_for(superuser).get(url).content.decode()
    for column in ["codes-0-label_en", "codes-0-label_es", "codes-0-label_fr"]:
        assert f'name="{column}"' in page
    assert 'value="Almuerzo"' in page
    assert 'type="checkbox" name="codes-0-actions" value="take_break"' in page


def test_staff_without_permissions_is_refused(support_list, client_for):
    clerk = make_user("clerk", is_staff=True)
    client = client_for(clerk)
    assert client.get(reverse("admin:app_list", args=["statuscodes"])).status_code == 404
    for url in configuration_pages(support_list)[1:]:
        assert client.get(url).status_code == 403, url


def test_list_changelist_counts_codes_and_groups(support_group, sales_list, client_for, superuser):
    response = client_for(superuser).get(reverse("admin:statuscodes_statuscodelist_changelist"))
    rows = {row.name: row for row in response.context["cl"].result_list}
    assert (rows["Support"].codes_count, rows["Support"].active_codes_count) == (9, 8)
    assert rows["Support"].groups_count == 1
    assert (rows["Sales"].codes_count, rows["Sales"].groups_count) == (3, 0)


def test_list_changelist_filters_by_secondary_language(
    support_list, sales_list, client_for, superuser
):
    sales_list.secondary_language = "es"
    sales_list.save()
    url = reverse("admin:statuscodes_statuscodelist_changelist")
    response = client_for(superuser).get(url, {"secondary_language__exact": "es"})
    assert [row.name for row in response.context["cl"].result_list] == ["Sales"]


def test_code_search_finds_a_label_in_any_language(support_list, sales_list, client_for, superuser):
    url = reverse("admin:statuscodes_statuscode_changelist")
    response = client_for(superuser).get(url, {"q": "Baño"})
    assert [str(code) for code in response.context["cl"].result_list] == ["Support / RESTROOM"]


def test_code_changelist_filters_by_action(support_list, client_for, superuser):
    url = reverse("admin:statuscodes_statuscode_changelist")
    response = client_for(superuser).get(url, {"actions__key__exact": "logout"})
    assert [code.code for code in response.context["cl"].result_list] == ["EOS"]


def test_changelists_take_a_fixed_number_of_queries(
    support_group, client_for, superuser, django_assert_max_num_queries
):
    client = client_for(superuser)
    for number in range(30):
        make_code(support_group.code_list, f"EXTRA{number}", f"Extra {number}", ["take_break"])
    # Session, user, count, rows, filters' choices: the same whatever the number of codes.
    for url, most in [
        (reverse("admin:statuscodes_statuscodelist_changelist"), 6),
        (reverse("admin:statuscodes_statuscode_changelist"), 9),
        (reverse("admin:statuscodes_statuscodelist_change", args=[support_group.code_list.pk]), 8),
    ]:
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200
    assert StatusCode.objects.count() == 39
