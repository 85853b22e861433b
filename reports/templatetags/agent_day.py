"""Links to an agent's day (docs/reports.md, "An agent's day") from the report rows and
templates: `{% load agent_day %}{% agent_day_url username day zone %}`."""

from datetime import date
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def agent_day_url(username: str, day: date, zone: ZoneInfo) -> str:
    """The page of `username`'s local date `day` in `zone`."""
    query = urlencode({"date": day.isoformat(), "tz": zone.key})
    return f"{reverse('reports:agent-day', args=[username])}?{query}"
