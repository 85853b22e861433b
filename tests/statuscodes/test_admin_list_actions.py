"""The actions of the status code list changelist: duplicate, (de)activate, export."""

import csv
import io

from django.contrib.admin import helpers
from django.urls import reverse

from statuscodes.models import StatusCodeList

CHANGELIST = reverse("admin:statuscodes_statuscodelist_changelist")


def run_action(client, action, *code_lists):
    return client.post(
        CHANGELIST,
        {
            "action": action,
            helpers.ACTION_CHECKBOX_NAME: [code_list.pk for code_list in code_lists],
        },
        follow=True,
    )


def code_rows(code_list):
    return [
        (
            code.code,
            code.label_en,
            code.label_es,
            code.description_en,
            sorted(code.actions.values_list("key", flat=True)),
            code.sort_order,
            code.active,
            code.max_minutes,
        )
        for code in code_list.codes.order_by("code")
    ]


def test_duplicate_copies_every_code_with_translations_actions_order_and_flags(
    support_list, client_for, administrator
):
    lunch = support_list.codes.get(code="LUNCH")
    lunch.description_en = "Meal break"
    lunch.save()

    response = run_action(client_for(administrator), "duplicate", support_list)

    copy = StatusCodeList.objects.get(name="Support (copy)")
    assert "1 list duplicated: “Support (copy)”." in response.content.decode()
    assert copy.description == support_list.description
    assert code_rows(copy) == code_rows(support_list)
    assert copy.codes.get(code="RETIRED").active is False
    assert support_list.codes.count() == 9


def test_duplicating_again_numbers_the_copies(support_list, client_for, administrator):
    client = client_for(administrator)
    run_action(client, "duplicate", support_list)
    run_action(client, "duplicate", support_list)

    assert set(StatusCodeList.objects.values_list("name", flat=True)) == {
        "Support",
        "Support (copy)",
        "Support (copy 2)",
    }


def test_duplicate_needs_the_add_permission(support_list, client_for, administrator):
    administrator.user_permissions.remove(
        *administrator.user_permissions.filter(codename="add_statuscodelist")
    )

    run_action(client_for(administrator), "duplicate", support_list)

    assert StatusCodeList.objects.count() == 1


def test_deactivate_and_activate_say_how_many_lists_changed(
    support_list, sales_list, client_for, administrator
):
    client = client_for(administrator)
    sales_list.active = False
    sales_list.save()

    response = run_action(client, "deactivate", support_list, sales_list)
    assert "1 list deactivated." in response.content.decode()
    assert not StatusCodeList.objects.filter(active=True).exists()

    response = run_action(client, "activate", support_list, sales_list)
    assert "2 lists activated." in response.content.decode()
    assert StatusCodeList.objects.filter(active=True).count() == 2


def test_deactivation_is_recorded_in_the_history(support_list, client_for, administrator):
    run_action(client_for(administrator), "deactivate", support_list)

    latest = support_list.history.latest()
    assert (latest.active, latest.history_user) == (False, administrator)


def test_export_gives_the_import_columns_of_the_selected_lists(
    support_list, sales_list, client_for, administrator
):
    response = run_action(client_for(administrator), "export_codes_csv", sales_list)

    assert response["Content-Disposition"].startswith('attachment; filename="status-codes-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["list"], row["code"], row["actions"]) for row in rows] == [
        ("Sales", "LUNCH", "take_break"),
        ("Sales", "COACHING", "work_offline"),
        ("Sales", "EOS", "logout"),
    ]
    assert rows[0]["label_es"] == "Almuerzo"


def test_export_neutralises_spreadsheet_formulas(sales_list, client_for, administrator):
    coaching = sales_list.codes.get(code="COACHING")
    coaching.label_en = '=HYPERLINK("http://evil")'
    coaching.save()

    response = run_action(client_for(administrator), "export_codes_csv", sales_list)

    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert not rows["COACHING"]["label"].startswith("=")


def test_export_as_xlsx_is_a_workbook(sales_list, client_for, administrator):
    response = run_action(client_for(administrator), "export_codes_xlsx", sales_list)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
