"""Which network addresses a fetch may reach: public ones, and networks a user allows.

Shared by the crawler and `fakewatch classify URL`, so both refuse the same addresses.
"""

from __future__ import annotations

import ipaddress
import socket

NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def effective_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address a connection really reaches: an IPv6 address that carries an IPv4 one
    (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is
    judged by that IPv4 address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64_PREFIX or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public_address(address: str) -> bool:
    """True for globally routable addresses; private, loopback, link-local and metadata are not."""
    ip = effective_address(address)
    return ip.is_global and not ip.is_multicast


def address_allowed(address: str, allowed: tuple[str, ...] = ()) -> bool:
    """True for a public address, or one (by its effective IPv4, if any) in `allowed` networks."""
    if is_public_address(address):
        return True
    ip = effective_address(address)
    return any(
        ip.version == net.version and ip in net for net in map(ipaddress.ip_network, allowed)
    )


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def allowed_networks(spec: bool | str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Networks a source may reach beyond public ones: true means all, a list names CIDRs."""
    if spec is True:
        return ("0.0.0.0/0", "::/0")
    if spec is False:
        return ()
    items = [spec] if isinstance(spec, str) else list(spec)
    return tuple(str(ipaddress.ip_network(item, strict=False)) for item in items)
