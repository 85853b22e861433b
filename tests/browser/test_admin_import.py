"""In Chromium: an administrator imports a codes file, fixes its bad line, imports it."""

import pytest

from statuscodes.models import StatusCode, StatusCodeList
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

HEADER = "list,code,label,description,actions,sort_order,active,max_minutes,label_es\n"
BAD_FILE = (
    HEADER
    + "Back office,LUNCH,Lunch,Lunch break,take_break,0,true,60,Almuerzo\n"
    + "Back office,NAP,Nap,,take_nap,5,true,,Siesta\n"
    + "Back office,EOS,End of shift,,logout,9,true,,Fin de turno\n"
)
FIXED_FILE = BAD_FILE.replace("take_nap", "take_break")


def choose_file_and_submit(page, path) -> None:
    form = page.locator("#content form")
    form.get_by_label("File to import").set_input_files(path)
    form.get_by_label("Format").select_option(label="csv")
    form.get_by_role("button", name="Submit").click()


def test_bad_line_is_shown_and_nothing_imported_then_the_fixed_file_imports(
    page, administrator, tmp_path
):
    codes_file = tmp_path / "codes.csv"
    codes_file.write_text(BAD_FILE, encoding="utf-8")
    log_in(page, "administrator", next_url="/admin/")

    page.locator("#statuscodes-statuscode").get_by_role("link", name="Status codes").click()
    page.get_by_role("link", name="Import").click()
    choose_file_and_submit(page, codes_file)

    errors = page.locator("table.import-preview tbody tr")
    expect(errors).to_have_count(1)
    assert errors.locator("td.import-line").inner_text() == "3"
    assert "Unknown action(s) “take_nap”" in errors.locator("td.errors").inner_text()
    assert "Nothing was written" in page.locator("#content").inner_text()
    assert page.get_by_role("button", name="Confirm import").count() == 0
    screenshot(page, "admin-import-error")
    assert not StatusCodeList.objects.filter(name="Back office").exists()
    assert not StatusCode.objects.exists()

    codes_file.write_text(FIXED_FILE, encoding="utf-8")
    choose_file_and_submit(page, codes_file)
    expect(page.locator("table.import-preview tr.new")).to_have_count(3)
    assert not StatusCode.objects.exists()  # a preview writes nothing
    page.get_by_role("button", name="Confirm import").click()

    page.wait_for_url("**/admin/statuscodes/statuscode/")
    assert "3 new" in page.locator("ul.messagelist").inner_text()
    rows = page.locator("#result_list tbody tr")
    assert sorted(rows.locator(".field-code").all_inner_texts()) == ["EOS", "LUNCH", "NAP"]
    screenshot(page, "admin-import-success")
    codes = StatusCode.objects.filter(code_list__name="Back office").order_by("sort_order")
    assert [
        (code.code, code.label_es, list(code.actions.values_list("key", flat=True)))
        for code in codes
    ] == [
        ("LUNCH", "Almuerzo", ["take_break"]),
        ("NAP", "Siesta", ["take_break"]),
        ("EOS", "Fin de turno", ["logout"]),
    ]
