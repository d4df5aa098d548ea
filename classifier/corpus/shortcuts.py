"""Shortcut audit: the cues that alone separate a corpus's labels, before anyone trusts a score.

A corpus assembled from a few fake sites and a few real ones teaches a model where a text came
from: a wire-service dateline ("WASHINGTON (Reuters) - "), a fact-checker's name on debunk
pages ("Gossip Cop"), photo credits, headline style, length. Such a model scores well on its
own test split and fails on every other source. The audit measures, per corpus:

- named cues (see `CUES`): the share of fake and of real articles showing each;
- length: how well text length alone ranks fake above real (AUC);
- single words: the most label-leaning words by smoothed log-odds of document frequency.

A named cue is a shortcut when its shares differ by `MIN_SHARE_GAP` or more; length is one when
its AUC is `MIN_LENGTH_AUC_GAP` or more away from 0.5. The cues about where a text came from
(`SOURCE_CUES`) are what the default preprocessing's `strip_source_cues` step removes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import roc_auc_score

# A leading dateline: "WASHINGTON (Reuters) - ", "LONDON/PARIS (AP) — ", "NEW YORK - ".
DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.,'/ ]{1,40}(?:,\s*[A-Z][A-Za-z. ]{1,30})?\s*"
    r"(?:\((?:Reuters|AP|AFP|UPI|CNN|Bloomberg|dpa)\)\s*)?[-\u2013\u2014]{1,2}\s+"
)
WIRE_CREDIT = re.compile(
    r"\((?:Reuters|AP|AFP|UPI)\)|\bAssociated Press\b|\bReuters\b|\bAgence France-Presse\b"
)
FACT_CHECKER = re.compile(
    r"\b(?:snopes|politifact|gossip\s?cop|factcheck\.org|full\s?fact|lead\s?stories|"
    r"health\s?feedback|hoax-?slayer|truth\s?or\s?fiction|healthnewsreview)\b",
    re.IGNORECASE,
)
IMAGE_CREDIT = re.compile(
    r"\b(?:getty\s?images|shutterstock|ap\s?photo|reuters/[A-Z]\w+|afp\s?photo|"
    r"image\s?(?:source|credit))\b",
    re.IGNORECASE,
)
CAPITALISED = re.compile(r"^[A-Z]")
# Each credit pattern with lower-case words, one of which occurs in any text it matches.
# Each credit pattern with the words (lower case, single-spaced) one of which occurs in any text
# it matches: a cheap test that lets most texts skip the pattern's scan.
SOURCE_CUE_WORDS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (WIRE_CREDIT, ("reuters", "(ap)", "(afp)", "(upi)", "associated press", "agence france")),
    (
        IMAGE_CREDIT,
        (
            "getty",
            "shutterstock",
            "photo",
            "reuters/",
            "image source",
            "imagesource",
            "image credit",
            "imagecredit",
        ),
    ),
    (
        FACT_CHECKER,
        (
            "snopes",
            "politifact",
            "gossip",
            "factcheck",
            "full fact",
            "fullfact",
            "lead stor",
            "leadstor",
            "feedback",
            "slayer",
            "fiction",
            "healthnewsreview",
        ),
    ),
)


def _matches(pattern: re.Pattern[str], column: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: frame[column].str.contains(pattern)


def _title_case(frame: pd.DataFrame) -> pd.Series:
    def shout(title: str) -> bool:
        words = [word for word in title.split() if word[:1].isalpha()]
        return len(words) >= 4 and sum(bool(CAPITALISED.match(w)) for w in words) >= 0.8 * len(
            words
        )

    return frame["title"].map(shout)


# Cue name -> test on a frame of title and text (True where the article shows the cue).
CUES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "dateline": lambda frame: frame["text"].str.match(DATELINE),
    "wire_credit": _matches(WIRE_CREDIT, "text"),
    "fact_checker": lambda frame: (frame["title"] + " " + frame["text"]).str.contains(FACT_CHECKER),
    "image_credit": _matches(IMAGE_CREDIT, "text"),
    "title_case": _title_case,
    "exclamation_in_title": lambda frame: frame["title"].str.contains("!", regex=False),
}
# The cues about where a text came from, not what it says: preprocessing removes these.
SOURCE_CUES = ("dateline", "wire_credit", "fact_checker", "image_credit")
MIN_SHARE_GAP = 0.2
MIN_LENGTH_AUC_GAP = 0.2
TOP_WORDS = 8


@dataclasses.dataclass(frozen=True)
class CueShare:
    """One cue: the share of fake and of real articles showing it."""

    cue: str
    fake: float
    real: float

    @property
    def shortcut(self) -> bool:
        """Whether the cue alone separates the labels well."""
        return abs(self.fake - self.real) >= MIN_SHARE_GAP


@dataclasses.dataclass(frozen=True)
class CorpusAudit:
    """What separates one corpus's labels besides their content."""

    corpus: str
    articles: int
    cues: tuple[CueShare, ...]
    length_auc: float  # text length alone ranking fake above real
    fake_words: tuple[tuple[str, int, int], ...]  # (word, fake rows, real rows)
    real_words: tuple[tuple[str, int, int], ...]

    @property
    def shortcuts(self) -> list[str]:
        """The cues that alone separate the labels, length included."""
        names = [share.cue for share in self.cues if share.shortcut]
        if abs(self.length_auc - 0.5) >= MIN_LENGTH_AUC_GAP:
            names.append("length")
        return names

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the manifest and reports."""
        return {
            "corpus": self.corpus,
            "articles": self.articles,
            "shortcuts": self.shortcuts,
            "cues": {
                s.cue: {"fake": round(s.fake, 3), "real": round(s.real, 3)} for s in self.cues
            },
            "length_auc": round(self.length_auc, 3),
            "fake_words": [list(word) for word in self.fake_words],
            "real_words": [list(word) for word in self.real_words],
        }

    def summary(self) -> str:
        """One line for the training log."""
        found = ", ".join(
            f"{share.cue} (fake {share.fake:.0%}, real {share.real:.0%})"
            for share in self.cues
            if share.shortcut
        )
        if "length" in self.shortcuts:
            found += (", " if found else "") + f"length (AUC {self.length_auc:.2f})"
        words = ", ".join(word for word, _, _ in self.fake_words[:4])
        return (
            f"{self.corpus}: shortcuts {found or 'none found'}; "
            f"most fake-leaning words: {words or '-'}"
        )


def audit_corpus(corpus: pd.DataFrame) -> list[CorpusAudit]:
    """An audit per corpus (the `corpus` column), or one for the whole frame without it."""
    if "corpus" not in corpus:
        return [audit_one(corpus, "corpus")]
    return [audit_one(rows, str(name)) for name, rows in corpus.groupby("corpus", sort=True)]


def audit_one(rows: pd.DataFrame, name: str) -> CorpusAudit:
    """The audit of one corpus's labelled rows (title, text, label)."""
    frame = rows[["title", "text"]].fillna("").astype(str)
    fake = rows["label"].to_numpy() == 1
    shares = []
    for cue, test in CUES.items():
        shown = test(frame).to_numpy(dtype=bool)
        shares.append(CueShare(cue, _share(shown, fake), _share(shown, ~fake)))
    two_classes = fake.any() and (~fake).any()
    lengths = frame["text"].str.len().to_numpy()
    length_auc = float(roc_auc_score(fake, lengths)) if two_classes else float("nan")
    fake_words, real_words = _leaning_words(frame, fake)
    return CorpusAudit(name, len(rows), tuple(shares), length_auc, fake_words, real_words)


def _share(shown: np.ndarray, among: np.ndarray) -> float:
    return float(shown[among].mean()) if among.any() else float("nan")


def _leaning_words(
    frame: pd.DataFrame, fake: np.ndarray
) -> tuple[tuple[tuple[str, int, int], ...], tuple[tuple[str, int, int], ...]]:
    """The words whose document frequency leans most to fake, and to real (smoothed log-odds)."""
    documents = (frame["title"] + " " + frame["text"]).str.slice(0, 5000)
    min_df = max(10, int(0.01 * len(documents)))
    if len(documents) < min_df or not fake.any() or fake.all():
        return (), ()
    counter = CountVectorizer(
        binary=True, min_df=min_df, max_features=20_000, token_pattern=r"(?u)\b[^\W\d_]{2,}\b"
    )
    try:
        matrix = counter.fit_transform(documents)
    except ValueError:  # no word in enough documents
        return (), ()
    in_fake = np.asarray(matrix[fake].sum(axis=0)).ravel()
    in_real = np.asarray(matrix[~fake].sum(axis=0)).ravel()
    odds = np.log((in_fake + 1) / (fake.sum() - in_fake + 1)) - np.log(
        (in_real + 1) / ((~fake).sum() - in_real + 1)
    )
    words = counter.get_feature_names_out()
    order = np.argsort(odds)

    def listed(indices: np.ndarray) -> tuple[tuple[str, int, int], ...]:
        return tuple((str(words[i]), int(in_fake[i]), int(in_real[i])) for i in indices)

    return listed(order[::-1][:TOP_WORDS]), listed(order[:TOP_WORDS])


def markdown_section(audits: list[CorpusAudit]) -> str:
    """The audits as a report section."""
    lines = [
        "## Shortcut audit",
        "",
        "Cues that alone separate the labels (share of fake vs real articles showing them; a gap "
        f"of {MIN_SHARE_GAP:.0%} or more is a shortcut). The source cues "
        f"({', '.join(SOURCE_CUES)}) are removed by the `strip_source_cues` preprocessing step.",
        "",
        "| corpus | cue | fake | real | shortcut |",
        "| --- | --- | --- | --- | --- |",
    ]
    for audit in audits:
        for share in audit.cues:
            mark = "yes" if share.shortcut else ""
            lines.append(
                f"| {audit.corpus} | {share.cue} | {share.fake:.1%} | {share.real:.1%} | {mark} |"
            )
        mark = "yes" if "length" in audit.shortcuts else ""
        lines.append(f"| {audit.corpus} | length (AUC) | {audit.length_auc:.2f} | | {mark} |")
    lines += ["", "Most label-leaning words (fake rows / real rows containing them):", ""]
    for audit in audits:
        fake = ", ".join(f"{w} ({f}/{r})" for w, f, r in audit.fake_words) or "-"
        real = ", ".join(f"{w} ({f}/{r})" for w, f, r in audit.real_words) or "-"
        lines.append(f"- {audit.corpus}: fake-leaning {fake}; real-leaning {real}")
    return "\n".join(lines)
