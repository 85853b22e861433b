"""The webhooks in the admin (docs/integrations.md, "In the admin"): endpoints, whose secret is
shown once (on creation and on rotation), and deliveries with every attempt, replayable."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import InUseDeletionMixin

from .choices import EventType
from .models import Delivery, DeliveryAttempt, WebhookEndpoint
from .services import (
    deliveries_replay,
    endpoint_deletion_blockers,
    endpoint_rotate_secret,
    endpoint_set_new_secret,
)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=WebhookEndpoint._meta.get_field("url").help_text,
    )
    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The event types this endpoint receives."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "event_types", "active")


def show_secret_once(model_admin, request, endpoint: WebhookEndpoint, secret: str) -> None:
    model_admin.message_user(
        request,
        format_html(
            gettext(
                "The secret of “{}” is <code class='webhook-secret'>{}</code>. Copy it into the "
                "receiver now: it will not be shown again."
            ),
            endpoint.url,
            secret,
        ),
        messages.SUCCESS,
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(InUseDeletionMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "description", "types", "active", "created_at", "secret_rotated_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("created_at", "secret_rotated_at")
    actions = ["rotate_secret"]

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "event_types", "active"]
        return fields if obj is None else [*fields, "created_at", "secret_rotated_at"]

    @admin.display(description=_("event types"))
    def types(self, obj):
        return ", ".join(obj.event_types)

    def deletion_blockers(self, objs):
        return endpoint_deletion_blockers(objs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = endpoint_set_new_secret(endpoint=obj)
        super().save_model(request, obj, form, change)
        show_secret_once(self, request, obj, secret)

    @admin.action(
        description=_("Rotate the secret of the selected endpoints"), permissions=["change"]
    )
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            show_secret_once(self, request, endpoint, endpoint_rotate_secret(endpoint=endpoint))


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("at", "status_code", "succeeded", "error", "response_body", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    # The attempts are part of the delivery: whoever sees the delivery sees them.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("feed.view_delivery")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only: the worker writes it; people replay."""

    list_display = (
        "msg_id",
        "event_type",
        "agent",
        "endpoint",
        "state",
        "attempts",
        "next_attempt_at",
        "finished_at",
    )
    list_filter = ("state", "endpoint", "message__type")
    list_select_related = ("message__agent__user", "endpoint")
    search_fields = ("message__msg_id", "message__agent__user__username", "endpoint__url")
    fields = (
        "msg_id",
        "event_type",
        "agent",
        "endpoint",
        "state",
        "attempts",
        "next_attempt_at",
        "finished_at",
        "payload",
    )
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["replay"]
    show_full_result_count = False
    change_form_template = "admin/feed/delivery/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("message__agent__user", "endpoint")

    @admin.display(description=_("message id"), ordering="message__msg_id")
    def msg_id(self, obj):
        return obj.message.msg_id

    @admin.display(description=_("event type"), ordering="message__type")
    def event_type(self, obj):
        return obj.message.type

    @admin.display(description=_("agent"), ordering="message__agent__user__username")
    def agent(self, obj):
        return obj.message.agent

    @admin.display(description=_("payload"))
    def payload(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.message.payload, indent=2))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_replay_permission(self, request):
        return request.user.has_perm("feed.replay_delivery")

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_replay"] = self.has_replay_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description=_("Replay the selected deliveries"), permissions=["replay"])
    def replay(self, request, queryset):
        count = deliveries_replay(deliveries=queryset)
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery is still pending: it was left in its queue.",
                    "%(count)d deliveries are still pending: they were left in their queue.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
