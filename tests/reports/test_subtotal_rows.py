"""The subtotals' rows, written by a template tag (1,000 agents' rows on a large center's page):
the names escaped, the share of logged-in time in the reader's notation, "—" where none."""

from django.utils import translation

from reports.selectors.time_by_code import Figures, Subtotal
from reports.templatetags.report_summary import subtotal_rows

HOUR_US = 3_600_000_000


def subtotal(key, label, *, us, logged_in_us):
    figures = Figures(count=3, us=us, logged_in_us=logged_in_us, exceeded_count=1, exceeded_us=0)
    return Subtotal(key, label, figures)


def test_a_row_per_subtotal_with_its_name_escaped():
    rows = [
        subtotal("ana", "Ana <b>López</b> & co", us=HOUR_US // 4, logged_in_us=8 * HOUR_US),
        subtotal("bo", "Bo", us=HOUR_US, logged_in_us=0),
    ]
    with translation.override("en"):
        html = subtotal_rows(rows)
    assert html == (
        '<tr class="subtotal" data-key="ana"><td>Ana &lt;b&gt;López&lt;/b&gt; &amp; co</td>'
        '<td class="num">3</td><td class="num">0:15:00</td><td class="num">3.1</td>'
        '<td class="num">1</td></tr>'
        '<tr class="subtotal" data-key="bo"><td>Bo</td><td class="num">3</td>'
        '<td class="num">1:00:00</td><td class="num">—</td><td class="num">1</td></tr>'
    )


def test_the_share_uses_the_readers_decimal_separator():
    rows = [subtotal("ana", "Ana", us=HOUR_US // 4, logged_in_us=8 * HOUR_US)]
    with translation.override("fr"):
        assert '<td class="num">3,1</td>' in subtotal_rows(rows)
    with translation.override("es"):
        assert '<td class="num">3,1</td>' in subtotal_rows(rows)
