"""The doors of the site (docs/security.md, "The doors and who passes each"), as the header, the
home page and the error pages show them: the console to agents, the reports to their readers,
the admin to staff.

Who passes the console and the reports is those apps' rule; `settings.DOORS` names each rule by
its dotted path (as settings name the reports' database router), so this module imports no app.
Each door is asked at most once per request, and only when a page shows it.
"""

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Door:
    key: str
    label: str
    url: str


class Doors:
    """The doors `user` may pass, in the header's order; `home` is the first of them (their
    own door), or the login page for someone not logged in."""

    def __init__(
        self, user: AbstractBaseUser | AnonymousUser, *, known: dict[str, bool] | None = None
    ) -> None:
        self.user = user
        # Doors already asked during the request (`note_door`): not asked again.
        for key, passes in (known or {}).items():
            self.__dict__[key] = passes

    def passes(self, key: str) -> bool:
        if not self.user.is_authenticated:
            return False
        if key == "admin":
            return self.user.is_active and self.user.is_staff
        return bool(import_string(settings.DOORS[key])(user=self.user))

    @cached_property
    def console(self) -> bool:
        return self.passes("console")

    @cached_property
    def reports(self) -> bool:
        return self.passes("reports")

    @cached_property
    def admin(self) -> bool:
        return self.passes("admin")

    @cached_property
    def open(self) -> list[Door]:
        doors = [
            Door("console", _("Console"), reverse("console:home")),
            Door("reports", _("Reports"), reverse("reports:index")),
            Door("admin", _("Admin"), reverse("admin:index")),
        ]
        return [door for door in doors if getattr(self, door.key)]

    @cached_property
    def home(self) -> Door | None:
        return self.open[0] if self.open else None


def note_door(request, key: str, passes: bool) -> None:
    """Whether the request's user passes door `key`, as a view found by that door's own rule
    (`settings.DOORS`): the header then does not ask the database again."""
    request.doors_known = {**getattr(request, "doors_known", {}), key: passes}


def doors(request) -> dict:
    """Context processor: `doors`, read lazily by the templates that show them."""
    user = getattr(request, "user", None) or AnonymousUser()
    return {"doors": Doors(user, known=getattr(request, "doors_known", None))}
