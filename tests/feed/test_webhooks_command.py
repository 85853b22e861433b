"""`manage.py webhooks add URL [--events …]` and `manage.py webhooks list`."""

import io

import pytest
from django.core.management import CommandError, call_command
from standardwebhooks import Webhook

from feed.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("webhooks", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_secret_that_signs(settings):
    output = run("add", "http://127.0.0.1:9000/hook", "--events", "agent.status_changed")
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.url == "http://127.0.0.1:9000/hook"
    assert endpoint.event_types == ["agent.status_changed"]
    assert f"Secret (shown once, copy it into the receiver): {endpoint.secret}" in output
    Webhook(endpoint.secret)  # a secret the receivers' library reads


def test_add_without_events_subscribes_to_both():
    run("add", "http://127.0.0.1:9000/hook")
    assert WebhookEndpoint.objects.get().event_types == [
        "agent.status_changed",
        "agent.interaction_rejected",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("http://10.0.0.1/hook",), "url: 10.0.0.1 is a private address"),
        (("ftp://example.com/hook",), "Only http:// and https://"),
        (("https://93.184.215.14/", "--events", "agent.coffee"), "event_types: Choose one or more"),
    ],
)
def test_add_refuses_with_the_reason(settings, args, message):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(CommandError, match=message):
        run("add", *args)
    assert not WebhookEndpoint.objects.exists()


def test_list_shows_the_endpoints_without_secrets():
    assert run("list") == "No webhook endpoints.\n"
    run("add", "http://127.0.0.1:9000/a", "--description", "Wallboard")
    run("add", "http://127.0.0.1:9000/b", "--events", "agent.interaction_rejected")
    WebhookEndpoint.objects.filter(url__endswith="/b").update(active=False)
    output = run("list")
    first, second = WebhookEndpoint.objects.order_by("pk")
    assert output.splitlines() == [
        f"{first.pk}\tactive\thttp://127.0.0.1:9000/a\t"
        "agent.status_changed,agent.interaction_rejected\tWallboard",
        f"{second.pk}\tinactive\thttp://127.0.0.1:9000/b\tagent.interaction_rejected",
    ]
    assert "whsec_" not in output
