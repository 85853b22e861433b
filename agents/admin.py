"""The administrators' workplace for people: groups, agents, the read-only timeline, API tokens,
and the user accounts (agents/user_admin.py)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from core.admin import (
    CheckedImportExportMixin,
    GuardedHistoryAdmin,
    InUseDeletionMixin,
    PeoplePickersMixin,
)
from core.admin_site import option_label
from core.search import unaccented

from .models import Agent, AgentGroup, ApiToken, StatusEvent
from .resources import AgentGroupResource, AgentResource
from .services import (
    ActionRefused,
    agent_deletion_blockers,
    agent_save,
    agents_lock,
    group_deletion_blockers,
)
from .user_admin import UserAdmin, user_may_manage_account

# Django's own user admin lets whoever changes users grant superuser status.
admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)


class AgentInline(admin.TabularInline):
    """The group's agents with their switch and language. Existing agents join the group through
    the group form's "Add agents"; new agents are made on the Agents page, where the user is
    picked."""

    model = Agent
    fields = ("user", "status_codes_enabled", "language")
    readonly_fields = ("user",)
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            # A table's cells have no <label>: name each control for screen readers.
            field.widget.attrs["aria-label"] = str(field.label)
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


# The group's automatic statuses (docs/concepts.md, "The agent's day"), in their own fieldset.
AUTOMATIC_STATUS_FIELDS = [
    "status_after_rejection",
    "status_after_missed",
    "auto_return_seconds",
    "login_status",
    "login_code",
    "timeout_action",
]


def lock_agents_or_refuse(agent_ids) -> None:
    """Hold these agents' rows until the admin's transaction saves them, or say why not: a
    history import or a live change holding one makes the form wait AGENT_LOCK_TIMEOUT at
    most, then shows the refusal instead of the page hanging (the admin's views run in one
    transaction, so the lock taken here lasts until the save)."""
    try:
        agents_lock(agent_ids=agent_ids)
    except ActionRefused as refused:
        raise ValidationError(refused.detail, code=refused.key) from None


class AgentForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and not self.errors:
            lock_agents_or_refuse([self.instance.pk])
        return cleaned_data


class AgentGroupForm(forms.ModelForm):
    # The admin's own autocomplete, over the agents. Django's autocomplete view asks which
    # relation the picker fills, and accepts only a relation that points to Agent: an event's
    # `agent` is one (the group's reverse `agents` is not accepted).
    add_agents = forms.ModelMultipleChoiceField(
        queryset=Agent.objects.select_related("user", "group"),
        required=False,
        label=_("Add agents"),
        help_text=_(
            "Type a name to find agents; on saving, they move into this group from the one they "
            "are in. Their timelines keep their history, and each move is in the agent's history."
        ),
        widget=AutocompleteSelectMultiple(StatusEvent._meta.get_field("agent"), admin.site),
    )

    class Meta:
        model = AgentGroup
        fields = ["name", "description", "code_list", "supervisors", *AUTOMATIC_STATUS_FIELDS]

    def clean_add_agents(self):
        agents = self.cleaned_data["add_agents"]
        if agents:
            lock_agents_or_refuse([agent.pk for agent in agents])
        return agents


@admin.register(AgentGroup)
class AgentGroupAdmin(
    PeoplePickersMixin, InUseDeletionMixin, CheckedImportExportMixin, GuardedHistoryAdmin
):
    resource_classes = [AgentGroupResource]
    list_display = ("name", "code_list", "agents_count", "enabled_count", "supervisor_names")
    list_filter = ("code_list",)
    list_select_related = ("code_list",)
    search_fields = unaccented("name", "description")
    form = AgentGroupForm
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    autocomplete_fields = ("supervisors",)
    inlines = [AgentInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "login_code":
            # Each choice is labelled with its list's name: read the lists with the codes.
            kwargs["queryset"] = db_field.remote_field.model.objects.select_related("code_list")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        # The group's own fields (whatever the model has), then "Add agents" for those who may
        # change the group.
        fields = [
            name
            for name in flatten_fieldsets(super().get_fieldsets(request, obj))
            if name != "add_agents" and name not in AUTOMATIC_STATUS_FIELDS
        ]
        fieldsets = [
            (None, {"fields": fields}),
            (
                _("Automatic statuses"),
                {
                    "fields": AUTOMATIC_STATUS_FIELDS,
                    "description": _(
                        "What the product does by itself: the status after a rejected or "
                        "missed offer and when it returns to available, the status after "
                        "login, and what ends a status whose code's automatic end is reached."
                    ),
                },
            ),
        ]
        may_edit = (
            self.has_add_permission(request)
            if obj is None
            else self.has_change_permission(request, obj)
        )
        if may_edit:
            fieldsets.append((_("Move agents into this group"), {"fields": ["add_agents"]}))
        return fieldsets

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        moving = [
            agent for agent in form.cleaned_data.get("add_agents", []) if agent.group_id != group.pk
        ]
        if not moving:
            return
        origins = {agent.pk: agent.group.name for agent in moving}
        for agent in moving:
            agent.group = group
            # One history record per agent moved, and the move in their timeline.
            agent_save(agent=agent, changed_by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d agent moved into “%(group)s”: %(agents)s.",
                "%(count)d agents moved into “%(group)s”: %(agents)s.",
                len(moving),
            )
            % {
                "count": len(moving),
                "group": group.name,
                "agents": ", ".join(
                    gettext("%(agent)s from “%(origin)s”")
                    % {"agent": option_label(agent.user), "origin": origins[agent.pk]}
                    for agent in moving
                ),
            },
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                agents_count=Count("agents"),
                enabled_count=Count("agents", filter=Q(agents__status_codes_enabled=True)),
            )
            .prefetch_related("supervisors")
        )

    @admin.display(description=_("agents"), ordering="agents_count")
    def agents_count(self, obj: AgentGroup) -> int:
        return obj.agents_count

    @admin.display(description=_("with status codes"), ordering="enabled_count")
    def enabled_count(self, obj: AgentGroup) -> int:
        return obj.enabled_count

    @admin.display(description=_("supervisors"))
    def supervisor_names(self, obj: AgentGroup) -> str:
        return ", ".join(sorted(option_label(user) for user in obj.supervisors.all()))

    def deletion_blockers(self, objs) -> list[str]:
        return group_deletion_blockers(objs)


@admin.register(Agent)
class AgentAdmin(
    PeoplePickersMixin, InUseDeletionMixin, CheckedImportExportMixin, GuardedHistoryAdmin
):
    resource_classes = [AgentResource]
    list_display = (
        "username",
        "full_name",
        "email",
        "group",
        "status_codes_enabled",
        "language",
    )
    list_filter = ("group", "status_codes_enabled", "language")
    list_select_related = ("user", "group")
    search_fields = unaccented(
        "user__username", "user__first_name", "user__last_name", "user__email"
    )
    form = AgentForm
    fields = ("user", "group", "status_codes_enabled", "language")
    autocomplete_fields = ("user",)
    actions = ["enable_status_codes", "disable_status_codes"]

    def get_queryset(self, request):
        # The autocomplete of the groups' "Add agents" names each agent by their user; the
        # changelist applies its list_select_related only to a queryset that selects none.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_readonly_fields(self, request, obj=None):
        # The timeline belongs to the person: an agent record never changes hands.
        return ("user",) if obj else ()

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, obj: Agent) -> str:
        return obj.user.get_username()

    @admin.display(description=_("name"), ordering="user__last_name")
    def full_name(self, obj: Agent) -> str:
        return obj.user.get_full_name()

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj: Agent) -> str:
        return obj.user.email

    def deletion_blockers(self, objs) -> list[str]:
        return agent_deletion_blockers(objs)

    def save_model(self, request, obj, form, change):
        # A new group is a change point of the agent's timeline (docs/timeline.md); reverting
        # from the history saves here too, so a group brought back is a move like any other.
        agent_save(agent=obj, is_create=not change, changed_by=request.user)

    def history_view(self, request, object_id, extra_context=None):
        return self.account_deleted_response(request, object_id) or super().history_view(
            request, object_id, extra_context
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        return self.account_deleted_response(request, object_id) or super().history_form_view(
            request, object_id, version_id, extra_context
        )

    def account_deleted_response(self, request, object_id) -> HttpResponseRedirect | None:
        """Deleting a user deletes their agent: such an agent's history has no person to bring
        back, and would name nobody. Back to the list, saying so."""
        pk = self.pk_or_404(object_id)
        if Agent.objects.filter(pk=pk).exists():
            return None
        user_id = (
            Agent.history.filter(id=pk)
            .order_by("-history_date")
            .values_list("user_id", flat=True)
            .first()
        )
        if user_id is None or get_user_model().objects.filter(pk=user_id).exists():
            return None
        self.message_user(
            request,
            _(
                "This agent was deleted with their user account: their history cannot bring "
                "them back. Add the person's account, then an agent for it."
            ),
            messages.ERROR,
        )
        return HttpResponseRedirect(reverse("admin:agents_agent_changelist"))

    @admin.action(description=_("Enable status codes"), permissions=["change"])
    def enable_status_codes(self, request, queryset):
        self.set_status_codes_enabled(request, queryset, enabled=True)

    @admin.action(description=_("Disable status codes"), permissions=["change"])
    def disable_status_codes(self, request, queryset):
        self.set_status_codes_enabled(request, queryset, enabled=False)

    def set_status_codes_enabled(self, request, queryset, *, enabled: bool) -> None:
        selected = len(queryset)
        changing = list(queryset.exclude(status_codes_enabled=enabled))
        for agent in changing:
            agent.status_codes_enabled = enabled
        # One UPDATE, and one history record per agent changed (a plain update() would leave
        # the audit history silent).
        bulk_update_with_history(
            changing, Agent, ["status_codes_enabled"], default_user=request.user
        )
        if enabled:
            message = ngettext(
                "Status codes enabled for %(count)d agent.",
                "Status codes enabled for %(count)d agents.",
                len(changing),
            )
        else:
            message = ngettext(
                "Status codes disabled for %(count)d agent.",
                "Status codes disabled for %(count)d agents.",
                len(changing),
            )
        message %= {"count": len(changing)}
        unchanged = selected - len(changing)
        if unchanged:
            message += " " + ngettext(
                "%(count)d was already so.", "%(count)d were already so.", unchanged
            ) % {"count": unchanged}
        self.message_user(request, message, messages.SUCCESS)


class ChangedByOtherFilter(admin.SimpleListFilter):
    """Whether someone other than the agent made the change (a supervisor, an integration). A
    yes/no rather than a list of people: listing who ever changed an event would read the whole
    timeline; the search box finds one person's changes by username."""

    title = _("changed by someone else")
    parameter_name = "changed_by_other"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No, by the agent or the system"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(changed_by__isnull=False)
        if self.value() == "no":
            return queryset.filter(changed_by__isnull=True)
        return queryset


@admin.register(StatusEvent)
class StatusEventAdmin(admin.ModelAdmin):
    """The timeline, read-only for everyone: events are written only by agents.services (live
    changes) and agents.history_import (history files), which chain intervals without overlap
    or gap (agents.timeline.chain)."""

    list_display = (
        "started_at",
        "agent",
        "group",
        "kind",
        "status",
        "channel",
        "code",
        "ended_at",
        "previous_status",
        "system_reason",
        "source",
        "changed_by",
    )
    list_filter = (
        "kind",
        "status",
        "channel",
        "source",
        "system_reason",
        ChangedByOtherFilter,
        "started_at",
        # The group at the time (docs/timeline.md): an agent moved since keeps their past there.
        "group",
    )
    list_select_related = ("agent__user", "group", "code__code_list", "changed_by")
    # The agent, the code, or who changed it (a supervisor's or an integration's username).
    search_fields = ("agent__user__username", "code__code", "changed_by__username")
    search_help_text = _("An agent's username, a code's key, or the username of who changed it.")
    date_hierarchy = "started_at"
    ordering = ("-started_at",)
    # Counting a table of millions of events for "N total" on every page is not worth it.
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RevokedFilter(admin.SimpleListFilter):
    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("yes", _("Revoked")), ("no", _("Not revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(PeoplePickersMixin, admin.ModelAdmin):
    """Tokens for integrations. The key is shown once, when the token is created; only its
    prefix (to recognise it) and its SHA-256 hash are stored."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (RevokedFilter,)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        editor = request.user

        class TokenForm(form):
            def clean_user(self):
                # A token acts as its user: handing one out for an account above the editor
                # would be a way up, as changing that account would be (agents/user_admin.py).
                account = self.cleaned_data["user"]
                if not user_may_manage_account(user=editor, account=account):
                    raise forms.ValidationError(
                        gettext(
                            "Only a superuser may create a token for “%(user)s”, who holds "
                            "permissions you do not have."
                        )
                        % {"user": account.get_username()}
                    )
                return account

        return TokenForm

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key = obj.set_new_key()
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            format_html(
                gettext(
                    "The key of “{}” is <code class='api-token-key'>{}</code>. Copy it now: it "
                    "is not stored and will not be shown again."
                ),
                obj.name,
                key,
            ),
            messages.SUCCESS,
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
