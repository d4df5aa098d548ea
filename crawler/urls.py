"""URL rules: canonical article URLs for dedup, and which addresses a crawl may reach."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from crawler.errors import UnsafeUrlError

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Query parameters that only track where a reader came from; they never select content.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ocid|cmpid|"
    r"_ga|_gl|ref|ref_src|ref_url|smid|sr_share|at_medium|at_campaign)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, base: str | None = None) -> str:
    """The form of `url` under which an article is stored: one spelling per page.

    UnsafeUrlError when `url` cannot be a URL at all (a port outside 0-65535, a broken IPv6
    literal): one bad link in a listing is then skipped, not the listing.
    """
    if base:
        url = urljoin(base, url)
    parts, port = _split(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port in (None, DEFAULT_PORTS.get(scheme)) else f"[{host}]:{port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING_PARAMS.match(k)
        ]
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    cleaned = urlunsplit((scheme, netloc, path, query, ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def require_http_url(url: str) -> str:
    """Return `url` if it is an absolute http(s) URL with a host, else raise UnsafeUrlError."""
    parts, _ = _split(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeUrlError(f"{url!r} is not an http(s) URL; only http and https are crawled")
    if not parts.hostname:
        raise UnsafeUrlError(f"{url!r} has no host name; give an absolute URL")
    return url


def _split(url: str) -> tuple[SplitResult, int | None]:
    """`url`'s parts and port; UnsafeUrlError when either cannot be read."""
    try:
        parts = urlsplit(url)
        return parts, parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Invalid IPv6 URL"
        raise UnsafeUrlError(f"{url!r} is not a valid URL ({exc})") from None


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


def blocked_address(url: str, allowed: tuple[str, ...] = ()) -> str | None:
    """The first address of `url`'s host that is neither public nor in `allowed` networks."""
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 80)
    for address in resolve_addresses(parts.hostname or "", port):
        if not address_allowed(address, allowed):
            return address
    return None


def host_of(url: str) -> str:
    """The lower-case host name of `url`, without port."""
    return (urlsplit(url).hostname or "").lower()


def in_domains(url: str, domains: tuple[str, ...]) -> bool:
    """True when `url`'s host is one of `domains` or a subdomain of one; no domains allows all."""
    if not domains:
        return True
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)
