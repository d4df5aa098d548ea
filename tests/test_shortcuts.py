"""The shortcut audit finds cues that give the label away, and default preprocessing drops them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from classifier.corpus.shortcuts import DATELINE, audit_corpus, audit_one
from classifier.models.baseline_model import TfidfLogregModel
from classifier.models.preprocessing import Preprocessing
from classifier.training import train_model
from tests.corpora import NEUTRAL_WORDS

DATELINE_TEXT = "WASHINGTON (Reuters) - "


def dateline_corpus(rows: int, seed: int) -> pd.DataFrame:
    """Labels that nothing in the text predicts except a dateline on every real article."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, rows)
    texts = [
        ("" if label else DATELINE_TEXT) + " ".join(rng.choice(NEUTRAL_WORDS, 60)) + "."
        for label in labels
    ]
    titles = [" ".join(rng.choice(NEUTRAL_WORDS, 6)) for _ in labels]
    return pd.DataFrame({"title": titles, "text": texts, "label": labels})


@pytest.mark.parametrize(
    "text",
    [
        "WASHINGTON (Reuters) - The senate voted.",
        "LONDON/PARIS (AP) — Talks resumed.",
        "NEW YORK - Prices rose.",
    ],
)
def test_dateline_forms(text: str) -> None:
    assert DATELINE.match(text)


def test_audit_finds_a_planted_dateline() -> None:
    audit = audit_one(dateline_corpus(400, seed=1), "planted")
    assert "dateline" in audit.shortcuts and "wire_credit" in audit.shortcuts
    shares = {share.cue: share for share in audit.cues}
    assert shares["dateline"].real == 1.0 and shares["dateline"].fake == 0.0
    assert "reuters" in [word for word, _, _ in audit.real_words]
    assert "title_case" not in audit.shortcuts


def test_audit_is_per_corpus() -> None:
    planted = dateline_corpus(200, seed=2).assign(corpus="planted")
    clean = dateline_corpus(200, seed=3).assign(corpus="clean")
    clean["text"] = clean["text"].str.replace(DATELINE_TEXT, "", regex=False)
    audits = {audit.corpus: audit for audit in audit_corpus(pd.concat([planted, clean]))}
    assert "dateline" in audits["planted"].shortcuts
    assert "dateline" not in audits["clean"].shortcuts


def test_default_preprocessing_removes_source_cues() -> None:
    text = (
        "WASHINGTON (Reuters) - Officials met. Gossip Cop found the story false. "
        "Photo: Getty Images. Snopes rated it."
    )
    cleaned = Preprocessing().apply(text)
    for cue in ("washington", "reuters", "gossip", "getty", "snopes"):
        assert cue not in cleaned
    assert "officials met" in cleaned


def test_manifests_from_before_the_step_load_with_it_off() -> None:
    steps = ("cleanup", "strip_dateline", "replace_asterisk_words", "lowercase")
    old = {step: step in ("cleanup", "lowercase") for step in steps}
    assert Preprocessing.from_dict(old).strip_source_cues is False
    assert Preprocessing.from_dict(Preprocessing().to_dict()) == Preprocessing()


def test_a_model_with_default_preprocessing_cannot_use_the_dateline() -> None:
    train, test = dateline_corpus(400, seed=4), dateline_corpus(200, seed=5)

    def test_auc(preprocessing: Preprocessing) -> float:
        from sklearn.metrics import roc_auc_score

        model = TfidfLogregModel(preprocessing=preprocessing, min_df=1)
        model.fit(train, train["label"].to_numpy())
        return float(roc_auc_score(test["label"], model.predict_proba(test)[:, 1]))

    assert test_auc(Preprocessing(strip_source_cues=False)) > 0.95
    assert test_auc(Preprocessing()) < 0.7


def test_training_reports_the_audit(tmp_path: Path) -> None:
    data = tmp_path / "planted.csv"
    dateline_corpus(300, seed=6).to_csv(data, index=False)
    result = train_model(data, tmp_path / "model", kind="tfidf_logreg", params={"min_df": 1})
    metrics = json.loads((tmp_path / "model" / "manifest.json").read_text())["metrics"]
    assert "dateline" in metrics["shortcuts"][0]["shortcuts"]
    assert metrics["source_cues_removed"] > 0
    report = result.report.read_text()
    assert "## Shortcut audit" in report and "strip_source_cues` step changed" in report


@pytest.mark.parametrize(
    "text",
    [
        "Checked by Full\nFact and LEAD   Stories.",
        "IMAGE  SOURCE: a wire.",
        "REUTERS/Peter Smith took it.",
        "A rally (AP) and an AFP Photo; Shutterstock.",
        "Healthfeedback and HealthNewsReview agree; hoax-slayer too.",
        "Nothing to remove here at all.",
    ],
)
def test_the_quick_word_test_never_changes_what_is_removed(text: str) -> None:
    from classifier.corpus.shortcuts import FACT_CHECKER, IMAGE_CREDIT, WIRE_CREDIT
    from classifier.models.preprocessing import strip_source_cues

    expected = DATELINE.sub("", text, count=1)
    for pattern in (WIRE_CREDIT, IMAGE_CREDIT, FACT_CHECKER):
        expected = pattern.sub(" ", expected)
    assert strip_source_cues(text) == expected
