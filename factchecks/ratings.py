"""Fact-checkers' verdicts in six words: false, mostly_false, mixed, mostly_true, true, other.

Fact-checkers write their rating in their own words ("Pants on Fire!", "Barely True",
"Faux", "Missing context") and sometimes as a number on their own scale. The evidence
verdict needs one scale, so the words are mapped by a table of the usual wordings of the
main fact-checkers, the number is read only when the words are unknown, and the original
words are always kept beside the result.

Where a wording is ambiguous the mapping leans away from "false": a "fake" flag built on a
misread rating is worse than no flag, so "misleading" and "missing context" are `mixed`, and
ratings about something other than a claim's truth (satire, flip-flops, unproven) are `other`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

Rating = Literal["false", "mostly_false", "mixed", "mostly_true", "true", "other"]
RATINGS: Final[tuple[Rating, ...]] = (
    "false", "mostly_false", "mixed", "mostly_true", "true", "other",
)  # fmt: skip
# Ratings whose claims an article is "debunked" or "supported" by repeating.
DEBUNKING: Final[frozenset[Rating]] = frozenset({"false", "mostly_false"})
SUPPORTING: Final[frozenset[Rating]] = frozenset({"mostly_true", "true"})

# The usual wordings of each rating, as fact-checkers write them (any case, any accents).
WORDINGS_BY_RATING: Final[dict[Rating, tuple[str, ...]]] = {
    # PolitiFact, Snopes, AFP, Reuters, AP, Full Fact, Lead Stories, Correctiv...
    "false": (
        "false", "pants on fire", "pants fire", "fake", "incorrect", "wrong", "fabricated", "hoax",
        "scam", "altered", "altered photo", "altered video", "doctored", "manipulated",
        "fake news", "baseless", "untrue", "not true", "four pinocchios", "debunked",
        "false claim", "totally false", "completely false", "fiction", "conspiracy theory",
        "made up", "faux", "falso", "falsch", "frei erfunden", "onwaar", "sahte", "falsk", "fałsz",
        "fals", "nepravda", "fake photo", "fake video",
        "bottomless pinocchio", "inaccurate", "manipuliert",
    ),
    # PolitiFact's 'barely true', The Washington Post's three Pinocchios
    "mostly_false": (
        "mostly false", "barely true", "largely false", "mainly false", "three pinocchios",
        "mostly fake", "plutot faux", "mayormente falso", "mostly untrue", "weitgehend falsch",
        "overwegend onwaar", "grosstenteils falsch",
    ),
    # half true, misleading, missing context: not a flag either way
    "mixed": (
        "half true", "half truth", "true but misleading", "manque de contexte",
        "partiellement faux", "sin contexto", "falscher kontext", "mixture", "mixed", "partly true",
        "partly false", "partially true",
        "partially false", "half false", "misleading", "missing context", "needs context",
        "lacks context", "out of context", "two pinocchios", "exaggerated", "exaggeration",
        "cherry picks", "distorts the facts", "spins the facts", "half right", "mixed bag",
        "partly correct", "teilweise falsch", "teilweise richtig", "enganoso", "engañoso",
        "trompeur", "en partie faux", "impreciso", "verdadero pero", "irrefuhrend",
        "fehlender kontext",
    ),
    "mostly_true": (
        "mostly true", "largely true", "mainly true", "one pinocchio", "mostly correct",
        "largely accurate", "mostly accurate", "plutot vrai", "mayormente verdadero",
        "weitgehend richtig",
    ),
    "true": (
        "true", "correct", "accurate", "correct attribution", "legit", "confirmed",
        "geppetto checkmark", "vrai", "verdadero", "verdadeiro", "vero", "wahr", "richtig", "waar",
        "korrekt",
    ),
    # ratings about something other than the claim's truth, or no verdict
    "other": (
        "satire", "labeled satire", "labelled satire", "originated as satire", "unproven",
        "unverified", "unsupported", "no evidence", "unfounded", "outdated", "miscaptioned",
        "misattributed", "legend", "lost legend", "research in progress", "full flop", "half flip",
        "no flip", "explainer", "opinion", "not rated", "in dispute", "disputed",
        "too early to tell", "cannot be verified", "unclear", "satira", "satire humor",
    ),
}  # fmt: skip
WORDINGS: Final[dict[str, Rating]] = {
    word: rating for rating, words in WORDINGS_BY_RATING.items() for word in words
}
_NON_WORD: Final[re.Pattern[str]] = re.compile(r"[\W_]+")


def normalised_wording(words: str) -> str:
    """Lower case, accents removed, punctuation and dashes as single spaces."""
    folded = unicodedata.normalize("NFKD", words.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", folded).strip()


_BY_WORDING: Final[dict[str, Rating]] = {normalised_wording(k): v for k, v in WORDINGS.items()}
# For long free-text ratings ("This is false. The photo shows..."): the first phrase that
# names a verdict decides, the longer and more specific phrases tried first.
_PHRASES: Final[list[str]] = sorted(_BY_WORDING, key=len, reverse=True)
_PHRASE_PATTERN: Final[re.Pattern[str]] = re.compile(
    r"\b(" + "|".join(re.escape(phrase) for phrase in _PHRASES) + r")\b"
)
# A leading negation turns a verdict around in free text ("not correct"); such text is left
# to the number, or to `other`, rather than guessed.
_NEGATED: Final[re.Pattern[str]] = re.compile(r"\b(?:not|no|isn t|is not|never)\s+$")
_FREE_TEXT_WORDS: Final[int] = 4
_LEAD_IN: Final[re.Pattern[str]] = re.compile(r"^(?:this|that|it|the claim|claim)\s+(?:is|was)\s+")


def rating_from_words(words: str) -> Rating | None:
    """The rating a fact-checker's wording names, or None when it names none we know."""
    wording = normalised_wording(words)
    if not wording:
        return None
    if wording in _BY_WORDING:
        return _BY_WORDING[wording]
    if len(wording.split()) <= _FREE_TEXT_WORDS:
        # A short label: known once a lead-in is dropped ("This is false."), or at its start
        # ("Four Pinocchios!"); otherwise unknown ("Spicy").
        wording = _LEAD_IN.sub("", wording)
        if wording in _BY_WORDING:
            return _BY_WORDING[wording]
        match = _PHRASE_PATTERN.search(wording)
        return _BY_WORDING[match.group(1)] if match and match.start() == 0 else None
    for match in _PHRASE_PATTERN.finditer(wording):
        if _NEGATED.search(wording[: match.start()]):
            return None
        return _BY_WORDING[match.group(1)]
    return None


def rating_from_number(
    value: float, best: float | None = None, worst: float | None = None
) -> Rating | None:
    """The rating a numeric value gives on its scale; schema.org's default scale is 1 to 5."""
    best = 5.0 if best is None else best
    worst = 1.0 if worst is None else worst
    if best == worst or not min(best, worst) <= value <= max(best, worst):
        return None
    position = (value - worst) / (best - worst)  # 0 = worst (false), 1 = best (true)
    for limit, rating in ((0.125, "false"), (0.375, "mostly_false"), (0.625, "mixed"),
                          (0.875, "mostly_true")):  # fmt: skip
        if position < limit:
            return rating  # type: ignore[return-value]
    return "true"


def normalise_rating(
    words: str | None,
    value: str | float | None = None,
    best: str | float | None = None,
    worst: str | float | None = None,
) -> Rating:
    """One of RATINGS from a review's `alternateName` and its numeric `ratingValue`.

    The words win: fact-checkers' numeric scales differ (PolitiFact's has six steps, some
    use -1 for "no rating"), while their words are what readers see.
    """
    if words:
        rating = rating_from_words(words)
        if rating is not None:
            return rating
    number, top, bottom = _number(value), _number(best), _number(worst)
    if number is not None:
        rating = rating_from_number(number, top, bottom)
        if rating is not None:
            return rating
    return "other"


def _number(value: str | float | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
