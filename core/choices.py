"""The vocabulary: the stable keys of statuses, actions, channels, event kinds and sources, and
the maps between them (docs/concepts.md, "Vocabulary")."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgentStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    BUSY = "busy", _("Busy")
    POST_PROCESSING = "post_processing", _("Post-processing")
    ON_BREAK = "on_break", _("On break")
    WORK_OFFLINE = "work_offline", _("Work offline")
    LOGGED_OUT = "logged_out", _("Logged out")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    VOICEMAIL = "voicemail", _("Voicemail")


class AgentAction(models.TextChoices):
    LOGIN = "login", _("Log in")
    GO_AVAILABLE = "go_available", _("Go available")
    TAKE_BREAK = "take_break", _("Take break")
    # The action's label reads like the status's in English, not in every language (Spanish:
    # the action "Trabajar sin conexión", the status "Trabajo sin conexión").
    WORK_OFFLINE = "work_offline", pgettext_lazy("agent action", "Work offline")
    LOGOUT = "logout", _("Log out")
    REJECT_PHONE = "reject_phone", _("Reject phone")
    REJECT_CHAT = "reject_chat", _("Reject chat")
    REJECT_EMAIL = "reject_email", _("Reject email")
    REJECT_VOICEMAIL = "reject_voicemail", _("Reject voicemail")


class EventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    REJECTION = "rejection", _("Rejection")


class EventSource(models.TextChoices):
    CONSOLE = "console", _("Agent console")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("History import")
    SYSTEM = "system", _("System (integration)")
    SUPERVISOR = "supervisor", _("Supervisor")
    DEMO = "demo", _("Demo data")
    # Not a status change: the agent moved to another group and their ongoing interval goes on
    # there (docs/timeline.md, "The group at the time").
    GROUP_MOVE = "group_move", _("Group change")


class SystemReason(models.TextChoices):
    """Reasons the product itself records where an agent would give a code (docs/concepts.md,
    "System reasons"): they belong to no list."""

    MISSED = "missed", _("Missed offer")
    TIMEOUT = "timeout", _("Timed out")
    SUPERVISOR = "supervisor", _("Changed by a supervisor")


class AutomaticStatus(models.TextChoices):
    """The statuses a group may put its agents in by itself: after a rejection, after a missed
    offer, after login."""

    AVAILABLE = "available", _("Available")
    ON_BREAK = "on_break", _("On break")
    WORK_OFFLINE = "work_offline", _("Work offline")


class TimeoutAction(models.TextChoices):
    """What a group's safety net does to an interval that lasted its code's auto_end_minutes."""

    LOGOUT = "logout", _("Log out")
    GO_AVAILABLE = "go_available", _("Go available")


class OfferState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    MISSED = "missed", _("Missed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Timer(models.TextChoices):
    """What ends an interval by itself at its due instant (docs/worker.md)."""

    AUTO_RETURN = "auto_return", _("Automatic return to available")
    SAFETY_NET = "safety_net", _("Safety net (code's automatic end)")


# The status each status-changing action leads to.
ACTION_TARGET_STATUS: dict[str, str] = {
    AgentAction.LOGIN: AgentStatus.AVAILABLE,
    AgentAction.GO_AVAILABLE: AgentStatus.AVAILABLE,
    AgentAction.TAKE_BREAK: AgentStatus.ON_BREAK,
    AgentAction.WORK_OFFLINE: AgentStatus.WORK_OFFLINE,
    AgentAction.LOGOUT: AgentStatus.LOGGED_OUT,
}

# The status the agent is in while carrying a code chosen for this action.
STATUS_OF_CODED_ACTION: dict[str, str] = {
    AgentAction.TAKE_BREAK: AgentStatus.ON_BREAK,
    AgentAction.WORK_OFFLINE: AgentStatus.WORK_OFFLINE,
    AgentAction.LOGOUT: AgentStatus.LOGGED_OUT,
}

REJECTION_ACTION_OF_CHANNEL: dict[str, str] = {
    Channel.PHONE: AgentAction.REJECT_PHONE,
    Channel.CHAT: AgentAction.REJECT_CHAT,
    Channel.EMAIL: AgentAction.REJECT_EMAIL,
    Channel.VOICEMAIL: AgentAction.REJECT_VOICEMAIL,
}
CHANNEL_OF_REJECTION_ACTION: dict[str, str] = {v: k for k, v in REJECTION_ACTION_OF_CHANNEL.items()}

# The action whose code an automatic status carries (status after login: the code must apply).
CODED_ACTION_OF_STATUS: dict[str, str] = {v: k for k, v in STATUS_OF_CODED_ACTION.items()}

# The actions that can be asked while busy or in wrap-up and applied when the agent would
# become available again (docs/concepts.md, "Pending change").
DEFERRABLE_ACTIONS: tuple[str, ...] = (
    AgentAction.TAKE_BREAK,
    AgentAction.WORK_OFFLINE,
    AgentAction.LOGOUT,
)

# The actions that can carry a status code (docs/concepts.md, "Actions").
CODED_ACTIONS: tuple[str, ...] = (
    AgentAction.TAKE_BREAK,
    AgentAction.WORK_OFFLINE,
    AgentAction.LOGOUT,
    AgentAction.REJECT_PHONE,
    AgentAction.REJECT_CHAT,
    AgentAction.REJECT_EMAIL,
    AgentAction.REJECT_VOICEMAIL,
)
