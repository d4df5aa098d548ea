"""Fact-checkers' ratings on one scale: their usual wordings, numbers, negations, and every
PolitiFact rating in the shared claim-matching data.
"""

from __future__ import annotations

import pandas as pd
import pytest

from factchecks.ratings import RATINGS, WORDINGS, normalise_rating, rating_from_number
from tests.conftest import shared_path

# -- ratings -------------------------------------------------------------------------------

# The usual wordings of the main fact-checkers, as they write them in alternateName.
FACT_CHECKER_WORDINGS: dict[str, dict[str, str]] = {
    "PolitiFact": {
        "True": "true", "Mostly True": "mostly_true", "Half True": "mixed",
        "Mostly False": "mostly_false", "Barely True": "mostly_false", "False": "false",
        "Pants on Fire!": "false", "Full Flop": "other", "Half Flip": "other", "No Flip": "other",
    },
    "Snopes": {
        "True": "true", "Mostly True": "mostly_true", "Mixture": "mixed",
        "Mostly False": "mostly_false", "False": "false", "Unproven": "other",
        "Outdated": "other", "Miscaptioned": "other", "Correct Attribution": "true",
        "Misattributed": "other", "Scam": "false", "Legend": "other", "Legit": "true",
        "Labeled Satire": "other", "Originated as Satire": "other", "Fake": "false",
        "Research In Progress": "other", "Unfounded": "other",
    },
    "AFP": {
        "False": "false", "Misleading": "mixed", "Missing context": "mixed",
        "Altered photo": "false", "Partly false": "mixed", "Satire": "other", "Faux": "false",
        "Trompeur": "mixed", "Plutôt faux": "mostly_false", "Falso": "false",
        "Engañoso": "mixed",
    },
    "Reuters": {
        "False": "false", "Misleading": "mixed", "Missing Context": "mixed",
        "Partly False": "mixed", "Altered": "false", "True": "true", "No evidence": "other",
    },
    "AP": {"False": "false", "Missing context": "mixed", "Misleading": "mixed"},
    "Full Fact": {
        "Incorrect": "false", "Correct": "true", "Misleading": "mixed",
        "Incorrect. The photo is genuine but was taken in 2015.": "false",
        "This is incorrect. The figures show a rise, not a fall.": "false",
        "There is no evidence that the vaccine does this.": "other",
    },
    "Washington Post": {
        "One Pinocchio": "mostly_true", "Two Pinocchios": "mixed",
        "Three Pinocchios": "mostly_false", "Four Pinocchios": "false",
        "Geppetto Checkmark": "true",
    },
    "Lead Stories": {
        "Fake": "false", "Not True": "false", "Altered Video": "false",
        "Missing Context": "mixed", "Satire": "other", "No Evidence": "other",
    },
    "Correctiv": {
        "Falsch": "false", "Größtenteils falsch": "mostly_false", "Teilweise falsch": "mixed",
        "Fehlender Kontext": "mixed", "Frei erfunden": "false", "Richtig": "true",
        "Irreführend": "mixed",
    },
}  # fmt: skip


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param(words, expected, id=f"{checker}: {words}")
        for checker, wordings in FACT_CHECKER_WORDINGS.items()
        for words, expected in wordings.items()
    ],
)
def test_fact_checkers_usual_wordings(words: str, expected: str) -> None:
    assert normalise_rating(words) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [("FALSE", "false"), ("  mostly-false ", "mostly_false"), ("Half-True.", "mixed"),
     ("pants-fire", "false"), ("Four Pinocchios!", "false"), ("MISLEADING", "mixed")],
)  # fmt: skip
def test_case_punctuation_and_dashes_do_not_matter(words: str, expected: str) -> None:
    assert normalise_rating(words) == expected


@pytest.mark.parametrize(
    "words",
    [
        "That is not correct.",
        "That is not correct. The law changed in 2019 and the fine is now 100 pounds.",
        "This isn't true, as far as we can tell from the figures we were given.",
        "Not correct",
        "Not accurate",
    ],
)
def test_a_negated_verdict_in_free_text_is_not_read_as_true_or_false(words: str) -> None:
    assert normalise_rating(words) == "other"


def test_a_negated_verdict_leaves_the_number_to_decide() -> None:
    assert normalise_rating("That is not correct.", "2", "5", "1") == "mostly_false"


def test_a_statement_that_a_claim_is_not_true_is_a_false_verdict() -> None:
    assert normalise_rating("It is not true that the bill bans cash payments.") == "false"
    assert normalise_rating("This is not true") == "false"  # the label "Not true", led in
    assert normalise_rating("Not true.") == "false"


@pytest.mark.parametrize(
    ("value", "best", "worst", "expected"),
    [
        (1, None, None, "false"), (2, None, None, "mostly_false"), (3, None, None, "mixed"),
        (4, None, None, "mostly_true"), (5, None, None, "true"),  # schema.org's 1 to 5
        ("2", "5", "1", "mostly_false"),
        ("1", "6", "1", "false"), ("2", "6", "1", "mostly_false"), ("4", "6", "1", "mixed"),
        ("5", "6", "1", "mostly_true"), ("6", "6", "1", "true"),  # PolitiFact-like six steps
        (0, 10, 0, "false"), (7.5, 10, 0, "mostly_true"),
        ("2,5", "5", "0", "mixed"),  # decimal comma
        (4, 1, 4, "false"), (1, 1, 4, "true"),  # reversed: 1 (best) to 4 Pinocchios (worst)
        ("-1", "5", "1", "other"), (7, 5, 1, "other"),  # off the scale: "no rating"
        (3, 3, 3, "other"), ("n/a", "5", "1", "other"), (True, None, None, "other"),
        (None, "5", "1", "other"),
    ],
)  # fmt: skip
def test_numeric_rating_on_its_scale_when_the_words_say_nothing(
    value: str | float | None, best: str | float | None, worst: str | float | None, expected: str
) -> None:
    assert normalise_rating(None, value, best, worst) == expected
    assert normalise_rating("Spicy", value, best, worst) == expected


def test_known_words_win_over_the_number() -> None:
    assert normalise_rating("False", 5, 5, 1) == "false"
    assert normalise_rating("Mostly True", "1") == "mostly_true"
    assert normalise_rating("", "5") == "true"
    assert normalise_rating(None) == "other"


def test_the_table_and_the_number_only_give_known_ratings() -> None:
    assert set(WORDINGS.values()) <= set(RATINGS)
    assert {rating_from_number(v / 4, 1, 0) for v in range(5)} <= set(RATINGS)


@pytest.mark.parametrize(("words", "expected"), [("This is false.", "false"),
                                                 ("This is misleading.", "mixed")])  # fmt: skip
def test_a_short_free_text_verdict_is_read(words: str, expected: str) -> None:
    assert normalise_rating(words) == expected


def test_bottomless_pinocchio_is_false() -> None:
    assert normalise_rating("Bottomless Pinocchio") == "false"


TRUTH_O_METER = {
    "pants-fire": "false",
    "false": "false",
    "barely-true": "mostly_false",
    "half-true": "mixed",
    "mostly-true": "mostly_true",
    "true": "true",
    "full-flop": "other",
    "half-flip": "other",
    "no-flip": "other",
}


def test_every_politifact_rating_in_the_shared_claims_normalises() -> None:
    claims = pd.read_csv(
        shared_path("data", "claim_matching", "claims.csv.gz"), keep_default_na=False
    )
    rated = claims[claims["rating"] != ""]
    assert len(rated) > 10_000 and set(rated["publisher"]) == {"politifact"}
    assert set(rated["rating"]) == set(TRUTH_O_METER)
    expected = rated["rating"].map(TRUTH_O_METER)
    found = rated["rating"].map(normalise_rating)
    assert (found == expected).all(), rated[found != expected]["rating"].value_counts()
