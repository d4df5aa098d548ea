"""Small synthetic labelled corpora for tests: English, learnable, not perfectly separable."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NEUTRAL_WORDS = _words(
    "the people said that year this week city government report new police school market "
    "family home water money health public state time world country work group local night "
    "president minister election company team season house court law research study music "
    "weather travel food community children women men business price energy film show last "
    "first from with about after before under over during while where which would could should"
)
FAKE_CUES = _words(
    "shocking exposed secret truth bombshell outrage hoax destroyed insane miracle banned "
    "hidden elite globalist scandal unbelievable"
)
REAL_CUES = _words(
    "officials according spokesperson percent quarter announced agreement statement "
    "committee data survey analysts estimated reported confirmed"
)


def synthetic_corpus(rows: int = 200, *, seed: int = 0, noise: float = 0.15) -> pd.DataFrame:
    """`rows` articles (title, text, label; about half fake) whose cue words predict the label."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(rows) % 2)
    titles, texts = [], []
    for label in labels:
        own, other = (FAKE_CUES, REAL_CUES) if label else (REAL_CUES, FAKE_CUES)
        words = list(rng.choice(NEUTRAL_WORDS, size=int(rng.integers(40, 90))))
        cues = [
            str(rng.choice(other if rng.random() < noise else own))
            for _ in range(int(rng.integers(2, 6)))
        ]
        for cue in cues:
            words.insert(int(rng.integers(0, len(words) + 1)), cue)
        title_words = [*rng.choice(NEUTRAL_WORDS, size=4), cues[0]]
        ending = "!" if label and rng.random() < 0.5 else "."
        titles.append(" ".join(title_words).capitalize())
        texts.append(" ".join(words).capitalize() + ending)
    return pd.DataFrame({"title": titles, "text": texts, "label": labels.astype(int)})


GIVEAWAY_FAKE = ("shocking", "hoax", "exposed", "secret", "miracle", "banned")
GIVEAWAY_REAL = ("minister", "said", "report", "official", "percent", "statement")


def filler_words(count: int) -> list[str]:
    """Words that say nothing about the label: word0, word1, ..."""
    return [f"word{i}" for i in range(count)]


def giveaway_corpus(
    n: int, seed: int, *, filler: int, filler_per_article: int, html: bool
) -> tuple[pd.DataFrame, np.ndarray]:
    """An easy corpus for the neural kinds: fake and real articles use different giveaway words.

    With `html`, titles end in "!" or "." and texts carry markup and entities that
    preprocessing must handle.
    """
    words_of_filler = filler_words(filler)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    rows = []
    for label in labels:
        pool = GIVEAWAY_FAKE if label else GIVEAWAY_REAL
        title = " ".join(rng.choice(pool, 2)).title()
        words = [*rng.choice(words_of_filler, filler_per_article), *rng.choice(pool, 4)]
        if html:
            title += "!" if label else "."
            text = "<p>" + " ".join(rng.permutation(words)) + ",&amp; more.</p>"
        else:
            text = " ".join(words) + "."
        rows.append({"title": title, "text": text})
    return pd.DataFrame(rows), labels


# Recipe words: not one in common with the news-like corpora above.
OFF_TOPIC = _words(
    "flour yeast knead dough oven crust loaf rye starter proof bake sugar butter whisk "
    "simmer saucepan garlic onion pepper roast basil oregano tomato dumpling noodle broth"
)


def off_topic_corpus(rows: int, *, seed: int, cues: int = 0) -> pd.DataFrame:
    """Recipes: no word in common with the news corpus, except `cues` fake cue words each."""
    rng = np.random.default_rng(seed)
    titles, texts = [], []
    for _ in range(rows):
        words = list(rng.choice(OFF_TOPIC, size=int(rng.integers(40, 80))))
        words += list(rng.choice(FAKE_CUES, size=cues))
        titles.append(" ".join(rng.choice(OFF_TOPIC, size=4)).capitalize())
        texts.append(" ".join(words).capitalize() + ".")
    return pd.DataFrame({"title": titles, "text": texts})
