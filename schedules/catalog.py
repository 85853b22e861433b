"""The reports one may subscribe to, and how a subscription reads one as its owner would.

Every report page whose filters take a window of dates can be sent (the live board, a present
moment, cannot): the page's own view builds the file, with the page's own filter form and the
owner's scope, so a file is the page's export byte for byte.
"""

from django import forms
from django.http import HttpRequest, QueryDict
from django_filters import FilterSet

# The parameters a subscription does not keep: the period replaces the page's dates, and the
# page number and the export format are the page's, not the report's.
DROPPED_PARAMETERS = ("date_from", "date_to", "page", "_export")


def subscribable_views() -> dict:
    """{slug: report view} of every report with a window of dates, in the index's order."""
    # Imported here: the models name these choices, and the views import models of their own.
    from reports.forms import WindowForm
    from reports.views import REPORTS

    return {
        view.slug: view
        for view, _description in REPORTS
        if issubclass(view.filterset_class._meta.form, WindowForm)
    }


def report_choices() -> list[tuple[str, str]]:
    return [(slug, view.title) for slug, view in subscribable_views().items()]


def kept_query(query: QueryDict) -> str:
    """The filters of a report page's query string that a subscription keeps, encoded."""
    kept = query.copy()
    for name in DROPPED_PARAMETERS:
        kept.pop(name, None)
    return kept.urlencode()


def report_view_for(*, slug: str, owner, query: str, extra: dict | None = None):
    """The report's view set up for a request of `owner` with `query` (and `extra`
    parameters), and its filters read by the report's own FilterSet."""
    data = QueryDict(query, mutable=True)
    for name, value in (extra or {}).items():
        data[name] = value
    request = HttpRequest()
    request.method = "GET"
    request.user = owner
    request.GET = data
    view = subscribable_views()[slug]()
    view.setup(request)
    filterset: FilterSet = view.filterset_class(data, request=request)
    return view, filterset


def filter_errors(filterset: FilterSet) -> str:
    """The filter form's errors on one line, as the page's export gives them."""
    from reports.views import _filter_errors_line

    return _filter_errors_line(filterset)


def filter_summary(filterset: FilterSet, query: str) -> list[tuple[str, str]]:
    """The filters of `query` as (label, value) people read, in the form's order."""
    data = QueryDict(query)
    form = filterset.form
    form.is_valid()
    summary = []
    for name, field in form.fields.items():
        raw = data.get(name)
        if not raw:
            continue
        value = form.cleaned_data.get(name) or raw
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = dict(field.choices).get(raw, value)
        # A time zone is shown by its name.
        summary.append((str(field.label), str(getattr(value, "key", value))))
    return summary
