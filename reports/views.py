"""The report pages (docs/reports.md): parse the filters, call the selector, hand the rows to the
table.

Each page exports its whole filtered result with `?_export=csv` or `?_export=xlsx`. Bad filters
are shown on the page (HTTP 200) or, for an export, answered with HTTP 400: the page itself with
its filters marked for a browser, a one-line reason in plain text for a script.
"""

import math
from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django_filters import FilterSet

from agents.selectors import AgentState, agent_by_username
from agents.services import ActionRefused, agent_supervise, user_may_supervise
from core.choices import AgentAction, AgentStatus, SystemReason
from core.doors import note_door
from core.search import strip_accents

from . import exports, live_push
from .charts import MAX_TREND_PERIODS, stacked_bars, trend_columns
from .filters import (
    LAST_TIME_ZONE,
    LiveFilterSet,
    RejectionsFilterSet,
    StatusChangesFilterSet,
    TimeByCodeFilterSet,
)
from .forms import NO_CODE_LABEL, SupervisorActionForm
from .routers import report_reads
from .selectors.agent_code_matrix import AgentCodeMatrix
from .selectors.common import NO_CODE, Report, ReportPage
from .selectors.labels import code_caption
from .selectors.live import LiveBoard, supervisor_actions
from .selectors.rejections import RejectionsReport
from .selectors.scope import (
    agent_choice_label,
    agents_matching,
    code_choice_label,
    codes_matching,
    user_can_view_reports,
)
from .selectors.status_changes import StatusChangesReport
from .selectors.time_by_code import REPORTED_STATUSES, TimeByCodeReport
from .selectors.window import time_zones_common_first
from .tables import (
    LiveCells,
    PrefetchedPage,
    RejectionsCells,
    StatusChangesCells,
    TimeByCodeCells,
    table_for,
)

PER_PAGE = 50
EXPORT_PARAMETER = "_export"
# How often the live board updates itself, in seconds, when changes are not pushed to it (the
# stream is down; static/js/live.js, reports/live_push.py; a link without JS).
LIVE_REFRESH_SECONDS = 15
# While changes are pushed, the rows are still read again this often, for the time in status and
# "Exceeded", which change with the clock and not through an event.
LIVE_KEEP_UP_SECONDS = 60


# Report pages and exports show people's working time on shared workstations: neither the
# browser nor a proxy keeps a copy (Cache-Control: no-store, private).
@method_decorator(never_cache, name="dispatch")
class ReportReaderRequired(LoginRequiredMixin):
    """Anonymous users go to the login page; users who may read no report get 403."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            allowed = user_can_view_reports(user=request.user)
            # The reports door of the page's header (settings.DOORS): the same rule.
            note_door(request, "reports", allowed)
            if not allowed:
                raise PermissionDenied(_("Reports are for supervisors and report readers."))
        return super().dispatch(request, *args, **kwargs)


class ReportIndexView(ReportReaderRequired, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "reports/index.html", {"reports": REPORTS})


class ReportView(ReportReaderRequired, View):
    """A report page: subclasses say which filters, which report they read (`report()`) and
    what the page adds to its table (`page_context()`); the page and the file follow."""

    filterset_class: type[FilterSet]
    title: str
    # The XLSX file's sheet: a short title (Excel allows 31 characters).
    sheet: str
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
                return exports.export_response(
                    self.export_file(filterset, now=now),
                    file_format,
                    asynchronous=isinstance(request, ASGIRequest),
                )
            if not _wants_html(request):
                return refused
        context = {
            "title": self.title,
            "filterset": filterset,
            "export_links": _export_links(request),
        }
        if filterset.is_valid():
            _remember_time_zone(request, filterset)
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

    def export_file(self, filterset: FilterSet, *, now: datetime) -> exports.Export:
        return exports.Export.of(
            self.report(filterset, now=now),
            name=self.file_name(filterset, now=now),
            order=_requested_order(self.request),
            sheet=str(self.sheet),
            zone=_zone_name(filterset),
        )

    def template_name(self) -> str:
        return f"reports/{self.slug.replace('-', '_')}.html"

    def file_name(self, filterset: FilterSet, *, now: datetime) -> str:
        window = filterset.criteria()["window"]
        return f"{self.slug}_{window.date_from}_{window.date_to}"

    def report(self, filterset: FilterSet, *, now: datetime) -> Report:
        raise NotImplementedError

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        raise NotImplementedError


def _remember_time_zone(request: HttpRequest, filterset: FilterSet) -> None:
    """The zone the reader chose, listed first among the common zones from now on."""
    zone = _zone_name(filterset)
    if request.session.get(LAST_TIME_ZONE) != zone:
        request.session[LAST_TIME_ZONE] = zone


def _zone_name(filterset: FilterSet) -> str:
    criteria = filterset.criteria()
    window = criteria.get("window")
    return str(window.zone if window is not None else criteria["tz"])


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
    """The requested page of a report (`read(order, offset, limit)`, a report's `page()`), or
    its last page when the number is past the end; with its number."""
    order = _requested_order(request)
    number = _requested_page(request)
    page = read(order=order, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    last = max(math.ceil(page.count / PER_PAGE), 1)
    if number > last:
        number = last
        page = read(order=order, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    return number, page


def _table(
    cells: type, report: Report, request: HttpRequest, number: int, page: ReportPage, **options
):
    """The page's table over the rows the report read, sorted as the report sorted them."""
    order = report.accepted_order(_requested_order(request))
    table = table_for(report, cells)(PrefetchedPage(page), order_by=order or None, **options)
    table.paginate(page=number, per_page=PER_PAGE)
    return table


def _status_label(status: str) -> str:
    return str(AgentStatus(status).label)


def _code_label(code: tuple[str, str, str]) -> str:
    return code_caption(*code)


# Up to this many agents chosen by name, time by code reads the events, not the daily rollup.
FEW_AGENTS = 20


class TimeByCodeView(ReportView):
    filterset_class = TimeByCodeFilterSet
    title = gettext_lazy("Time on break and offline by code")
    sheet = gettext_lazy("Time by code")
    slug = "time-by-code"

    def report(
        self, filterset: FilterSet, *, now: datetime, rollup: bool = True
    ) -> TimeByCodeReport:
        criteria = filterset.criteria()
        # A few agents chosen by name are read from their events (a few milliseconds): the
        # rollup pays for the statement that finds its days only when many agents are read.
        rollup = rollup and not 0 < filterset.chosen_agents() <= FEW_AGENTS
        return TimeByCodeReport(
            agents=filterset.qs,
            window=criteria["window"],
            now=now,
            granularity=criteria["granularity"],
            statuses=[criteria["status"]] if criteria["status"] else REPORTED_STATUSES,
            code=criteria["code"],
            groups=filterset.event_groups(),
            rollup=rollup,
        )

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        report = self.report(filterset, now=now)
        stack = filterset.criteria()["stack"] or "status"
        trend = filterset.criteria()["trend"] or "status"
        number, page = _read_page(request, partial(report.page, stack=stack, trend=trend))
        if stack == "agent":
            names = {subtotal.key: subtotal.label for subtotal in page.summary["by_agent"]}
            series_label = names.get
        else:
            series_label = _status_label
        return {
            "table": _table(
                TimeByCodeCells,
                report,
                request,
                number,
                page,
                zone=filterset.criteria()["window"].zone,
            ),
            "summary": page.summary,
            "window": filterset.criteria()["window"],
            "chart": stacked_bars(page.summary["chart"], series_label=series_label),
            "trend": trend_columns(
                page.summary["trend"],
                period_labels=report.labels,
                series_label=_code_label if trend == "code" else _status_label,
            ),
            "trend_by": trend,
            "retrend_link": _link_with(request, trend="status" if trend == "code" else "code"),
            "too_many_periods": len(report.periods) > MAX_TREND_PERIODS,
            "stack": stack,
            "restack_link": _link_with(request, stack="status" if stack == "agent" else "agent"),
            "matrix_link": _link_with_path(request, "reports:agent-code-matrix"),
        }


class RejectionsView(ReportView):
    filterset_class = RejectionsFilterSet
    title = gettext_lazy("Rejections by code")
    sheet = gettext_lazy("Rejections by code")
    slug = "rejections"

    def report(self, filterset: FilterSet, *, now: datetime) -> RejectionsReport:
        criteria = filterset.criteria()
        return RejectionsReport(
            agents=None if filterset.selects_everyone() else filterset.qs,
            window=criteria["window"],
            now=now,
            granularity=criteria["granularity"],
            channels=[criteria["channel"]] if criteria["channel"] else (),
            code=criteria["code"],
            groups=filterset.event_groups(),
        )

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        report = self.report(filterset, now=now)
        number, page = _read_page(request, report.page)
        return {
            "table": _table(RejectionsCells, report, request, number, page),
            "summary": page.summary,
            "window": filterset.criteria()["window"],
        }


class StatusChangesView(ReportView):
    filterset_class = StatusChangesFilterSet
    title = gettext_lazy("Agent status change details")
    sheet = gettext_lazy("Status changes")
    slug = "status-changes"

    def report(self, filterset: FilterSet, *, now: datetime) -> StatusChangesReport:
        criteria = filterset.criteria()
        return StatusChangesReport(
            agents=None if filterset.selects_everyone() else filterset.qs,
            window=criteria["window"],
            now=now,
            statuses=[criteria["status"]] if criteria["status"] else (),
            code=criteria["code"],
            groups=filterset.event_groups(),
        )

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        report = self.report(filterset, now=now)
        number, page = _read_page(request, report.page)
        window = filterset.criteria()["window"]
        table = _table(StatusChangesCells, report, request, number, page, zone=window.zone)
        return {"table": table, "count": page.count, "window": window}


class LiveView(ReportView):
    filterset_class = LiveFilterSet
    title = gettext_lazy("Live board")
    sheet = gettext_lazy("Live board")
    slug = "live"

    def report(self, filterset: FilterSet, *, now: datetime) -> LiveBoard:
        criteria = filterset.criteria()
        return LiveBoard(
            agents=filterset.qs,
            zone=criteria["tz"],
            now=now,
            statuses=[criteria["status"]] if criteria["status"] else (),
            code=criteria["code"],
        )

    def file_name(self, filterset: FilterSet, *, now: datetime) -> str:
        return f"{self.slug}_{now.astimezone(filterset.criteria()['tz']):%Y-%m-%dT%H%M}"

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        report = self.report(filterset, now=now)
        number, page = _read_page(request, report.page)
        zone = report.zone
        actions = supervisor_actions(user=request.user, agent_ids=[row["id"] for row in page.rows])
        table = _table(
            LiveCells, report, request, number, page, zone=zone, now=now, actions=actions
        )
        table.request = request
        return {
            "table": table,
            "now": now.astimezone(zone),
            "zone": zone,
            "refresh_seconds": LIVE_REFRESH_SECONDS,
            "keep_up_seconds": LIVE_KEEP_UP_SECONDS,
            "push_worker_changes": live_push.pushes_worker_changes(),
        }


class AgentCodeMatrixView(TimeByCodeView):
    """Time by code as one row per agent and period and one column per code (docs/reports.md,
    "Agent × code"), with its own CSV and XLSX."""

    title = gettext_lazy("Agent × code: time on break and offline")
    sheet = gettext_lazy("Agent × code")
    slug = "agent-code-matrix"

    def page_context(self, filterset: FilterSet, *, now: datetime, request: HttpRequest) -> dict:
        matrix = AgentCodeMatrix(self.report(filterset, now=now, rollup=False))
        number = _requested_page(request)
        page = matrix.page(offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
        last = max(math.ceil(page.count / PER_PAGE), 1)
        if number > last:
            number = last
            page = matrix.page(offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
        return {
            "matrix": page,
            "status_labels": [_status_label(status) for status in page.statuses],
            "column_count": 4 + 2 * len(page.statuses) + len(page.codes),
            "window": filterset.criteria()["window"],
            "pages": {
                "number": number,
                "last": last,
                "previous": _link_with(request, page=str(number - 1)) if number > 1 else None,
                "next": _link_with(request, page=str(number + 1)) if number < last else None,
            },
            "by_code_link": _link_with_path(request, "reports:time-by-code"),
        }

    def export_file(self, filterset: FilterSet, *, now: datetime) -> exports.Export:
        matrix = AgentCodeMatrix(self.report(filterset, now=now, rollup=False))
        codes = matrix.codes()
        header = matrix.export_header(codes)
        return exports.Export(
            name=self.file_name(filterset, now=now),
            header=header,
            rows=matrix.cells(codes),
            text_columns=matrix.text_columns,
            xlsx_kinds=matrix.export_kinds(codes),
            sheet=str(self.sheet),
            zone=_zone_name(filterset),
            totals=matrix.export_totals,
        )


class LiveActionView(ReportReaderRequired, View):
    """A supervisor acts on an agent from the live board (docs/reports.md, "Acting from the live
    board"): the service decides and records; the board says what happened, in full sentences.

    Whoever may not act on the agent (a supervisor of another group, a report reader who
    supervises no group of the agent's) gets 404, as for an agent who does not exist.
    """

    http_method_names = ["post"]

    def handle_no_permission(self) -> HttpResponse:
        # An anonymous visitor (a session that expired) logs in and lands on the board: the
        # action itself is a form, to send again from there.
        return redirect_to_login(
            reverse("reports:live"), self.get_login_url(), self.get_redirect_field_name()
        )

    def post(self, request: HttpRequest, username: str) -> HttpResponse:
        agent = agent_by_username(username=username)
        if agent is None or not user_may_supervise(user=request.user, agent=agent):
            raise Http404
        form = SupervisorActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Nothing was changed: choose one of the board’s actions."))
            return redirect(reverse("reports:live"))
        action, code = form.cleaned_data["action"], form.cleaned_data["code"] or None
        try:
            state = agent_supervise(agent=agent, action=action, code=code, supervisor=request.user)
        except ActionRefused as refusal:
            messages.error(
                request,
                _("Nothing was changed for %(agent)s. %(reason)s")
                % {"agent": username, "reason": refusal.detail},
            )
        else:
            messages.success(request, _supervised_change_message(username, action, state))
        board = reverse("reports:live")
        filters = QueryDict(form.cleaned_data["filters"]).urlencode()
        return redirect(f"{board}?{filters}" if filters else board)


def _reason_label(state: AgentState) -> str:
    if state.code is not None:
        return state.code.label
    return str(SystemReason(state.system_reason).label) if state.system_reason else ""


def _supervised_change_message(username: str, action: str, state: AgentState) -> str:
    """What the supervisor's change did, as a sentence in the reader's language."""
    if state.deferred:
        return _(
            "%(agent)s is on an interaction: “%(action)s” will apply when it and its wrap-up end."
        ) % {"agent": username, "action": AgentAction(action).label}
    sentences = {
        AgentStatus.AVAILABLE: _("%(agent)s is now available."),
        AgentStatus.ON_BREAK: _("%(agent)s is now on break (%(reason)s)."),
        AgentStatus.WORK_OFFLINE: _("%(agent)s is now working offline (%(reason)s)."),
        AgentStatus.LOGGED_OUT: _("%(agent)s is now logged out (%(reason)s)."),
    }
    sentence = sentences.get(state.status, _("%(agent)s is now “%(status)s”."))
    return sentence % {
        "agent": username,
        "reason": _reason_label(state),
        "status": AgentStatus(state.status).label,
    }


class LiveStreamView(ReportReaderRequired, View):
    """The live board's pushed changes (Server-Sent Events), for the same readers as the board;
    each reader hears only of the agents they may see (reports/live_push.py)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return live_push.stream_response(request)


# The index page's list: (view, what it shows).
REPORTS = [
    (StatusChangesView, gettext_lazy("Every status change, with its code and duration.")),
    (TimeByCodeView, gettext_lazy("Time on break and offline by day, agent and code.")),
    (
        AgentCodeMatrixView,
        gettext_lazy("One row per agent, one column per code, with the share of logged-in time."),
    ),
    (RejectionsView, gettext_lazy("Rejected interactions by day, agent, channel and code.")),
    (LiveView, gettext_lazy("Where every agent is now; refreshes itself.")),
]


def _link_with_path(request: HttpRequest, url_name: str) -> str:
    """Another report's URL with this page's filters (not its page number or sort)."""
    query = request.GET.copy()
    for name in ("page", "sort", EXPORT_PARAMETER):
        query.pop(name, None)
    return f"{reverse(url_name)}?{query.urlencode()}"


# --- the pickers' searches (Select2's JSON: results, and whether more follow) ----------------

PICKER_PAGE = 20


class AgentSearchView(ReportReaderRequired, View):
    """The agents in the reader's scope matching `term`, 20 at a time (`page`)."""

    def get(self, request: HttpRequest) -> JsonResponse:
        number = _requested_page(request)
        term = request.GET.get("term", "")[:100]
        start = (number - 1) * PICKER_PAGE
        agents = list(
            agents_matching(user=request.user, term=term)[start : start + PICKER_PAGE + 1]
        )
        results = [
            {"id": str(agent.pk), "text": agent_choice_label(agent)}
            for agent in agents[:PICKER_PAGE]
        ]
        return JsonResponse({"results": results, "pagination": {"more": len(agents) > PICKER_PAGE}})


class CodeSearchView(ReportReaderRequired, View):
    """The codes of the reader's lists matching `term`, 20 at a time (`page`); "(no code)" first
    on the first page when it matches too."""

    def get(self, request: HttpRequest) -> JsonResponse:
        number = _requested_page(request)
        term = request.GET.get("term", "")[:100]
        start = (number - 1) * PICKER_PAGE
        codes = list(codes_matching(user=request.user, term=term)[start : start + PICKER_PAGE + 1])
        results = [
            {"id": str(code.pk), "text": code_choice_label(code)} for code in codes[:PICKER_PAGE]
        ]
        no_code = str(NO_CODE_LABEL)
        if number == 1 and _holds_every_word(no_code, term):
            results.insert(0, {"id": NO_CODE, "text": no_code})
        return JsonResponse({"results": results, "pagination": {"more": len(codes) > PICKER_PAGE}})


def _holds_every_word(text: str, term: str) -> bool:
    """Whether `text` holds every word of `term`, whatever the accents and letter case (as the
    pickers' searches in the database)."""
    folded = strip_accents(text).casefold()
    return all(strip_accents(word).casefold() in folded for word in term.split())


class TimeZoneSearchView(ReportReaderRequired, View):
    """The zone names matching `term`, the common ones first (as a group of their own)."""

    def get(self, request: HttpRequest) -> JsonResponse:
        common, rest = time_zones_common_first(
            preferred=[request.session.get(LAST_TIME_ZONE, "")],
            term=request.GET.get("term", "")[:100],
        )
        groups = [
            (_("Common time zones"), common),
            (_("All time zones"), rest),
        ]
        results = [
            {"text": label, "children": [{"id": name, "text": name} for name in names]}
            for label, names in groups
            if names
        ]
        return JsonResponse({"results": results, "pagination": {"more": False}})
