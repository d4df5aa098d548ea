"""Content fingerprints: the same story under two URLs hashes the same after normalisation."""

from __future__ import annotations

import hashlib
import re
import unicodedata

NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalised_text(text: str) -> str:
    """Lower-case words only: punctuation, spacing and Unicode forms do not matter."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return NON_WORD.sub(" ", folded).strip()


def content_hash(text: str) -> str | None:
    """SHA-256 of the normalised text, or None when there is no text to compare."""
    normal = normalised_text(text)
    if not normal:
        return None
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
