"""Importing codes in the admin: a preview first, all or nothing, every bad line explained."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.tmp_storages import TempFolderStorage

from statuscodes.models import StatusCode, StatusCodeList

IMPORT_URL = reverse("admin:statuscodes_statuscode_import")
CONFIRM_URL = reverse("admin:statuscodes_statuscode_process_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"
HEADER = "list,code,label,description,actions,sort_order,active,max_minutes,label_es\n"
BAD_FILE = (
    HEADER
    + "Back office,LUNCH,Lunch,,take_break,0,true,60,Almuerzo\n"
    + "Back office,NAP,Nap,,take_nap,5,true,,\n"
    + "Back office,EOS,End of shift,,logout,9,true,,Fin de turno\n"
)
FIXED_FILE = BAD_FILE.replace("take_nap", "take_break")


def upload(client, content: str | bytes, *, file_format=CSV_FORMAT, name="codes.csv"):
    content = content.encode() if isinstance(content, str) else content
    return client.post(
        IMPORT_URL,
        {
            "resource": "0",
            "format": file_format,
            "import_file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def test_file_with_a_bad_line_shows_its_line_and_reason_and_imports_nothing(
    client_for, administrator
):
    response = upload(client_for(administrator), BAD_FILE)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    [invalid] = response.context["result"].invalid_rows
    page = response.content.decode()
    assert invalid.number == 3
    assert '<td class="import-line">3</td>' in page
    assert "Unknown action(s) “take_nap”" in page
    assert "Nothing was written" in page
    assert not StatusCodeList.objects.filter(name="Back office").exists()
    assert not StatusCode.objects.exists()


def test_fixed_file_previews_cleanly_then_confirms(client_for, administrator):
    client = client_for(administrator)
    preview = upload(client, FIXED_FILE)
    assert not preview.context["result"].has_validation_errors()
    assert not StatusCode.objects.exists()

    confirm = preview.context["confirm_form"].initial
    response = client.post(CONFIRM_URL, confirm)

    assert response.status_code == 302
    codes = StatusCode.objects.filter(code_list__name="Back office").order_by("sort_order")
    assert [(code.code, code.label_es) for code in codes] == [
        ("LUNCH", "Almuerzo"),
        ("NAP", None),
        ("EOS", "Fin de turno"),
    ]


def test_confirming_a_file_that_has_a_bad_line_writes_nothing(client_for, administrator):
    # The confirmation step only names a file kept by the preview; it must check it again.
    stored = TempFolderStorage(encoding="utf-8-sig", read_mode="r")
    stored.save(BAD_FILE.encode())
    response = client_for(administrator).post(
        CONFIRM_URL,
        {
            "import_file_name": stored.name,
            "original_file_name": "codes.csv",
            "format": CSV_FORMAT,
            "resource": "0",
        },
    )

    assert response.status_code == 200
    assert "Unknown action(s) “take_nap”" in response.content.decode()
    assert not StatusCodeList.objects.filter(name="Back office").exists()
    assert not StatusCode.objects.exists()


def test_missing_column_is_named_without_a_traceback(client_for, administrator):
    response = upload(client_for(administrator), "list,code,label\nSupport,LUNCH,Lunch\n")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Missing required column(s): description, actions, sort_order" in page
    assert "Traceback" not in page
    assert not StatusCode.objects.exists()


def test_latin1_file_is_refused_with_an_encoding_message(client_for, administrator):
    response = upload(
        client_for(administrator), FIXED_FILE.encode("latin-1").replace(b"Fin", b"D\xe9but")
    )

    assert response.status_code == 200
    assert "The file is not UTF-8 text" in response.content.decode()
    assert not StatusCode.objects.exists()


def test_csv_file_chosen_as_xlsx_is_refused_clearly(client_for, administrator):
    response = upload(client_for(administrator), FIXED_FILE, file_format=XLSX_FORMAT)

    assert response.status_code == 200
    assert "The file is not an XLSX workbook" in response.content.decode()
    assert not StatusCode.objects.exists()


def test_oversized_file_is_refused(client_for, administrator, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100

    response = upload(client_for(administrator), FIXED_FILE)

    assert response.status_code == 200
    assert "files larger than 100\xa0bytes are refused" in response.content.decode()
    assert not StatusCode.objects.exists()


def test_import_needs_the_change_permission(client_for, administrator):
    administrator.user_permissions.remove(
        *administrator.user_permissions.filter(codename="change_statuscode")
    )

    assert client_for(administrator).get(IMPORT_URL).status_code == 403


def test_confirming_a_preview_whose_file_is_gone_asks_to_upload_again(client_for, administrator):
    response = client_for(administrator).post(
        CONFIRM_URL,
        {
            "import_file_name": "no-such-preview",
            "original_file_name": "codes.csv",
            "format": CSV_FORMAT,
            "resource": "0",
        },
        follow=True,
    )

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert "The previewed file is no longer available" in response.content.decode()
    assert not StatusCode.objects.exists()
