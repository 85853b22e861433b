"""Which URLs receive webhooks (docs/integrations.md, "Which URLs are accepted"): http(s) on
public addresses only, checked when saved and at each connection, unless allowed."""

import socket

import pytest
from django.core.exceptions import ValidationError

from agents.services import agent_perform_action
from feed.choices import DeliveryState
from feed.models import Delivery, DeliveryAttempt
from feed.services import endpoint_create
from feed.targets import TargetRefused, check_url
from tests.feed.conftest import received

pytestmark = pytest.mark.django_db

REFUSED = [
    ("ftp://hooks.example.com/x", "Only http:// and https://"),
    ("file:///etc/passwd", "Only http:// and https://"),
    ("http:///no-host", "no host"),
    ("http://127.0.0.1/hook", "loopback"),
    ("http://localhost:8000/hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://2130706433/hook", "loopback"),  # 127.0.0.1 spelt as a number
    ("http://10.1.2.3/hook", "private"),
    ("http://192.168.0.10/hook", "private"),
    ("http://172.16.5.4/hook", "private"),
    ("http://[fd00::1]/hook", "private"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),  # cloud metadata
    ("http://[fe80::1]/hook", "link-local"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://240.0.0.1/hook", "reserved"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://100.64.0.1/hook", "non-public"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_a_url_the_feed_does_not_send_to_is_refused_with_the_reason(settings, url, reason):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(TargetRefused, match=reason):
        check_url(url)
    with pytest.raises(ValidationError) as refusal:
        endpoint_create(url=url, event_types=["agent.status_changed"])
    assert reason in " ".join(refusal.value.message_dict["url"])


def test_a_host_that_cannot_be_found_is_refused(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(TargetRefused, match="cannot be found"):
        check_url("https://no-such-host.invalid/hook")


def test_a_public_address_is_accepted(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    check_url("https://93.184.215.14/hook")
    check_url("http://[2606:4700::1111]:8443/hook")


def test_a_host_resolving_to_any_private_address_is_refused(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    def resolves_to_both(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolves_to_both)
    with pytest.raises(TargetRefused, match=r"“hooks.example.com” is a private address"):
        check_url("https://hooks.example.com/hook")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://10.0.0.1/hook"])
def test_private_targets_are_allowed_by_the_setting(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint, _ = endpoint_create(url=url, event_types=["agent.status_changed"])
    assert endpoint.pk


def test_the_scheme_is_checked_even_where_private_targets_are_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(ValidationError):
        endpoint_create(url="gopher://127.0.0.1/hook", event_types=["agent.status_changed"])


def test_unknown_event_types_are_refused():
    with pytest.raises(ValidationError) as refusal:
        endpoint_create(url="http://127.0.0.1/hook", event_types=["agent.coffee"])
    assert "agent.status_changed" in refusal.value.message_dict["event_types"][0]


def test_the_address_is_checked_again_at_delivery(
    settings, httpserver, make_endpoint, ana, deliver
):
    # Saved while allowed (or while its name pointed elsewhere): at delivery, it is refused.
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint()
    agent_perform_action(agent=ana, action="login", source="api")
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    deliver()

    assert received(httpserver) == []
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None
    assert "loopback" in attempt.error
    assert Delivery.objects.get().state == DeliveryState.PENDING


def test_the_connection_itself_refuses_a_name_that_turned_private(
    settings, httpserver, monkeypatch
):
    # DNS answers "public" to the check, then "loopback" when connecting: the connection goes
    # only to an address it checked itself.
    from feed.delivery import http_client

    settings.WEBHOOKS_ALLOW_PRIVATE = False
    httpserver.expect_request("/hook").respond_with_data("ok")
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "hooks.example.com":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    import httpx

    with http_client() as client, pytest.raises(httpx.ConnectError, match="loopback"):
        client.post(f"http://hooks.example.com:{httpserver.port}/hook", content=b"{}")
    assert received(httpserver) == []
