"""Turn raw page bytes in an unknown or wrong charset into clean text that lxml accepts."""

from __future__ import annotations

import codecs
import logging
import re

import ftfy
from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

LOGGER = logging.getLogger(__name__)

# lxml rejects NULL and C0 control characters (except tab, newline, carriage return).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Tell-tale pairs of UTF-8 read as Windows-1252 or Latin-1: "Ã©", "â€™", "Â ".
MOJIBAKE = re.compile(
    r"[ÃÂ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u203a€™]|â€"
)
# Detectors often name a sibling of Windows-1252 for Western text; browsers read them as 1252.
WESTERN_SINGLE_BYTE = {"latin_1", "iso8859_15", "cp1252", "iso8859_1", "cp1250", "iso8859_2"}
# Detector answers taken as they are: the charsets of other scripts that web pages use.
BELIEVED = {
    "cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp1253", "iso8859_7", "cp1254", "iso8859_9",
    "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp1257", "iso8859_13", "iso8859_4",
    "cp874", "tis_620", "shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb2312", "gbk",
    "gb18030", "big5", "big5hkscs", "cp950", "euc_kr", "cp949", "iso2022_kr", "utf_8",
    "utf_16", "utf_32",
}  # fmt: skip
SNIFF_BYTES = 20_000
# UTF-8 with a few broken sequences (truncated snippets, spliced templates) is still UTF-8.
UTF8_VALID_PER_ERROR = 10
NON_ASCII = re.compile(r"[^\x00-\x7f\ufffd]")


def _codec(name: str | None) -> str | None:
    """Python codec name for a declared or detected charset, or None when unknown."""
    if not name:
        return None
    resolved = resolve_encoding(name)
    if resolved is None:
        return None
    try:
        codec = codecs.lookup(resolved).name
    except LookupError:
        return None
    # WHATWG: a page labelled Latin-1 or ASCII is decoded as Windows-1252.
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec


def _strict(data: bytes, codec: str | None) -> str | None:
    """Decode without replacement characters, or None when the bytes do not fit."""
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """The bytes decoded as UTF-8 when valid multi-byte characters far outnumber broken ones."""
    text = data.decode("utf-8", errors="replace")
    errors = text.count("\ufffd")
    if len(NON_ASCII.findall(text)) >= UTF8_VALID_PER_ERROR * errors:
        return text
    return None


def _detected(data: bytes) -> str | None:
    """The charset a statistical detector proposes for non-UTF-8 bytes."""
    best = from_bytes(data[:SNIFF_BYTES]).best()
    if best is None:
        return None
    return preferred_codec(_codec(best.encoding), data)


def preferred_codec(proposed: str | None, data: bytes) -> str | None:
    """The detector's charset, unless it is a rare code page and Windows-1252 fits the bytes.

    On short pages detectors pick DOS and Mac code pages (cp775 read "Here's" as "HereÆs")
    that the web hardly uses; Windows-1252 is what browsers assume for undeclared Western
    pages. Charsets of other scripts (Cyrillic, Greek, CJK, ...) are kept.
    """
    if proposed is None:
        return None
    name = proposed.replace("-", "_")
    if name in WESTERN_SINGLE_BYTE:
        return "cp1252"
    if name in BELIEVED or _strict(data, "cp1252") is None:
        return proposed
    return "cp1252"


def decode_html(html: str | bytes, header_charset: str | None = None) -> str:
    """Decode page bytes: BOM, then valid UTF-8, then the charset of the HTTP header or the
    page's own declaration where the bytes fit it, then sniffing.

    Headers are often wrong (Windows-1252 bytes labelled UTF-8, UTF-8 labelled UTF-16), so a
    declared charset is only used when the bytes decode under it without error; UTF-16 and
    UTF-32 are believed only with a BOM (almost any even-length bytes "decode" as UTF-16).
    """
    if isinstance(html, str):
        return sanitise(html)
    encoding, bom = read_bom(html)
    if encoding is not None and bom is not None:
        return sanitise(html[len(bom) :].decode(encoding, errors="replace"))
    text = _strict(html, "utf-8") or _mostly_utf8(html)
    if text is None:
        declared = (_codec(header_charset), _codec(html_body_declared_encoding(html[:SNIFF_BYTES])))
        for codec in declared:
            if codec is not None and codec != "utf-8" and not codec.startswith("utf-"):
                text = _strict(html, codec)
                if text is not None:
                    break
    if text is None:
        text = _strict(html, _detected(html))
    if text is None:
        LOGGER.debug("no charset fits the page; decoding as Windows-1252 with replacements")
        text = html.decode("cp1252", errors="replace")
    return sanitise(text)


def sanitise(text: str) -> str:
    """Drop the characters that XML parsers refuse."""
    return CONTROL_CHARS.sub("", text).removeprefix("\ufeff")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252 or Latin-1, when the text shows signs of it."""
    if not text or not MOJIBAKE.search(text):
        return text
    return ftfy.fix_encoding(text)
