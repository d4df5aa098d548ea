"""The domain-shift score, abstention and explanations, trained for real on small corpora."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.metrics import roc_auc_score

from classifier.models.artifacts import load_model
from classifier.models.base import FakeNewsModel
from classifier.models.baseline_model import TfidfLogregModel
from classifier.models.explanation import share_out, top_contributions
from classifier.models.lightgbm_model import LightGBMModel
from classifier.models.score_drift import population_stability, score_histogram
from tests.corpora import FAKE_CUES, off_topic_corpus, synthetic_corpus


@pytest.fixture(scope="module")
def splits() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (
        synthetic_corpus(400, seed=11),
        synthetic_corpus(120, seed=12),
        synthetic_corpus(60, seed=13),
    )


def fitted(model: FakeNewsModel, splits: tuple[pd.DataFrame, ...]) -> FakeNewsModel:
    train, validation, _ = splits
    return model.fit(train, train["label"], validation, validation["label"])


KINDS = {
    "tfidf_logreg": lambda: TfidfLogregModel(max_features=2000),
    "lightgbm": lambda: LightGBMModel(preset="study", n_estimators=40, n_jobs=1),
}


@pytest.mark.parametrize("kind", KINDS)
def test_shift_separates_an_off_topic_corpus(kind: str, splits: tuple[pd.DataFrame, ...]) -> None:
    model = fitted(KINDS[kind](), splits)
    inside = model.shift_scores(splits[2])
    outside = model.shift_scores(off_topic_corpus(60, seed=1))
    truth = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
    assert roc_auc_score(truth, np.r_[inside, outside]) > 0.99
    limit = model.domain_shift_.limit
    assert np.mean(inside > limit) <= 0.15 and np.all(outside > limit)
    assert model.manifest({})["domain_shift"]["limit"] == limit


def test_a_fake_sounding_article_unlike_the_training_data_is_uncertain(
    splits: tuple[pd.DataFrame, ...],
) -> None:
    lured = off_topic_corpus(40, seed=2, cues=6)  # fake cue words in a recipe
    cautious = fitted(KINDS["tfidf_logreg"](), splits)
    reckless = fitted(TfidfLogregModel(max_features=2000, shift_quantile=None), splits)
    assert reckless.domain_shift_ is None
    assert np.mean(reckless.verdicts(lured) == "fake") > 0.5  # the probability alone says fake
    assessment = cautious.assess(lured)
    assert np.all(assessment.proba_fake >= cautious.threshold_ - 0.2)
    assert not np.any(assessment.verdicts == "fake")
    assert np.all(np.isnan(reckless.assess(lured).shift))
    # In-distribution articles keep their verdicts: abstention only touches "fake".
    test = splits[2]
    both = cautious.assess(test)
    plain = cautious.verdicts_for_proba(both.proba_fake)
    changed = both.verdicts != plain
    assert np.all(plain[changed] == "fake") and np.all(both.verdicts[changed] == "uncertain")
    assert changed.mean() <= 0.15


@pytest.mark.parametrize("kind", KINDS)
def test_save_and_load_keep_shift_and_explanations(
    kind: str, splits: tuple[pd.DataFrame, ...], tmp_path: Path
) -> None:
    model = fitted(KINDS[kind](), splits)
    before = model.assess(splits[2], explain=6)
    loaded = load_model(model.save(tmp_path / kind))
    after = loaded.assess(splits[2], explain=6)
    np.testing.assert_array_equal(before.shift, after.shift)
    np.testing.assert_array_equal(before.proba_fake, after.proba_fake)
    assert list(before.verdicts) == list(after.verdicts)
    assert before.explanations == after.explanations
    assert all(0 < len(why) <= 6 for why in before.explanations)


def test_a_folder_without_a_detector_loads_and_scores_without_one(
    splits: tuple[pd.DataFrame, ...], tmp_path: Path
) -> None:
    model = fitted(TfidfLogregModel(max_features=2000, shift_quantile=None), splits)
    loaded = load_model(model.save(tmp_path / "plain"))
    assert loaded.domain_shift_ is None and not (tmp_path / "plain" / "shift.json").exists()
    assert np.all(np.isnan(loaded.assess(splits[2]).shift))


def test_linear_explanations_add_up_to_the_logit(splits: tuple[pd.DataFrame, ...]) -> None:
    model = fitted(KINDS["tfidf_logreg"](), splits)
    articles = splits[2].iloc[:5]
    raw = model.raw_scores(articles)
    every = model.assess(articles, explain=10_000).explanations
    for why, score in zip(every, raw, strict=True):
        logit = np.log(score / (1 - score))
        assert sum(weight for _, weight in why) + model.intercept_ == pytest.approx(logit, abs=0.01)
        weights = [abs(weight) for _, weight in why]
        assert weights == sorted(weights, reverse=True)


def test_lightgbm_explanations_name_the_cue_words(splits: tuple[pd.DataFrame, ...]) -> None:
    model = fitted(KINDS["lightgbm"](), splits)
    test = splits[2]
    explanations = model.assess(test, explain=3).explanations
    cues = set(FAKE_CUES)
    fake_rows = np.flatnonzero(test["label"].to_numpy() == 1)
    named = [any(feature in cues for feature, _ in explanations[i]) for i in fake_rows]
    assert np.mean(named) > 0.5


def test_a_derived_contribution_is_shared_out_over_the_words_that_agree() -> None:
    words = sparse.csr_matrix(np.array([[0.5, -0.2, 1.5], [0.3, -0.6, 0.0]]))
    shared = share_out(np.array([1.0, -0.3]), words).toarray()
    np.testing.assert_allclose(shared, [[0.25, 0.0, 0.75], [0.0, -0.3, 0.0]])
    assert top_contributions(sparse.csr_matrix(shared), ["a", "b", "c"], 2) == [
        [("c", 0.75), ("a", 0.25)],
        [("b", -0.3)],
    ]


def test_population_stability_is_zero_for_the_same_scores_and_large_for_moved_ones() -> None:
    rng = np.random.default_rng(0)
    validation = score_histogram(rng.beta(2, 2, 2000))
    same = np.bincount(np.minimum((rng.beta(2, 2, 500) * 10).astype(int), 9), minlength=10)
    moved = np.bincount(np.minimum((rng.beta(8, 1, 500) * 10).astype(int), 9), minlength=10)
    assert population_stability(validation, list(same)) < 0.05
    assert population_stability(validation, list(moved)) > 0.25
    assert score_histogram([0.0, 0.05, 0.1, 1.0]) == [0.5, 0.25, 0, 0, 0, 0, 0, 0, 0, 0.25]


def test_lightgbm_path_contributions_add_up_to_the_raw_log_odds(
    splits: tuple[pd.DataFrame, ...],
) -> None:
    model = fitted(LightGBMModel(preset="fakewatch", n_estimators=40, n_jobs=1), splits)
    articles = model.preprocessing_.transform(splits[2].iloc[:8])
    raw, explanations = model._score_and_explain(articles, 100_000)
    paths = model._naming().paths
    for score, why in zip(raw, explanations, strict=True):
        logit = np.log(score / (1 - score))
        total = sum(weight for _, weight in why) + paths.expected_value
        assert total == pytest.approx(logit, abs=0.01)
    np.testing.assert_allclose(raw, model._raw_scores(articles))
