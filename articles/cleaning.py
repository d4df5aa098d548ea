"""Text cleaning: formatting artefacts out of stored article text, and out of a model's input.

`clean_text` is what the crawler stores and what corpus cleanup applies to training rows, so
both hold text of one shape. `clean_formatting` is the models' first preprocessing step: it
also drops URLs and all tags and straightens quotes, for scoring only.
"""

from __future__ import annotations

import html
import re
import unicodedata

ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Only real HTML element names: "<config files>" in a programming article is text, not markup.
STRAY_TAG = re.compile(
    r"</?(?:a|abbr|b|blockquote|br|code|dd|div|dl|dt|em|figcaption|figure|font|h[1-6]|hr|i|"
    r"iframe|img|li|nav|noscript|ol|p|picture|pre|q|s|script|section|small|source|span|strong|"
    r"style|sub|sup|table|tbody|td|th|thead|tr|u|ul)(?:\s[^<>]{0,300})?/?>",
    re.IGNORECASE,
)
ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
INLINE_SPACE = re.compile(r"[^\S\n]+")
PARAGRAPH_BREAK = re.compile(r"\n\s*")


def clean_text(text: str) -> str:
    """Remove formatting artefacts; paragraphs are kept, separated by one blank line."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = ZERO_WIDTH.sub("", CONTROL.sub("", text))
    if "<" in text:
        text = STRAY_TAG.sub(" ", text)
    if "&" in text and ENTITY.search(text):
        text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (INLINE_SPACE.sub(" ", line).strip() for line in PARAGRAPH_BREAK.split(text))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def clean_line(text: str | None) -> str | None:
    """A one-line field (title, author name): no control or invisible characters (terminal
    escapes, NUL), whitespace runs as one space; None when nothing is left."""
    if not text:
        return None
    text = ZERO_WIDTH.sub("", CONTROL.sub("", unicodedata.normalize("NFC", text)))
    return " ".join(text.split()) or None


# One pass removes tags, URLs and invisible control characters.
_MARKUP = re.compile(
    r"<[^>]{1,200}>|(?:https?://|www\.)\S+"
    r"|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\ufeff]",
    re.IGNORECASE,
)
_QUOTES = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'))


def clean_formatting(text: str, *, collapse_spaces: bool = True) -> str:
    """Undo HTML escapes and tags, drop URLs and control characters, normalise quotes."""
    if "&" in text:
        text = html.unescape(text)
    text = _MARKUP.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        for curly, straight in _QUOTES:
            text = text.replace(curly, straight)
    return " ".join(text.split()) if collapse_spaces else text
