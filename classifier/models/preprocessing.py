"""Text preprocessing as named, composable steps, recorded in each model's manifest.

The steps, always applied in this order: formatting cleanup; removal of source cues
(datelines, wire and photo credits, fact-checker names; on by default, see
`classifier.corpus.shortcuts`); the study's steps: dateline removal (ISOT's "CITY (Reuters) -
"), asterisk-word replacement, lowercasing, spaces around special characters and NLTK stop-word
removal. A model's base class applies the same `Preprocessing` to training, validation and
scored articles, so scoring never drifts from training.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from articles.cleaning import clean_formatting
from classifier.corpus.shortcuts import DATELINE, SOURCE_CUE_WORDS
from classifier.errors import ClassifierError

LOGGER = logging.getLogger(__name__)

STOPWORDS_HINT = (
    "NLTK stop words are missing: set NLTK_DATA to a folder holding corpora/stopwords "
    "(e.g. ../shared/nltk_data) or run `python -m nltk.downloader stopwords` where online"
)

# "WASHINGTON (Reuters) - " and "LONDON/PARIS (Reuters) -" at the start of a text.
_DATELINE = re.compile(r"^\s*[A-Z][A-Za-z.,'/ -]{0,60}\(Reuters\)\s*[-\u2013\u2014]\s*")
# A word censored with asterisks such as "f**k" or "s***": letters around at least one '*'.
_ASTERISK_WORD = re.compile(r"\b\w*[A-Za-z]\*+[\w*]*|\b\w+\*+(?=\W|$)")
# Words and single special characters: joining them with spaces spaces out the specials.
_TOKEN = re.compile(r"\w+|[^\w\s]")

ASTERISK_PLACEHOLDER = "censoredword"


@dataclasses.dataclass(frozen=True)
class Preprocessing:
    """Which preprocessing steps run; serialisable to and from a manifest's JSON."""

    cleanup: bool = True
    # Where a text came from, not what it says: datelines, wire and photo credits, fact-checker
    # names (`classifier.corpus.shortcuts.SOURCE_CUES`). A model that reads them learns its
    # corpus's sources, and fails on any other.
    strip_source_cues: bool = True
    strip_dateline: bool = False
    replace_asterisk_words: bool = False
    lowercase: bool = True
    space_special_characters: bool = True
    remove_stopwords: bool = False

    @classmethod
    def none(cls) -> Preprocessing:
        """No step at all: text is scored exactly as given."""
        return cls(
            cleanup=False,
            strip_source_cues=False,
            lowercase=False,
            space_special_characters=False,
        )

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Preprocessing:
        """Rebuild from `to_dict()` output; unknown step names are an error.

        A step the mapping does not name is off: a manifest written before the step existed
        recorded every step its model ran.
        """
        names = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ClassifierError(
                f"unknown preprocessing step(s) {', '.join(unknown)}: "
                f"known steps are {', '.join(sorted(names))}"
            )
        return cls(**{name: False for name in names} | {k: bool(v) for k, v in values.items()})

    def to_dict(self) -> dict[str, bool]:
        """The steps as a JSON-ready mapping of name to on/off."""
        return dataclasses.asdict(self)

    def apply(self, text: str) -> str:
        """Preprocess one text."""
        if self.cleanup:
            text = clean_formatting(text, collapse_spaces=False)
        if self.strip_source_cues:
            text = strip_source_cues(text)
        if self.strip_dateline:
            text = strip_dateline(text)
        if self.replace_asterisk_words and "*" in text:
            text = _ASTERISK_WORD.sub(ASTERISK_PLACEHOLDER, text)
        if self.lowercase:
            text = text.lower()
        if self.space_special_characters:
            text = " ".join(_TOKEN.findall(text))
        if self.remove_stopwords:
            stopwords = english_stopwords()
            text = " ".join(word for word in text.split() if word.lower() not in stopwords)
        elif self.cleanup and not self.space_special_characters:
            text = " ".join(text.split())
        return text

    def transform(self, articles: pd.DataFrame) -> pd.DataFrame:
        """Preprocess the `title` and `text` columns; returns a new frame with only those."""
        return pd.DataFrame(
            {
                "title": [self.apply(value) for value in articles["title"]],
                "text": [self.apply(value) for value in articles["text"]],
            },
            index=articles.index,
        )


def strip_source_cues(text: str) -> str:
    """Drop a leading dateline and every wire credit, photo credit and fact-checker name."""
    text = DATELINE.sub("", text, count=1)
    # Most texts name no source: substring tests of the folded text cost less than the
    # patterns' scans (0.36 against 0.57 ms a text on the shared corpora), which then run only
    # where one of their words occurs.
    folded = " ".join(text.lower().split())
    for pattern, words in SOURCE_CUE_WORDS:
        if any(word in folded for word in words):
            text = pattern.sub(" ", text)
    return text


def strip_dateline(text: str) -> str:
    """Drop a leading wire-service dateline such as "WASHINGTON (Reuters) - "."""
    return _DATELINE.sub("", text, count=1)


@functools.cache
def english_stopwords() -> frozenset[str]:
    """NLTK's English stop words, or a one-line ClassifierError saying how to get them."""
    from nltk.corpus import stopwords

    try:
        return frozenset(stopwords.words("english"))
    except LookupError as exc:
        raise ClassifierError(STOPWORDS_HINT) from exc


def stopwords_available() -> bool:
    """Whether NLTK's stop-word list can be loaded (tests skip when it cannot)."""
    try:
        english_stopwords()
    except ClassifierError:
        return False
    return True
