"""The import page tells what it reads and what it would do: the columns after a refused file
too, absent columns shown empty in the error table, and no "Confirm import" for a file that
changes nothing."""

import re

import pytest

from statuscodes.models import StatusCode
from tests.statuscodes.test_admin_import import BAD_FILE, FIXED_FILE, IMPORT_URL, upload

pytestmark = pytest.mark.django_db

COLUMNS = "list, code, label, description, actions, sort_order, active, max_minutes"


def fields_help(page: str) -> str:
    found = re.search(
        r"This importer will import the following fields:\s*<code>([^<]*)</code>", page
    )
    assert found, "the page does not list the columns"
    return found.group(1)


def test_the_columns_are_listed_before_any_file(client_for, administrator):
    page = client_for(administrator).get(IMPORT_URL).content.decode()
    assert fields_help(page).startswith(COLUMNS)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"list,code\n\xe9\n", id="not UTF-8"),
        pytest.param("list,code\nSupport,LUNCH\n", id="missing columns"),
    ],
)
def test_the_columns_are_listed_after_a_refused_file(client_for, administrator, content):
    page = upload(client_for(administrator), content).content.decode()
    assert fields_help(page).startswith(COLUMNS)


def test_absent_columns_are_empty_in_the_error_table(client_for, administrator):
    # The file has no label_fr nor description_es column: import-export showed them as "---".
    page = upload(client_for(administrator), BAD_FILE).content.decode()
    table = page[page.index('<table class="import-preview">') :]
    assert "---" not in table
    headers = re.findall(r"<th>([^<]*)</th>", table[: table.index("</thead>")])
    row = re.findall(r"<td[^>]*>(.*?)</td>", table[table.index("<tbody>") :], re.S)
    cells = dict(zip(headers, row, strict=False))
    assert cells["label_fr"].strip() == ""
    assert cells["code"].strip() == "NAP"


def test_a_file_that_changes_nothing_offers_no_confirmation(client_for, administrator):
    client = client_for(administrator)
    preview = upload(client, FIXED_FILE)
    client.post(
        "/admin/statuscodes/statuscode/process_import/", preview.context["confirm_form"].initial
    )
    assert StatusCode.objects.count() == 3

    again = upload(client, FIXED_FILE)
    page = again.content.decode()
    assert 'value="Confirm import"' not in page
    assert "Nothing to import" in page
    assert "Every line of the file is the same as what is already stored" in page
    # The upload form is offered again instead.
    assert 'name="import_file"' in page


def test_a_file_that_changes_something_is_still_confirmed(client_for, administrator):
    page = upload(client_for(administrator), FIXED_FILE).content.decode()
    assert 'value="Confirm import"' in page
    assert "Nothing to import" not in page
