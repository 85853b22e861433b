"""Import and export of agent groups and agents (docs/imports.md), for the admin and
`manage.py import`."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from core.importing.cells import cell_text
from core.importing.resources import ConfigurationResource
from core.importing.widgets import (
    ByNameWidget,
    ChoiceWidget,
    KeyListWidget,
    TextWidget,
    YesNoWidget,
)
from statuscodes.models import StatusCodeList

from .models import Agent, AgentGroup
from .services import ActionRefused, agent_save

User = get_user_model()


class AgentGroupResource(ConfigurationResource):
    """One row per agent group, identified by its name; `supervisors` is `;`-separated."""

    name = Field(
        attribute="name",
        column_name="name",
        widget=TextWidget(required=True, required_message=_("Give the group's name.")),
    )
    code_list = Field(
        attribute="code_list",
        column_name="code_list",
        widget=ByNameWidget(StatusCodeList, noun=_("status code list"), required=False),
    )
    supervisors = Field(
        attribute="supervisors",
        column_name="supervisors",
        widget=KeyListWidget(
            User, field=User.USERNAME_FIELD, noun_plural=_("supervisor usernames")
        ),
    )

    class Meta(ConfigurationResource.Meta):
        model = AgentGroup
        fields = ("name", "code_list", "supervisors")
        import_id_fields = ("name",)
        name = "Agent groups"

    def get_queryset(self):
        return (
            AgentGroup.objects.select_related("code_list")
            .prefetch_related("supervisors")
            .order_by("name")
        )

    def get_instance(self, instance_loader, row):
        return (
            AgentGroup.objects.select_related("code_list")
            .filter(name=cell_text(row.get("name")))
            .first()
        )


class EmailWidget(TextWidget):
    """An email address as Django stores it (domain in lower case), so re-imports match."""

    def clean(self, value, row=None, **kwargs):
        return BaseUserManager.normalize_email(super().clean(value, row=row, **kwargs))


def username_of(row) -> str:
    """The row's username as Django stores it (NFKC-normalised, so "ﬁona" is "fiona")."""
    return User.normalize_username(cell_text(row.get("username")))


class UsernameWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return User.normalize_username(super().clean(value, row=row, **kwargs))


def configured_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def primary_language() -> str:
    return settings.LANGUAGE_CODE


class AgentResource(ConfigurationResource):
    """One row per agent, identified by username; the Django user is created when missing.

    A created user gets an unusable password: the administrator sets one in the admin (or
    the user signs in through SSO). The email of a staff or superuser account is never
    changed by an import, so that an import cannot redirect an administrator's password reset.
    """

    username = Field(
        attribute="user__username",
        column_name="username",
        widget=UsernameWidget(required=True, required_message=_("Give the agent's username.")),
    )
    first_name = Field(attribute="user__first_name", column_name="first_name", widget=TextWidget())
    last_name = Field(attribute="user__last_name", column_name="last_name", widget=TextWidget())
    email = Field(attribute="user__email", column_name="email", widget=EmailWidget())
    group = Field(
        attribute="group",
        column_name="group",
        widget=ByNameWidget(AgentGroup, noun=_("agent group"), required=True),
    )
    status_codes_enabled = Field(
        attribute="status_codes_enabled",
        column_name="status_codes_enabled",
        widget=YesNoWidget(default=True),
    )
    language = Field(
        attribute="language",
        column_name="language",
        widget=ChoiceWidget(
            choices=configured_languages, default=primary_language, noun=_("Language")
        ),
    )

    class Meta(ConfigurationResource.Meta):
        model = Agent
        fields = (
            "username",
            "first_name",
            "last_name",
            "email",
            "group",
            "status_codes_enabled",
            "language",
        )
        import_id_fields = ("username",)
        name = "Agents"

    def get_queryset(self):
        return Agent.objects.select_related("user", "group").order_by("user__username")

    def row_identity(self, row) -> tuple[str, ...] | None:
        return (username_of(row),) if username_of(row) else None

    def get_instance(self, instance_loader, row):
        return (
            Agent.objects.select_related("user", "group")
            .filter(user__username=username_of(row))
            .first()
        )

    def init_instance(self, row=None):
        """A new agent, for the existing user of that username or a new one."""
        username = username_of(row) if row else ""
        user = User.objects.filter(username=username).first() if username else None
        if user is None:
            user = User(username=username)
            user.set_unusable_password()
        return Agent(user=user)

    def full_clean_instance(self, instance, *, exclude: set[str]) -> None:
        """Validate the user (username, email, names) and the agent, as the admin would."""
        user = instance.user
        errors: dict = {}
        user_exclude = {"password", "last_login", "date_joined"} | {
            name.removeprefix("user__") for name in exclude if name.startswith("user__")
        }
        try:
            user.full_clean(exclude=user_exclude)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors[key if key == NON_FIELD_ERRORS else f"user__{key}"] = messages
        if "user__email" not in exclude and "user__email" not in errors:
            self.check_staff_email_unchanged(user, errors)
        # A new user has no id yet; it is saved just before the agent.
        agent_exclude = exclude | ({"user"} if user.pk is None else set())
        try:
            instance.full_clean(exclude=agent_exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def check_staff_email_unchanged(user, errors: dict) -> None:
        if user.pk is None or not (user.is_staff or user.is_superuser):
            return
        stored = User.objects.filter(pk=user.pk).values_list("email", flat=True).first()
        if stored != user.email:
            errors["user__email"] = [
                _(
                    "“%(username)s” is a staff account: change its email address in the "
                    "users admin, not by import."
                )
                % {"username": user.get_username()}
            ]

    def do_instance_save(self, instance, is_create):
        user = instance.user
        if user.pk is None:
            user.save()
        else:
            user.save(update_fields=["first_name", "last_name", "email"])
        # Only a change of the agent's own columns makes an entry in its audit history.
        unchanged = (
            not is_create
            and Agent.objects.filter(
                pk=instance.pk,
                group_id=instance.group_id,
                status_codes_enabled=instance.status_codes_enabled,
                language=instance.language,
            ).exists()
        )
        if not unchanged:
            # A new group is a change point of the agent's timeline (docs/timeline.md).
            try:
                agent_save(agent=instance, is_create=is_create)
            except ActionRefused as refused:
                # The agent is locked by a history import or a live change: the row's error.
                raise ValidationError(refused.detail, code=refused.key) from None
