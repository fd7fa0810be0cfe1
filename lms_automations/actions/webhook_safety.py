"""Where a webhook may go: public addresses only, unless the operator allows more (SPEC §7.5).

The host name is resolved once, every address is checked, and the connection is then made to the
checked address (with the original Host header and TLS server name), so a DNS answer that changes
between the check and the request cannot send it somewhere private.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

from ..conf import get_setting
from ..engine.errors import PermanentError, TransientError


def _blocked(address):
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global)


def resolve_target(url):
    """``(scheme, hostname, port, address)`` for a URL a webhook may call; raises PermanentError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentError(f"{url!r} is not an http(s) URL")
    hostname = parts.hostname.lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if hostname in {h.lower() for h in get_setting("WEBHOOK_DENIED_HOSTS")}:
        raise PermanentError(f"webhooks to {hostname} are refused (LMS_AUTOMATIONS['WEBHOOK_DENIED_HOSTS'])")
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TransientError(f"cannot resolve {hostname}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    allowed = (get_setting("WEBHOOK_ALLOW_PRIVATE_ADDRESSES")
               or hostname in {h.lower() for h in get_setting("WEBHOOK_ALLOWED_HOSTS")})
    if not allowed:
        blocked = sorted({address for address in addresses if _blocked(address)})
        if blocked:
            raise PermanentError(
                f"webhooks to {hostname} ({', '.join(blocked)}) are refused: private, loopback and link-local "
                "addresses are blocked; allow the host in LMS_AUTOMATIONS['WEBHOOK_ALLOWED_HOSTS'] or set "
                "WEBHOOK_ALLOW_PRIVATE_ADDRESSES")
    return parts.scheme, hostname, port, addresses[0]
