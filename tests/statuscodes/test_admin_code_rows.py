"""The status code list page's compact rows: key, the primary label and the list's secondary
language's, actions as labelled chips, order, active and maximum minutes in the row; the other
languages, descriptions and the less used settings under "More"; codes missing the secondary
language's label marked; the lists' page counting the translations."""

import re

import pytest
from django.urls import reverse

from statuscodes.models import StatusCodeList
from tests.conftest import make_code

pytestmark = pytest.mark.django_db


def list_page(client, code_list) -> str:
    url = reverse("admin:statuscodes_statuscodelist_change", args=[code_list.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def code_row(html: str, index: int) -> tuple[list[str], list[str]]:
    """The names of the fields in row `index` and in its "More" part."""
    start = html.index(f'id="codes-{index}"')
    end = html.index('id="codes-', start + 1)
    row = html[start:end]
    more_at = row.index('class="code-more"')

    def names(part: str) -> list[str]:
        found = re.findall(rf'name="codes-{index}-([A-Za-z_]+)"', part)
        return list(dict.fromkeys(name for name in found if name not in {"id", "code_list"}))

    return names(row[:more_at]), names(row[more_at:])


def test_a_row_holds_the_key_both_labels_actions_order_active_and_maximum(
    support_list, client_for, superuser
):
    support_list.secondary_language = "es"
    support_list.save()
    row, more = code_row(list_page(client_for(superuser), support_list), 0)
    assert row == [
        "code",
        "label_en",
        "label_es",
        "actions",
        "sort_order",
        "active",
        "max_minutes",
        "DELETE",
    ]
    assert more == [
        "label_fr",
        "description_en",
        "description_es",
        "description_fr",
        "report_label_en",
        "report_label_es",
        "report_label_fr",
        "auto_end_minutes",
        "paid",
    ]


def test_without_a_secondary_language_the_other_labels_are_under_more(
    support_list, client_for, superuser
):
    row, more = code_row(list_page(client_for(superuser), support_list), 0)
    assert "label_es" not in row
    assert more[:2] == ["label_es", "label_fr"]


def test_the_secondary_language_chooses_the_second_label_column(sales_list, client_for, superuser):
    sales_list.secondary_language = "fr"
    sales_list.save()
    html = list_page(client_for(superuser), sales_list)
    row, more = code_row(html, 0)
    assert row[1:3] == ["label_en", "label_fr"]
    assert more[0] == "label_es"
    assert re.search(r'<span class="column-label_fr">Label \[fr\]</span>', html)


def test_codes_without_a_label_in_the_secondary_language_are_marked(
    support_list, client_for, superuser
):
    support_list.secondary_language = "es"
    support_list.save()
    html = list_page(client_for(superuser), support_list)
    # RETIRED has no Spanish label; every other code of the fixture has one.
    marked = re.findall(r'id="codes-\d+".*?(?=id="codes-|\Z)', html, re.S)
    missing = [row for row in marked if 'class="missing-translation"' in row]
    assert len(missing) == 1
    assert 'value="RETIRED"' in missing[0]


def test_every_control_of_a_row_has_a_label(support_list, client_for, superuser):
    support_list.secondary_language = "es"
    support_list.save()
    html = list_page(client_for(superuser), support_list)
    start = html.index('id="codes-0"')
    row = html[start : html.index('id="codes-1"')]
    controls = re.findall(r"<(?:input|select|textarea)[^>]*>", row)
    ids = [
        re.search(r'\bid="([^"]+)"', control).group(1)
        for control in controls
        if 'type="hidden"' not in control
    ]
    assert ids
    labelled = set(re.findall(r'<label[^>]*\bfor="(id_codes-0-[^"]+)"', row))
    assert [control for control in ids if control not in labelled] == []


def test_the_actions_are_chips_named_by_their_labels(support_list, client_for, superuser):
    html = list_page(client_for(superuser), support_list)
    chips = re.search(r'<div id="id_codes-0-actions" class="action-chips">(.*?)</div>', html, re.S)
    labels = [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r'<label class="chip"[^>]*>(.*?)</label>', chips.group(1))
    ]
    assert labels == [
        "Take break",
        "Work offline",
        "Log out",
        "Reject Phone",
        "Reject Chat",
        "Reject Email",
        "Reject Voicemail",
    ]
    assert "take_break<" not in html


def test_the_list_page_has_no_menu_beside_the_codes(support_list, client_for, superuser):
    html = list_page(client_for(superuser), support_list)
    assert 'id="nav-sidebar"' not in html


def test_the_lists_page_counts_the_translations_in_the_secondary_language(
    support_list, sales_list, client_for, superuser
):
    support_list.secondary_language = "es"
    support_list.save()
    html = client_for(superuser).get(reverse("admin:statuscodes_statuscodelist_changelist"))
    cells = dict(
        re.findall(
            r'<th class="field-name"><a [^>]*>([^<]+)</a></th>.*?<td class="field-translations">'
            r"([^<]*)</td>",
            html.content.decode(),
            re.S,
        )
    )
    # 8 of Support's 9 codes have a Spanish label (RETIRED has none); Sales has no secondary
    # language.
    assert cells == {"Sales": "—", "Support": "8/9 Español"}


def test_an_empty_translation_is_not_counted(client_for, superuser):
    code_list = StatusCodeList.objects.create(name="Night", secondary_language="fr")
    make_code(code_list, "NAP", "Nap", ["take_break"], label_fr="")
    make_code(code_list, "EOS", "End", ["logout"], label_fr="Fin")
    html = client_for(superuser).get(reverse("admin:statuscodes_statuscodelist_changelist"))
    assert '<td class="field-translations">1/2 Français</td>' in html.content.decode()


def test_the_codes_page_shows_action_labels(support_list, client_for, superuser):
    html = client_for(superuser).get(reverse("admin:statuscodes_statuscode_changelist"))
    content = html.content.decode()
    assert '<td class="field-action_labels">Reject phone, Reject chat, Reject email</td>' in (
        content
    )
    assert "reject_phone," not in content
