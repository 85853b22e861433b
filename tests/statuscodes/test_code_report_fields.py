"""A code's report label and paid flag, and a list's order of codes: optional import columns,
exported, in the admin and in the history; the offered order follows the list."""

import pytest
from django.utils import translation

from statuscodes.models import CodeOrder, StatusCode
from statuscodes.resources import StatusCodeResource
from tests.importing import run_import

CSV = "text/csv"


def write(tmp_path, text: str):
    path = tmp_path / "codes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_without_the_new_columns_imports_and_leaves_them_unchanged(tmp_path, support_list):
    lunch = StatusCode.objects.get(code_list=support_list, code="LUNCH")
    lunch.report_label = "Meal"
    lunch.paid = True
    lunch.save()
    path = write(
        tmp_path,
        "list,code,label,description,actions,sort_order,active,max_minutes\n"
        f"{support_list.name},LUNCH,Lunch time,,take_break,5,true,60\n",
    )
    assert run_import("statuscodes.resources.StatusCodeResource", path).ok
    lunch.refresh_from_db()
    assert (lunch.label, lunch.report_label, lunch.paid) == ("Lunch time", "Meal", True)


def test_the_new_columns_import_and_export(tmp_path, support_list):
    path = write(
        tmp_path,
        "list,code,label,description,actions,sort_order,active,max_minutes,report_label,paid,"
        "report_label_es\n"
        f"{support_list.name},REST,Rest,,take_break,9,true,,Rest break (paid),yes,Descanso\n",
    )
    assert run_import("statuscodes.resources.StatusCodeResource", path).ok
    rest = StatusCode.objects.get(code_list=support_list, code="REST")
    assert (rest.report_label, rest.report_label_es, rest.paid) == (
        "Rest break (paid)",
        "Descanso",
        True,
    )
    exported = StatusCodeResource().export()
    row = dict(zip(exported.headers, exported[[r[1] for r in exported].index("REST")], strict=True))
    assert (row["report_label"], row["paid"], row["report_label_es"]) == (
        "Rest break (paid)",
        "true",
        "Descanso",
    )
    assert rest.history.first().paid is True


def test_a_bad_paid_cell_is_refused_with_its_line(tmp_path, support_list):
    path = write(
        tmp_path,
        "list,code,label,description,actions,sort_order,active,max_minutes,paid\n"
        f"{support_list.name},REST,Rest,,take_break,9,true,,sometimes\n",
    )
    run = run_import("statuscodes.resources.StatusCodeResource", path)
    assert not run.ok
    assert "“sometimes” is not true or false." in run.err + run.error
    assert not StatusCode.objects.filter(code="REST").exists()


@pytest.mark.parametrize(("language", "expected"), [("en", "first"), ("es", "second")])
def test_an_alphabetical_list_offers_its_codes_by_label_in_the_language(
    support_list, language, expected
):
    support_list.code_order = CodeOrder.ALPHABETICAL
    support_list.save()
    codes = StatusCode.objects.filter(code_list=support_list)
    for code in codes:
        code.label_es = ""
        code.save()
    zebra = codes.get(code="LUNCH")
    zebra.label, zebra.label_en, zebra.label_es = "Aaa lunch", "Aaa lunch", "Zzz almuerzo"
    zebra.save()
    with translation.override(language):
        offered = [code.code for code in StatusCode.objects.offered(code_list=support_list)]
    if expected == "first":
        assert offered[0] == "LUNCH"
    else:
        assert offered[-1] == "LUNCH"
    by_sort_order = StatusCode.objects.offered(code_list=support_list, language="es")
    support_list.code_order = CodeOrder.SORT_ORDER
    support_list.save()
    assert [c.code for c in StatusCode.objects.offered(code_list=support_list)] == [
        c.code for c in codes.order_by("sort_order", "code") if c.active
    ]
    assert by_sort_order.exists()


def test_the_code_admin_edits_the_report_label_and_paid(client_for, superuser, support_list):
    lunch = StatusCode.objects.get(code_list=support_list, code="LUNCH")
    page = client_for(superuser).get(f"/admin/statuscodes/statuscode/{lunch.pk}/change/")
    html = page.content.decode()
    assert 'name="report_label_en"' in html
    assert 'name="paid"' in html
    list_page = client_for(superuser).get(
        f"/admin/statuscodes/statuscodelist/{support_list.pk}/change/"
    )
    assert 'name="code_order"' in list_page.content.decode()
