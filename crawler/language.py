"""Language identification of article text with py3langid (a trained n-gram classifier)."""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LOGGER = logging.getLogger(__name__)

# The classifier's cost grows with the text; a few thousand characters decide any article.
MAX_CHARS = 3000
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
MIN_LETTERS = 3


@cache
def _identifier() -> LanguageIdentifier:
    """The py3langid model with probabilities normalised to 0..1, loaded once."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """The text's ISO 639-1 code and the classifier's confidence, or (None, 0.0) without text."""
    return _classify(text[:MAX_CHARS] if text else "")


# Extraction and the cleanup rules both ask about the same text: answer the second time free.
@lru_cache(maxsize=64)
def _classify(sample: str) -> tuple[str | None, float]:
    if (
        len(LETTERS.findall(sample[:200])) < MIN_LETTERS
        and len(LETTERS.findall(sample)) < MIN_LETTERS
    ):
        return None, 0.0
    try:
        code, confidence = _identifier().classify(sample)
    except Exception:  # the model never should, but a crawl must not stop on it
        LOGGER.warning("language identification failed", exc_info=True)
        return None, 0.0
    return str(code), float(confidence)
