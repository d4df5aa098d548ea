"""Language identification of article text with py3langid (a trained n-gram classifier).

One identifier and one set of trust rules serve extraction (which language to record) and
the skip rules (whether an article is foreign to its source), at crawl and training time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import cache, lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LOGGER = logging.getLogger(__name__)

# The classifier's cost grows with the text; a few thousand characters decide any article.
MAX_CHARS = 3000
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
MIN_LETTERS = 3
# Recording a language: from this length and confidence the identifier's verdict is taken
# over the page's declared <html lang>, which templates often get wrong.
RECORD_MIN_CHARS = 40
RECORD_MIN_CONFIDENCE = 0.5
# Skipping an article as foreign is costlier to get wrong: the identifier alone decides only on
# longer texts and surer verdicts; below them the declared language must agree that it is foreign.
SKIP_MIN_CHARS = 200
SKIP_MIN_CONFIDENCE = 0.8


@cache
def _identifier() -> LanguageIdentifier:
    """The py3langid model with probabilities normalised to 0..1, loaded once."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """The text's ISO 639-1 code and the classifier's confidence, or (None, 0.0) without text."""
    return _classify(text[:MAX_CHARS] if text else "")


def recorded_language(text: str, declared: str | None) -> str | None:
    """The language to record for an article: the identified one, or the declared when unsure."""
    if len(text) >= RECORD_MIN_CHARS:
        code, confidence = detect_language(text)
        if code is not None and confidence >= RECORD_MIN_CONFIDENCE:
            return code
    return declared


def foreign_language(text: str, declared: str | None, languages: Sequence[str]) -> str | None:
    """The text's language when it is confidently not one of `languages`, else None."""
    code, confidence = detect_language(text)
    if code in languages:
        return None
    sure = confidence >= SKIP_MIN_CONFIDENCE and len(text) >= SKIP_MIN_CHARS
    if code is not None and sure:
        return code
    # Unsure: foreign only when the page's own declaration also says so.
    if declared is not None and declared not in languages and (code is None or code == declared):
        return declared
    return None


# Extraction and the skip rules both ask about the same text: answer the second time free.
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
