"""What of an article is compared with claims: its title and its leading sentences.

A checked claim is one sentence; an article repeats it in one of its sentences, most often
in the title or the lead. Each passage is embedded, so their number is the cost: the first
MAX_PASSAGES keep matching 1,000 articles a minute on two cores (bench/claim_matching.py).
"""

from __future__ import annotations

import re

MAX_PASSAGES = 16
MIN_WORDS = 5
MAX_CHARS = 400  # a run-on "sentence" (a list, a table) is cut; the encoder reads 96 pieces

SENTENCE_BREAK = re.compile(r"(?<=[.!?\u3002])[\"'\u201d\u2019)\]]*\s+|\n+")


def article_passages(title: str, text: str, max_passages: int = MAX_PASSAGES) -> list[str]:
    """The title, then the article's sentences, of MIN_WORDS words or more, in order, distinct.

    A shorter title is a name or a topic ("Jennifer Lopez"), not a claim: matched, it pairs
    the article with every claim about that person (seen on GossipCop's entertainment news).
    """
    passages: list[str] = []
    seen: set[str] = set()
    for candidate in [title, *SENTENCE_BREAK.split(text)]:
        passage = " ".join(candidate.split())[:MAX_CHARS]
        key = passage.casefold()
        if len(passage.split()) < MIN_WORDS or key in seen:
            continue
        seen.add(key)
        passages.append(passage)
        if len(passages) == max_passages:
            break
    return passages
