"""The rows of a report's subtotals table, written in Python: the time-by-code page has one per
agent in scope (1,000 in a large center), where a template loop takes about 0.1 s.
`{% load report_summary %}{% subtotal_rows subtotals %}`."""

from collections.abc import Iterable

from django import template
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def subtotal_rows(subtotals: Iterable) -> SafeString:
    """One row per subtotal: its label, count, time, share of logged-in time ("—" where there is
    none, one decimal in the reader's notation) and count over the codes' maximum."""
    decimal_separator = get_format("DECIMAL_SEPARATOR")
    rows = []
    for subtotal in subtotals:
        figures = subtotal.figures
        share = figures.percent_of_logged_in
        shown = "—" if share is None else f"{share:.1f}".replace(".", decimal_separator)
        rows.append(
            f'<tr class="subtotal" data-key="{escape(subtotal.key)}">'
            f'<td>{escape(subtotal.label)}</td><td class="num">{figures.count:d}</td>'
            f'<td class="num">{figures.duration}</td><td class="num">{shown}</td>'
            f'<td class="num">{figures.exceeded_count:d}</td></tr>'
        )
    # Escaped above: the key and label are the only text (names people typed).
    return mark_safe("".join(rows))
