"""The site's own pages: the home page, which leads each user to their own door."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .doors import Doors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Agents to their console, report readers to the reports, other staff to the admin."""
    door = Doors(request.user).home
    if door is None:
        raise PermissionDenied(
            _("Your account opens no page yet. An administrator can make you an agent.")
        )
    return redirect(door.url)
