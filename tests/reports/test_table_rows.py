"""The report tables' rows are written in Python (`ReportTable.body_rows`) as django-tables2's
own template writes them: the same text, white space included, for every report's table, in
English and French, with empty cells, flags, links and the live board's row classes; and a
column whose cells need more than its value (a link, a class computed per record,
localization chosen) is written by django-tables2 itself."""

from zoneinfo import ZoneInfo

import django_tables2 as tables
import pytest
from django.template import Context, Template
from django.utils import translation

from reports.selectors.common import ReportPage
from reports.selectors.live import LiveBoard
from reports.selectors.rejections import RejectionsReport
from reports.selectors.status_changes import StatusChangesReport
from reports.selectors.time_by_code import TimeByCodeReport
from reports.tables import PrefetchedPage, ReportTable, table_for
from tests.reports.test_report_shape import TABLE_OPTIONS, TABLES, build
from tests.reports.timeline import at, timeline

# The rows of django-tables2's bootstrap5.html, as it was before the rows were written in
# Python.
TABLES2_ROWS = Template(
    """{% load l10n %}{% for row in table.paginated_rows %}
                    {% block table.tbody.row %}
                    <tr {{ row.attrs.as_html }}>
                        {% for column, cell in row.items %}
                            <td {{ column.attrs.td.as_html }}>{% if column.localize == None %}{{ cell }}{% else %}{% if column.localize %}{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}</td>
                        {% endfor %}
                    </tr>
                    {% endblock table.tbody.row %}
                {% endfor %}"""  # noqa: E501
)


def rows_both_ways(make_table) -> tuple[str, str]:
    """The rows of a table made by `make_table()` written both ways (a table numbers its rows
    as they are read, for their `even` and `odd` classes: one table each)."""
    return str(make_table().body_rows), TABLES2_ROWS.render(Context({"table": make_table()}))


def paginated(table):
    table.paginate(page=1, per_page=50)
    return table


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(("report_class", "cells"), TABLES.items())
def test_each_reports_rows_are_written_as_django_tables2_writes_them(
    history, report_class, cells, language
):
    report = build(report_class)
    page = report.page(limit=50)
    assert page.rows, "the report has rows"
    table_class = table_for(report, cells)
    options = TABLE_OPTIONS.get(report_class, {})
    with translation.override(language):
        ours, theirs = rows_both_ways(
            lambda: paginated(table_class(PrefetchedPage(page), **options))
        )
    assert ours == theirs
    assert ours.count("<tr ") == len(page.rows)


def test_empty_cells_flags_and_dates_as_django_tables2_writes_them(history, nocode):
    """A break without a code (its code cell is empty), unpaid flags and dates."""
    timeline(nocode, (at("2025-03-01 09:00"), "on_break"), (at("2025-03-01 09:10"), "available"))
    report = build(TimeByCodeReport)
    page = report.page(limit=50)
    table_class = table_for(report, TABLES[TimeByCodeReport])
    ours, theirs = rows_both_ways(
        lambda: paginated(table_class(PrefetchedPage(page), zone=ZoneInfo("UTC")))
    )
    assert ours == theirs
    assert 'class="nowrap">2025-03-01</td>' in ours
    assert "<td >—</td>" in ours


class Unusual(ReportTable):
    """Columns django-tables2 must write itself: a class per record, a localized number."""

    name = tables.Column(attrs={"td": {"class": lambda record: f"for-{record['name']}"}})
    share = tables.Column(localize=True)

    class Meta(ReportTable.Meta):
        pass


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_column_that_needs_more_is_written_by_django_tables2(language):
    rows = [{"name": "ana", "share": 12.5}, {"name": "sam", "share": None}]
    with translation.override(language):
        ours, theirs = rows_both_ways(
            lambda: paginated(Unusual(PrefetchedPage(ReportPage(rows=rows, count=2, offset=0))))
        )
    assert ours == theirs
    assert 'class="for-ana"' in ours
    assert ("12,5" if language == "fr" else "12.5") in ours


@pytest.mark.parametrize("report_class", [RejectionsReport, StatusChangesReport, LiveBoard])
def test_an_empty_page_has_no_rows(report_class, db):
    table_class = table_for(report_class, TABLES[report_class])
    empty = ReportPage(rows=[], count=0, offset=0)
    options = TABLE_OPTIONS.get(report_class, {})
    assert rows_both_ways(lambda: paginated(table_class(PrefetchedPage(empty), **options))) == (
        "",
        "",
    )
