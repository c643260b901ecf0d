"""Which addresses a fetch may connect to: the check that keeps third-party links (feeds, their
entries, redirects) off this machine and its networks.

A host is resolved once (:func:`vet`); every address it resolves to is classified
(:func:`address_class`) and only the addresses that pass are returned, for the caller to
connect to exactly those (no second lookup that a hostile DNS server could answer
differently). Refused: loopback, private (RFC 1918, shared 100.64/10, IPv6 unique-local and
site-local), link-local, multicast, unspecified (0.0.0.0/8, ``::``) and every other address
that is not globally routable ("reserved"). IPv4 inside IPv6 (mapped ``::ffff:a.b.c.d``,
NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) is judged by the IPv4 address it carries.
Numeric host names are read the way the C library reads them (``2130706433``, ``127.1``,
``0x7f.1``, ``0177.0.0.1`` are all 127.0.0.1).

A desk whose sources live on its intranet lists those hosts or networks (``nightly.fetch_allow``):
an allowed host name may resolve to any address, an allowed network admits the addresses in it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.core.errors import RefusedAddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[tuple]]

_PRIVATE = [ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",  # RFC 1918, RFC 6598
    "fc00::/7", "fec0::/10")]                                          # unique/site-local
_UNSPECIFIED_V4 = ipaddress.ip_network("0.0.0.0/8")  # "this network": connects to this host
_NAT64 = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48")]
_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)"
                        r"(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")


def numeric_address(host: str) -> IPAddress | None:
    """The address a numeric host name stands for, or None for a name.

    IPv6 with or without brackets (a zone ``%25eth0`` as in URLs, or ``%eth0``); IPv4 in every
    form ``inet_aton`` accepts: one to four parts, each decimal, octal (leading ``0``) or hex
    (``0x``), the last part filling the remaining bytes (``127.1``, ``2130706433``).
    """
    host = host.strip("[]").replace("%25", "%")
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or len(host) > 64:  # longer: left to the resolver, then checked
        return None
    values = []
    for part in parts:
        value = _inet_aton_part(part)
        if value is None:
            return None
        values.append(value)
    *head, last = values
    if any(v > 255 for v in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    number = 0
    for index, value in enumerate(head):  # leading parts are single bytes, from the top
        number |= value << (8 * (3 - index))
    number |= last
    return ipaddress.IPv4Address(number)


def _inet_aton_part(part: str) -> int | None:
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", part):
        return int(part[2:], 16)
    if re.fullmatch(r"0[0-7]*", part):
        return int(part, 8)
    if re.fullmatch(r"[1-9][0-9]*", part):
        return int(part)
    return None


def address_class(address: IPAddress) -> str | None:
    """Why ``address`` is not fetched (``loopback``, ``private``, ``link-local``, ``multicast``,
    ``unspecified``, ``reserved``), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_class(embedded)
        address = ipaddress.IPv6Address(address.compressed.split("%")[0])  # drop the zone
    if address.is_unspecified or address in _UNSPECIFIED_V4:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if any(address in network for network in _PRIVATE if network.version == address.version):
        return "private"
    if address.is_reserved or not address.is_global:
        return "reserved"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class AllowList:
    """Hosts and networks fetched although they are internal (``nightly.fetch_allow``)."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """Read host names and addresses/CIDR networks.

        Raises:
            ValueError: an entry is neither (a URL, a port, a wildcard, a bad prefix).
        """
        hosts, networks = set(), []
        for entry in entries:
            network = parse_allow_entry(entry)
            if isinstance(network, str):
                hosts.add(network)
            else:
                networks.append(network)
        return cls(frozenset(hosts), tuple(networks))

    def admits(self, host: str, address: IPAddress) -> bool:
        """Whether this host name, or this address, is listed."""
        if normalise_host(host) in self.hosts:
            return True
        plain = address
        if isinstance(address, ipaddress.IPv6Address):
            plain = _embedded_ipv4(address) or ipaddress.IPv6Address(
                address.compressed.split("%")[0])
        return any(plain in network for network in self.networks
                   if network.version == plain.version)


def parse_allow_entry(entry: str) -> str | Network:
    """One ``fetch_allow`` entry: a network (an address is a one-address network) or a
    normalised host name.

    Raises:
        ValueError: neither.
    """
    text = entry.strip()
    if "://" in text:
        raise ValueError(f"{entry!r} is a URL; write the host alone (intranet.example) or a "
                         "network (10.0.0.0/8)")
    if "/" in text or numeric_address(text) is not None:
        try:
            return ipaddress.ip_network(text.strip("[]"), strict=False)
        except ValueError:
            raise ValueError(f"{entry!r} is not a valid network (e.g. 10.0.0.0/8)") from None
    host = normalise_host(text)
    if not _HOST_NAME.match(host):
        raise ValueError(f"{entry!r} is not a host name, an address or a network (CIDR); "
                         "write the host alone, without a scheme, port or wildcard")
    return host


def normalise_host(host: str) -> str:
    """Lower case, no trailing dot, IDNA (ASCII) form where the name is international."""
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def literal_refusal(host: str, allow: AllowList) -> str | None:
    """Why a numeric host is refused, found without a lookup (None for a name, or an address
    that passes)."""
    address = numeric_address(host)
    if address is None:
        return None
    why = address_class(address)
    if why is None or allow.admits(host, address):
        return None
    return _refusal(host, address, why)


def system_resolver(host: str, port: int) -> Sequence[tuple]:
    """``getaddrinfo`` for TCP: ``(family, type, proto, canonname, sockaddr)`` tuples."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)


@dataclass(frozen=True)
class Target:
    """A vetted address to connect to: the socket family and address."""

    family: int
    sockaddr: tuple


def vet(host: str, port: int, allow: AllowList,
        resolver: Resolver = system_resolver) -> list[Target]:
    """Resolve ``host`` once and return the addresses that may be connected to.

    Raises:
        RefusedAddressError: every address is refused (the message names the first one's class).
        OSError: the name does not resolve.
    """
    literal = numeric_address(host)
    if literal is not None:
        family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
        text = host.strip("[]").replace("%25", "%")
        sockaddr = (str(literal), port) if family == socket.AF_INET else (text, port, 0, 0)
        if family == socket.AF_INET6 and "%" in text:
            sockaddr = socket.getaddrinfo(text, port, family, socket.SOCK_STREAM, 0,
                                          socket.AI_NUMERICHOST)[0][4]
        infos = [(family, socket.SOCK_STREAM, 0, "", sockaddr)]
    else:
        infos = list(resolver(host, port))
    passed: list[Target] = []
    refusal: str | None = None
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        why = address_class(address)
        if why is None or allow.admits(host, address):
            target = Target(family, tuple(sockaddr))
            if target not in passed:
                passed.append(target)
        elif refusal is None:
            refusal = _refusal(host, address, why)
    if not passed:
        raise RefusedAddressError(refusal or f"refused: {host} has no IPv4 or IPv6 address")
    return passed


def _refusal(host: str, address: IPAddress, why: str) -> str:
    shown = host.strip("[]")
    if numeric_address(shown) == address and shown == str(address):
        named = shown
    else:
        named = f"{shown} ({address})"
    article = "an" if why[0] in "aeiou" else "a"
    return (f"refused: {named} is {article} {why} address (list the host or network in "
            "nightly.fetch_allow if it is an intranet source)")


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an http(s) URL (a malformed one, ``http://[::1``, is not)."""
    try:
        return urlsplit(value).scheme.lower() in {"http", "https"}
    except ValueError:
        return False
