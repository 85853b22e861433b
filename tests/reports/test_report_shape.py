"""Every report has one shape: its column spec gives the sort keys, the table's columns and the
export's header and text cells; its cells follow the spec's order."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from agents.models import Agent
from reports.selectors.live import LiveBoard
from reports.selectors.rejections import RejectionsReport
from reports.selectors.status_changes import StatusChangesReport
from reports.selectors.time_by_code import TimeByCodeReport
from reports.selectors.window import Window
from reports.tables import (
    LiveCells,
    RejectionsCells,
    StatusChangesCells,
    TimeByCodeCells,
    table_for,
)

WINDOW = Window(date(2025, 3, 1), date(2025, 3, 2), ZoneInfo("UTC"))
TABLES = {
    TimeByCodeReport: TimeByCodeCells,
    RejectionsReport: RejectionsCells,
    StatusChangesReport: StatusChangesCells,
    LiveBoard: LiveCells,
}

# What a table needs besides its rows: the zone it shows instants in, the live board's now.
TABLE_OPTIONS = {
    StatusChangesReport: {"zone": ZoneInfo("UTC")},
    TimeByCodeReport: {"zone": ZoneInfo("UTC")},
    LiveBoard: {"zone": ZoneInfo("UTC"), "now": timezone.now()},
}


def build(report_class):
    agents = Agent.objects.all()
    if report_class is LiveBoard:
        return LiveBoard(agents=agents, zone=ZoneInfo("UTC"), now=timezone.now())
    return report_class(agents=agents, window=WINDOW, now=timezone.now())


@pytest.mark.parametrize("report_class", TABLES)
def test_each_exported_row_has_one_cell_per_header_column(history, report_class):
    report = build(report_class)
    rows = list(report.cells())
    assert rows
    assert {len(row) for row in rows} == {len(report.export_header)}


@pytest.mark.parametrize(("report_class", "cells"), TABLES.items())
def test_the_table_shows_the_spec_columns_in_order_sortable_as_the_spec_says(report_class, cells):
    table = table_for(report_class, cells)([], **TABLE_OPTIONS.get(report_class, {}))
    names = [column.name for column in table.columns]
    assert names == [column.name for column in report_class.page_columns]
    sortable = {column.name for column in table.columns if column.orderable}
    assert sortable == set(report_class.ordering)


def test_only_text_people_type_is_neutralised():
    header = TimeByCodeReport.export_header
    text = {header[index] for index in TimeByCodeReport.text_indexes}
    assert text == {"agent", "group", "status", "list", "code", "code_label"}
    assert "count" not in text and "date" not in text
