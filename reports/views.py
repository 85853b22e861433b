"""The report pages (docs/reports.md): parse the filters, call the selector, hand the rows to the
table.

Each page exports its whole filtered result with `?_export=csv` or `?_export=xlsx`. Bad filters
are shown on the page (HTTP 200) or, for an export, answered with HTTP 400: the page itself with
its filters marked for a browser, a one-line reason in plain text for a script.
"""

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django_filters import FilterSet

from core.choices import AgentStatus

from . import exports
from .charts import stacked_bars
from .filters import (
    LiveFilterSet,
    RejectionsFilterSet,
    StatusChangesFilterSet,
    TimeByCodeFilterSet,
)
from .routers import report_reads
from .selectors.common import GroupedReport, ReportPage
from .selectors.live import live_board
from .selectors.rejections import RejectionsReport
from .selectors.scope import user_can_view_reports
from .selectors.status_changes import status_change_rows, status_changes, with_report_columns
from .selectors.time_by_code import REPORTED_STATUSES, TimeByCodeReport
from .tables import (
    LiveTable,
    PrefetchedPage,
    RejectionsTable,
    SelectedQueryset,
    StatusChangesTable,
    TimeByCodeTable,
)

PER_PAGE = 50
EXPORT_PARAMETER = "_export"
# How often the live board reloads itself, in seconds (a meta refresh: no JavaScript needed).
LIVE_REFRESH_SECONDS = 15


# Report pages and exports show people's working time on shared workstations: neither the
# browser nor a proxy keeps a copy (Cache-Control: no-store, private).
@method_decorator(never_cache, name="dispatch")
class ReportReaderRequired(LoginRequiredMixin):
    """Anonymous users go to the login page; users who may read no report get 403."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and not user_can_view_reports(user=request.user):
            raise PermissionDenied(_("Reports are for supervisors and report readers."))
        return super().dispatch(request, *args, **kwargs)


class ReportIndexView(ReportReaderRequired, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "reports/index.html", {"reports": REPORTS})


class ReportView(ReportReaderRequired, View):
    """A report page; subclasses say which filters, and how to build the page and the file."""

    filterset_class: type[FilterSet]
    title: str
    slug: str

    def get(self, request: HttpRequest) -> HttpResponse:
        # Reads go to the reports replica when one is configured (reports/routers.py); the
        # report objects remember where, for exports streamed after this returns.
        with report_reads():
            return self.respond(request)

    def respond(self, request: HttpRequest) -> HttpResponse:
        filterset = self.filterset_class(request.GET, request=request)
        now = timezone.now()
        file_format = request.GET.get(EXPORT_PARAMETER)
        if file_format is not None:
            refused = self.export_refusal(filterset, file_format=file_format)
            if refused is None:
                return exports.export_response(self.export_file(filterset, now=now), file_format)
            if not _wants_html(request):
                return refused
        context = {
            "title": self.title,
            "filterset": filterset,
            "export_links": _export_links(request),
        }
        if filterset.is_valid():
            context.update(self.page_context(filterset, now=now, request=request))
        # An export refused to a browser: the page itself, its filters marked, with the 400.
        status = 200 if file_format is None else 400
        return render(request, self.template_name(), context, status=status)

    def export_refusal(self, filterset: FilterSet, *, file_format: str) -> HttpResponse | None:
        """Why the export cannot be made, as a 400 with a one-line reason; None when it can."""
        if file_format not in exports.FORMATS:
            reason = _("Unknown export format “%(format)s”: use csv or xlsx.") % {
                "format": file_format
            }
        elif not filterset.is_valid():
            reason = _filter_errors_line(filterset)
        else:
            return None
        return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")

    def template_name(self) -> str:
        return f"reports/{self.slug.replace('-', '_')}.html"

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        raise NotImplementedError

    def export_file(self, filterset: FilterSet, *, now: datetime) -> exports.Export:
        raise NotImplementedError


def _wants_html(request: HttpRequest) -> bool:
    """A browser following the page's export link names text/html; a script (curl: */*) gets
    the one-line reason."""
    return "text/html" in request.headers.get("Accept", "")


def _filter_errors_line(filterset: FilterSet) -> str:
    """The filter form's errors on one line: "To: Enter a valid date. The end date is …"."""
    form = filterset.form
    reasons = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            reasons.append(f"{field.label}: {error}" if field and field.label else str(error))
    return " ".join(reasons)


def _link_with(request: HttpRequest, **changes: str) -> str:
    """This page's URL with the same filters and `changes`, back to the first page."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query[name] = value
    return f"?{query.urlencode()}"


def _export_links(request: HttpRequest) -> dict[str, str]:
    return {
        file_format: _link_with(request, **{EXPORT_PARAMETER: file_format})
        for file_format in exports.FORMATS
    }


# Far beyond any report's last page; a bigger number would overflow the database's OFFSET.
MAX_PAGE = 1_000_000


def _requested_page(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", 1)), 1), MAX_PAGE)
    except ValueError:
        return 1


def _requested_order(request: HttpRequest) -> list[str]:
    return [name.strip() for name in request.GET.get("sort", "").split(",") if name.strip()]


def _read_page(request: HttpRequest, read: Callable[..., ReportPage]) -> tuple[int, ReportPage]:
    """The requested page of a report the database cuts into pages (`read(order, offset,
    limit)`), or its last page when the number is past the end; with its number."""
    order = _requested_order(request)
    number = _requested_page(request)
    page = read(order=order, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    last = max(math.ceil(page.count / PER_PAGE), 1)
    if number > last:
        number = last
        page = read(order=order, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    return number, page


def _file_name(slug: str, criteria: dict) -> str:
    window = criteria["window"]
    return f"{slug}_{window.date_from}_{window.date_to}"


class GroupedReportView(ReportView):
    """A report of `reports.selectors.common.GroupedReport` rows; its file says how to write
    them."""

    export_header: Sequence[str]
    export_cells: Callable[[tuple], list]
    export_text_columns: Sequence[int]

    def report(self, filterset: FilterSet, *, now: datetime) -> GroupedReport:
        raise NotImplementedError

    def export_file(self, filterset: FilterSet, *, now: datetime) -> exports.Export:
        report = self.report(filterset, now=now)
        return exports.Export(
            name=_file_name(self.slug, filterset.criteria()),
            header=self.export_header,
            rows=map(self.export_cells, report.row_values(order=_requested_order(self.request))),
            text_columns=self.export_text_columns,
        )


class TimeByCodeView(GroupedReportView):
    filterset_class = TimeByCodeFilterSet
    title = gettext_lazy("Time on break and offline by code")
    slug = "time-by-code"
    export_header = exports.TIME_BY_CODE_HEADER
    export_cells = staticmethod(exports.time_by_code_cells)
    export_text_columns = exports.TIME_BY_CODE_TEXT

    def report(self, filterset: FilterSet, *, now: datetime) -> TimeByCodeReport:
        criteria = filterset.criteria()
        return TimeByCodeReport(
            agents=filterset.qs,
            window=criteria["window"],
            now=now,
            statuses=[criteria["status"]] if criteria["status"] else REPORTED_STATUSES,
            code=criteria["code"],
        )

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        report = self.report(filterset, now=now)
        stack = filterset.criteria()["stack"] or "status"
        number, page = _read_page(request, partial(report.page, stack=stack))
        table = TimeByCodeTable(
            PrefetchedPage(page),
            zone=filterset.criteria()["window"].zone,
            order_by=page.summary["order"] or None,
        )
        table.paginate(page=number, per_page=PER_PAGE)
        if stack == "agent":
            names = {subtotal.key: subtotal.label for subtotal in page.summary["by_agent"]}
            series_label = names.get
        else:
            series_label = lambda status: str(AgentStatus(status).label)  # noqa: E731
        return {
            "table": table,
            "summary": page.summary,
            "window": filterset.criteria()["window"],
            "chart": stacked_bars(page.summary["chart"], series_label=series_label),
            "stack": stack,
            "restack_link": _link_with(request, stack="status" if stack == "agent" else "agent"),
        }


class RejectionsView(GroupedReportView):
    filterset_class = RejectionsFilterSet
    title = gettext_lazy("Rejections by code")
    slug = "rejections"
    export_header = exports.REJECTIONS_HEADER
    export_cells = staticmethod(exports.rejection_cells)
    export_text_columns = exports.REJECTIONS_TEXT

    def report(self, filterset: FilterSet, *, now: datetime) -> RejectionsReport:
        criteria = filterset.criteria()
        return RejectionsReport(
            agents=None if filterset.selects_everyone() else filterset.qs,
            window=criteria["window"],
            now=now,
            channels=[criteria["channel"]] if criteria["channel"] else (),
            code=criteria["code"],
        )

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        report = self.report(filterset, now=now)
        number, page = _read_page(request, report.page)
        table = RejectionsTable(PrefetchedPage(page), order_by=page.summary["order"] or None)
        table.paginate(page=number, per_page=PER_PAGE)
        return {
            "table": table,
            "summary": page.summary,
            "window": filterset.criteria()["window"],
        }


class StatusChangesView(ReportView):
    filterset_class = StatusChangesFilterSet
    title = gettext_lazy("Agent status change details")
    slug = "status-changes"

    def changes(self, filterset: FilterSet, *, now: datetime):
        criteria = filterset.criteria()
        return status_changes(
            agents=None if filterset.selects_everyone() else filterset.qs,
            window=criteria["window"],
            now=now,
            statuses=[criteria["status"]] if criteria["status"] else (),
            code=criteria["code"],
        )

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        changes = self.changes(filterset, now=now)
        count = changes.count()
        window = filterset.criteria()["window"]
        rows = with_report_columns(changes, now=now, order=_requested_order(request))
        table = StatusChangesTable(
            SelectedQueryset(rows, count),
            zone=window.zone,
            order_by=_requested_order(request) or None,
        )
        last = max(math.ceil(count / PER_PAGE), 1)
        table.paginate(page=min(_requested_page(request), last), per_page=PER_PAGE)
        return {"table": table, "count": count, "window": window}

    def export_file(self, filterset: FilterSet, *, now: datetime) -> exports.Export:
        changes = self.changes(filterset, now=now)
        window = filterset.criteria()["window"]
        return exports.Export(
            name=_file_name(self.slug, filterset.criteria()),
            header=exports.STATUS_CHANGES_HEADER,
            rows=map(
                exports.status_change_cells(window.zone),
                status_change_rows(changes, now=now, order=_requested_order(self.request)),
            ),
            text_columns=exports.STATUS_CHANGES_TEXT,
        )


class LiveView(ReportView):
    filterset_class = LiveFilterSet
    title = gettext_lazy("Live board")
    slug = "live"

    def board(self, filterset: FilterSet):
        criteria = filterset.criteria()
        return live_board(
            agents=filterset.qs,
            statuses=[criteria["status"]] if criteria["status"] else (),
            code=criteria["code"],
            order=_requested_order(self.request),
        )

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        board = self.board(filterset)
        zone = filterset.criteria()["tz"]
        count = board.count()
        table = LiveTable(
            SelectedQueryset(board, count),
            zone=zone,
            now=now,
            order_by=_requested_order(request) or None,
        )
        last = max(math.ceil(count / PER_PAGE), 1)
        table.paginate(page=min(_requested_page(request), last), per_page=PER_PAGE)
        return {
            "table": table,
            "now": now.astimezone(zone),
            "zone": zone,
            "refresh_seconds": LIVE_REFRESH_SECONDS,
        }

    def export_file(self, filterset: FilterSet, *, now: datetime) -> exports.Export:
        zone = filterset.criteria()["tz"]
        return exports.Export(
            name=f"{self.slug}_{now.astimezone(zone):%Y-%m-%dT%H%M}",
            header=exports.LIVE_HEADER,
            rows=map(exports.live_cells(zone, now), self.board(filterset).iterator(2000)),
            text_columns=exports.LIVE_TEXT,
        )


# The index page's list: (view, what it shows).
REPORTS = [
    (StatusChangesView, gettext_lazy("Every status change, with its code and duration.")),
    (TimeByCodeView, gettext_lazy("Time on break and offline by day, agent and code.")),
    (RejectionsView, gettext_lazy("Rejected interactions by day, agent, channel and code.")),
    (LiveView, gettext_lazy("Where every agent is now; refreshes itself.")),
]
