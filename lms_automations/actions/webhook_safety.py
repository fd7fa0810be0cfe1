"""Where a webhook may go: public addresses only, unless the operator allows more (SPEC §7.5).

A course team writes webhook URLs, and the LMS runs them from inside the operator's network, so an
unchecked URL would let staff reach the metadata service (169.254.169.254), the database or an admin
port on localhost. ``check_url`` therefore:

- accepts only ``http`` and ``https`` URLs without credentials in them;
- refuses hosts and networks in ``WEBHOOK_DENIED_HOSTS``;
- resolves the host once and refuses it if *any* address is private, loopback, link-local,
  multicast, reserved or unspecified — IPv4 and IPv6, including IPv4 addresses embedded in IPv6
  (``::ffff:10.0.0.1``, 6to4, Teredo, NAT64) — unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` is on or
  the host (or the address's network) is in ``WEBHOOK_ALLOWED_HOSTS``;
- returns the checked address, which the caller connects to, sending the original name in the Host
  header and as the TLS server name: a DNS answer that changes between the check and the request
  (DNS rebinding) cannot send the request anywhere unchecked.

Entries of both host lists are host names (``hooks.example.com``), domains with a leading dot
(``.example.com``: the domain and every subdomain) or IP networks (``10.1.2.0/24``, ``::1``).
"""
import dataclasses
import ipaddress
import re
import socket
from urllib.parse import urlsplit

from ..conf import get_setting
from ..engine.errors import PermanentError, TransientError

DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
HOST_NAME = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")


@dataclasses.dataclass(frozen=True)
class Target:
    """A checked webhook destination: connect to ``sockaddr``, name ``hostname`` in Host and SNI."""

    scheme: str
    hostname: str
    port: int
    path: str
    family: int
    sockaddr: tuple

    @property
    def address(self):
        return self.sockaddr[0]

    @property
    def host_header(self):
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def check_url(url):
    """The ``Target`` a webhook to ``url`` may connect to; raises ``PermanentError`` (refused, saying
    which setting would allow it) or ``TransientError`` (the name does not resolve now)."""
    parts = _split(url)
    hostname = _ascii_host(parts.hostname)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    denied, allowed = HostRules(get_setting("WEBHOOK_DENIED_HOSTS")), HostRules(get_setting("WEBHOOK_ALLOWED_HOSTS"))
    if denied.matches_name(hostname):
        raise PermanentError(f"webhooks to {hostname} are refused by LMS_AUTOMATIONS['WEBHOOK_DENIED_HOSTS']")
    resolved = _resolve(hostname, port)
    addresses = sorted({_address_of(sockaddr) for _family, sockaddr in resolved}, key=str)
    if any(denied.matches_address(address) for address in addresses):
        raise PermanentError(f"webhooks to {hostname} ({', '.join(map(str, addresses))}) are refused by "
                             "LMS_AUTOMATIONS['WEBHOOK_DENIED_HOSTS']")
    if not (get_setting("WEBHOOK_ALLOW_PRIVATE_ADDRESSES") or allowed.matches_name(hostname)):
        blocked = [address for address in addresses if not is_public(address) and not allowed.matches_address(address)]
        if blocked:
            raise PermanentError(
                f"webhooks to {hostname} ({', '.join(map(str, blocked))}) are refused: private, loopback, link-local "
                f"and other non-public addresses are blocked. An operator can allow this host by adding {hostname!r} "
                "to LMS_AUTOMATIONS['WEBHOOK_ALLOWED_HOSTS'] (or allow every private address with "
                "WEBHOOK_ALLOW_PRIVATE_ADDRESSES)")
    family, sockaddr = resolved[0]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, hostname, port, path, family, sockaddr)


def is_public(address):
    """Whether ``address`` is globally reachable, including any IPv4 address embedded in it.

    IPv4-mapped (``::ffff:a.b.c.d``) and NAT64 (``64:ff9b::/96``, what DNS64 answers on IPv6-only
    networks) addresses reach exactly their IPv4 address, so that address alone decides; 6to4 and
    Teredo addresses must be public on both levels.
    """
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])
    if address.version == 6 and (address.ipv4_mapped or address in NAT64):
        return _public(address.ipv4_mapped or ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    candidates = [address]
    if address.version == 6:
        candidates.extend(filter(None, [address.sixtofour, *(address.teredo or ())]))
    return all(_public(candidate) for candidate in candidates)


def _public(ip):
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified or getattr(ip, "is_site_local", False)
    )


class HostRules:
    """One of the operator's host lists: names, ``.domain`` suffixes and IP networks."""

    def __init__(self, entries):
        self.names, self.suffixes, self.networks = set(), [], []
        for entry in entries or ():
            entry = str(entry).strip().lower().rstrip(".")
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith(("*.", ".")):
                self.suffixes.append("." + entry.lstrip("*."))
            else:
                self.names.add(entry)

    def matches_name(self, hostname):
        if hostname in self.names or any(hostname.endswith(suffix) or hostname == suffix[1:]
                                         for suffix in self.suffixes):
            return True
        try:
            return self.matches_address(ipaddress.ip_address(hostname))
        except ValueError:
            return False

    def matches_address(self, address):
        return any(address.version == network.version and address in network for network in self.networks)


def _split(url):
    if not isinstance(url, str) or any(char.isspace() or ord(char) < 32 for char in url):
        raise PermanentError(f"{url!r} is not a valid URL (it contains spaces or control characters)")
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise PermanentError(f"{url!r} is not an http or https URL; webhooks use http:// or https://")
    if "@" in parts.netloc:
        raise PermanentError("put credentials for the webhook in headers, not in the URL")
    try:
        parts.port  # noqa: B018 - urlsplit only checks the port when asked
    except ValueError as exc:
        raise PermanentError(f"{url!r} has an invalid port: {exc}") from None
    if not parts.hostname:
        raise PermanentError(f"{url!r} has no host")
    return parts


def _ascii_host(hostname):
    """The host as DNS, the Host header and TLS see it: an IP literal, or an IDNA-encoded name."""
    try:
        return str(ipaddress.ip_address(hostname))
    except ValueError:
        pass
    try:
        ascii_name = hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise PermanentError(f"{hostname!r} is not a valid host name") from None
    if not HOST_NAME.match(ascii_name):
        raise PermanentError(f"{hostname!r} is not a valid host name")
    return ascii_name


def _resolve(hostname, port):
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise TransientError(f"cannot resolve {hostname}: {exc.strerror or exc}") from exc
    except UnicodeError:
        raise PermanentError(f"{hostname!r} is not a valid host name") from None
    resolved = [(family, sockaddr) for family, _type, _proto, _name, sockaddr in infos
                if family in (socket.AF_INET, socket.AF_INET6)]
    if not resolved:
        raise TransientError(f"{hostname} has no IPv4 or IPv6 address")
    return resolved


def _address_of(sockaddr):
    return ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
