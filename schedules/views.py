"""A reader's own subscriptions (docs/scheduled-reports.md): subscribe from a report page, list
them, delete one. Nobody sees another's subscriptions here; administrators manage everyone's
in the admin."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from reports.views import ReportReaderRequired

from . import catalog, services
from .forms import SubscriptionForm
from .models import ReportSubscription


def _view_class(slug: str):
    try:
        return catalog.subscribable_views()[slug]
    except KeyError:
        raise Http404 from None


class SubscriptionListView(ReportReaderRequired, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        subscriptions = ReportSubscription.objects.filter(owner=request.user).order_by(
            "report", "pk"
        )
        rows = [
            (
                subscription,
                catalog.filter_summary(
                    catalog.report_view_for(
                        slug=subscription.report, owner=request.user, query=subscription.query
                    )[1],
                    subscription.query,
                ),
            )
            for subscription in subscriptions
        ]
        return render(request, "schedules/subscription_list.html", {"rows": rows})


class SubscriptionCreateView(ReportReaderRequired, View):
    """GET: the form, with the page's filters; POST: the subscription, or the form's errors
    (a filter outside the reader's scope is one)."""

    def get(self, request: HttpRequest, report: str) -> HttpResponse:
        query = catalog.kept_query(request.GET)
        form = SubscriptionForm(initial={"query": query, "send_time": "07:00"})
        return self._render(request, report, form, query)

    def post(self, request: HttpRequest, report: str) -> HttpResponse:
        _view_class(report)
        instance = ReportSubscription(
            owner=request.user, report=report, language=translation.get_language()
        )
        form = SubscriptionForm(request.POST, instance=instance)
        if form.is_valid():
            data = form.cleaned_data
            services.subscription_create(
                owner=request.user,
                report=report,
                query=data["query"],
                frequency=data["frequency"],
                weekday=data["weekday"],
                send_time=data["send_time"],
                file_format=data["file_format"],
                language=instance.language,
            )
            messages.success(request, _("Subscribed: the report will arrive by e-mail."))
            return redirect("schedules:list")
        return self._render(request, report, form, request.POST.get("query", ""), status=400)

    def _render(self, request, report, form, query, status=200) -> HttpResponse:
        view_class = _view_class(report)
        _view, filterset = catalog.report_view_for(slug=report, owner=request.user, query=query)
        context = {
            "form": form,
            "report_title": view_class.title,
            "report_slug": report,
            "filters": catalog.filter_summary(filterset, query),
            "has_email": bool(request.user.email),
        }
        return render(request, "schedules/subscription_form.html", context, status=status)


class SubscriptionDeleteView(ReportReaderRequired, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        subscription = get_object_or_404(ReportSubscription, pk=pk, owner=request.user)
        subscription.delete()
        messages.success(request, _("Subscription deleted: that report will not be sent again."))
        return redirect("schedules:list")
