"""URL rules: canonical article URLs for dedup, and which addresses a crawl may reach."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from common.addresses import address_allowed, resolve_addresses
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
