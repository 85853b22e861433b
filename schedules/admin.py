"""Administrators manage every reader's subscriptions (docs/scheduled-reports.md): the filters
are checked in the owner's scope when saved, and what the worker did is shown per period."""

from django.contrib import admin
from django.utils import timezone

from .models import ReportSubscription, SubscriptionRun


class SubscriptionRunInline(admin.TabularInline):
    model = SubscriptionRun
    fields = ("date_from", "date_to", "outcome", "note", "recipient", "created_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-date_from",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "owner",
        "report",
        "frequency",
        "schedule",
        "file_format",
        "active",
        "last_period_end",
        "last_outcome",
    )
    list_filter = ("report", "frequency", "file_format", "active", "last_outcome")
    search_fields = ("owner__username", "owner__first_name", "owner__last_name", "owner__email")
    autocomplete_fields = ("owner",)
    list_select_related = ("owner",)
    fields = (
        "owner",
        "report",
        "query",
        "frequency",
        "weekday",
        "send_time",
        "file_format",
        "language",
        "active",
        "last_period_end",
        "last_outcome",
        "last_note",
    )
    readonly_fields = ("last_period_end", "last_outcome", "last_note")
    inlines = (SubscriptionRunInline,)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.skip_periods_already_due(now=timezone.now())
        super().save_model(request, obj, form, change)
