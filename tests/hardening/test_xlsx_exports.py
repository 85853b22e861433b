"""XLSX exports are built within the request, so their size is bounded (docs/performance.md).

A year of status changes took a minute to write with openpyxl and the worker was killed at
gunicorn's timeout: XlsxWriter writes it in a fraction of that, and past XLSX_MAX_ROWS rows the
export is refused with what to do instead, never cut short or left to time out.
"""

import io
import tempfile

import pytest
from openpyxl import load_workbook

from reports import exports
from statuscodes.models import StatusCode
from tests.reports.timeline import at, timeline

WINDOW = {"date_from": "2025-03-01", "date_to": "2025-03-01", "tz": "UTC"}
URL = "/reports/status-changes/"


@pytest.fixture
def four_changes(ana):
    timeline(
        ana,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:10"), "available"),
        (at("2025-03-01 17:00"), "logged_out", "EOS"),
    )
    return ana


def xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def test_an_xlsx_export_of_more_rows_than_the_limit_is_refused_with_what_to_do(
    client_for, superuser, four_changes, monkeypatch, tmp_path
):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client = client_for(superuser)

    response = client.get(URL, {**WINDOW, "sort": "timestamp", "_export": "xlsx"})

    assert response.status_code == 400
    assert list(tmp_path.iterdir()) == []  # the rows written so far are not left behind
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "This export has more than 3 rows, more than an XLSX file is built for while you wait. "
        "Download it as CSV, or narrow the window or choose a group or an agent."
    )
    csv = client.get(URL, {**WINDOW, "_export": "csv"})
    assert len(b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()) == 1 + 4


def test_an_xlsx_export_of_exactly_the_limit_is_built(
    client_for, superuser, four_changes, monkeypatch
):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 4)

    response = client_for(superuser).get(URL, {**WINDOW, "sort": "timestamp", "_export": "xlsx"})

    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert rows[0][:2] == ("timestamp (UTC)", "agent")
    assert [row[4] for row in rows[1:]] == ["available", "on_break", "available", "logged_out"]
    assert [type(row[8]) for row in rows[1:]] == [int] * 4  # duration_seconds, a number


def test_a_label_holding_a_control_character_is_exported(client_for, superuser, four_changes):
    # Typed in the admin; openpyxl refused to write it and the export failed with a 500.
    StatusCode.objects.filter(code="SHORT").update(label_en="Short\x0bbreak")

    response = client_for(superuser).get(URL, {**WINDOW, "sort": "timestamp", "_export": "xlsx"})

    assert response.status_code == 200
    labels = [row[7] for row in xlsx_rows(response)[1:]]
    assert labels[1].startswith("Short") and labels[1].endswith("break")
