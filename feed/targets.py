"""Where webhooks may be sent (docs/integrations.md, "Which URLs are accepted").

An administrator types the URL, and the server POSTs to it: without these rules the feed could
make the server probe its own network (a cloud's metadata address, a database port). So only
http(s), and only hosts whose every address is public — checked when the endpoint is saved and
again at each connection (DNS may change in between), unless WEBHOOKS_ALLOW_PRIVATE is set.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """A URL or address the feed does not send to; the message says why."""


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` is no place for a webhook, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    kinds = (
        ("is_loopback", _("a loopback address")),
        ("is_link_local", _("a link-local address")),
        ("is_multicast", _("a multicast address")),
        ("is_unspecified", _("an unspecified address")),
        ("is_reserved", _("a reserved address")),
        ("is_private", _("a private address")),
    )
    for attribute, kind in kinds:
        if getattr(address, attribute):
            return kind
    if not address.is_global:
        # Shared address space (100.64.0.0/10) and the like: not reachable from the internet.
        return _("a non-public address")
    return None


def check_url(url: str) -> None:
    """Refuse a URL the feed will not send to (scheme, host, and its addresses)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetRefused(_("Only http:// and https:// URLs can receive webhooks."))
    if not parts.hostname:
        raise TargetRefused(_("The URL has no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused(_("The URL's port is not a number between 0 and 65535.")) from None
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    check_addresses(parts.hostname, port)


def check_addresses(host: str, port: int) -> list[str]:
    """The addresses of `host`, each one public; refused when any is not (or none is found)."""
    addresses = resolve(host, port)
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            refusal = address_refusal(ipaddress.ip_address(address))
            if refusal is not None:
                raise TargetRefused(
                    _("“%(host)s” is %(kind)s (%(address)s): webhooks go to public addresses only.")
                    % {"host": host, "kind": refusal, "address": address}
                    if host != address
                    else _("%(address)s is %(kind)s: webhooks go to public addresses only.")
                    % {"kind": refusal, "address": address}
                )
    return addresses


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a literal address is itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(_("The host “%(host)s” cannot be found.") % {"host": host}) from None
    # Scope ids (fe80::1%eth0) are dropped: the address alone says what it is.
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))
