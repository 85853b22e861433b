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
    DEMO = "demo", _("Demo data")


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
