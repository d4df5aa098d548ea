"""The `ensemble` kind: members stacked on out-of-fold scores, trained for real on small data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from classifier.errors import ModelFolderError
from classifier.models.artifacts import load_model
from classifier.models.ensemble_model import EnsembleModel
from tests.corpora import synthetic_corpus

pytestmark = pytest.mark.slow

MEMBER_PARAMS = {
    "lightgbm": {"preset": "study", "n_estimators": 40, "n_jobs": 1},
    "tfidf_logreg": {"max_features": 2000},
}


@pytest.fixture(scope="module")
def trained() -> tuple[EnsembleModel, pd.DataFrame]:
    train, validation, test = (
        synthetic_corpus(n, seed=s) for n, s in ((300, 41), (100, 42), (80, 43))
    )
    model = EnsembleModel(member_params=MEMBER_PARAMS, folds=3)
    model.fit(train, train["label"], validation, validation["label"])
    return model, test


def test_members_are_stacked_and_the_whole_is_calibrated(
    trained: tuple[EnsembleModel, pd.DataFrame],
) -> None:
    model, test = trained
    assert list(model.members_) == ["tfidf_logreg", "lightgbm"]
    coef, _ = model.stacker_
    assert np.all(coef > 0)  # both members carry signal on this corpus
    proba = model.predict_proba(test)[:, 1]
    assert roc_auc_score(test["label"], proba) > 0.9
    assessment = model.assess(test, explain=5)
    assert not np.isnan(assessment.shift).any()  # the ensemble has its own shift detector
    for member in model.members_.values():
        assert member.domain_shift_ is None and member.preprocessing_.lowercase is False
    fake_rows = np.flatnonzero(test["label"].to_numpy() == 1)
    assert any(why for why in (assessment.explanations[i] for i in fake_rows))


def test_save_and_load_give_the_same_scores_and_reasons(
    trained: tuple[EnsembleModel, pd.DataFrame], tmp_path: Path
) -> None:
    model, test = trained
    folder = model.save(tmp_path / "ensemble")
    assert (folder / "member-lightgbm" / "manifest.json").is_file()
    loaded = load_model(folder)
    before, after = model.assess(test, explain=5), loaded.assess(test, explain=5)
    np.testing.assert_array_equal(before.proba_fake, after.proba_fake)
    assert before.explanations == after.explanations
    # A member's own manifest is one of the ensemble's checksummed files.
    member_manifest = folder / "member-lightgbm" / "manifest.json"
    member_manifest.write_text(member_manifest.read_text().replace('"study"', '"fakewatch"'))
    with pytest.raises(ModelFolderError, match="checksum"):
        load_model(folder)
