"""Leave one corpus out: how each model kind does on a corpus it was never trained on.

For every labelled corpus in ../shared/data (GossipCop, the ISOT sample, LIAR's training
claims, CoAID, FakeHealth), train on all the others and score the one left out, exactly as
`fakewatch evaluate --leave-one-out` does: the product's loading, cleanup (the crawler's skip
rules), duplicate grouping and a validation split of the training corpora that calibrates the
model and chooses its "fake" threshold (target precision 0.9). Nothing corpus-specific is
removed first (no dateline or publisher stripping): this measures what `fakewatch train` on
these files gives a user.

    python bench/generalization.py                       # tfidf_logreg and lightgbm, all corpora
    python bench/generalization.py --models lightgbm --held-out fakehealth
    python bench/generalization.py --labelled 100,300,1000 [--labelled-only]

With --labelled N, N articles of each left-out corpus (whole duplicate groups, stratified by
label) join the training data, or with --labelled-only are all of it, and the rest of that
corpus is scored: how many labels of a user's own sources make the verdict hold there.

Per left-out corpus: AUC and log loss, precision and recall of the "fake" verdict at the
model's own threshold, the share of real articles flagged fake, the share left uncertain.
Results go to bench/results/generalization.json (a run replaces the rows of the models it ran).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from articles.skip_rules import CORPUS_RULES  # noqa: E402
from bench.machine import describe  # noqa: E402
from bench.shared_data import SHARED_DATA, absent  # noqa: E402
from classifier.corpus.cleanup import clean_corpus  # noqa: E402
from classifier.corpus.loading import CorpusFormat, load_corpus  # noqa: E402
from classifier.errors import CorpusError  # noqa: E402
from classifier.evaluation.leave_one_out import (  # noqa: E402
    LABELLED_BY,
    leave_one_corpus_out,
    markdown_table,
)
from classifier.training import build_model  # noqa: E402

# Corpus name -> (file under ../shared/data, how its columns are laid out).
CORPORA: dict[str, tuple[str, CorpusFormat]] = {
    "gossipcop": ("fakenewsnet_gossipcop/gossipcop.csv.gz", CorpusFormat(source_column="url")),
    "isot": ("isot_sample/isot_sample.csv.gz", CorpusFormat()),
    "liar": ("liar/liar_train.csv.gz", CorpusFormat(title_column=None, text_column="statement")),
    "coaid": ("coaid/coaid.csv.gz", CorpusFormat(source_column="url")),
    "fakehealth": ("fakehealth/fakehealth.csv.gz", CorpusFormat(source_column="url")),
}
HOST = r"^https?://(?:www\.)?([^/:?#]+)"
# Benchmark name -> (kind, hyperparameters).
MODELS: dict[str, tuple[str, dict[str, Any]]] = {
    "tfidf_logreg": ("tfidf_logreg", {}),
    "lightgbm": ("lightgbm", {"n_jobs": 2}),
    "lightgbm_study": ("lightgbm", {"preset": "study", "n_jobs": 2}),
    "ensemble": ("ensemble", {"member_params": {"lightgbm": {"n_jobs": 2}}}),
    "embedding_logreg": ("embedding_logreg", {}),
    "lstm": ("lstm", {}),
    "ensemble_embedding": (
        "ensemble",
        {
            "members": ["tfidf_logreg", "lightgbm", "embedding_logreg"],
            "member_params": {"lightgbm": {"n_jobs": 2}},
        },
    ),
}


def load(names: list[str]) -> pd.DataFrame:
    """The named corpora as one cleaned frame with a `corpus` column."""
    frames = []
    for name in names:
        path, corpus_format = CORPORA[name]
        frame = load_corpus(SHARED_DATA / path, corpus_format).assign(corpus=name)
        if corpus_format.source_column == "url":  # the site: GossipCop's own column is constant
            frame["source"] = frame["source"].str.extract(HOST, expand=False).str.lower()
        frames.append(frame)
    corpus, report = clean_corpus(pd.concat(frames, ignore_index=True), CORPUS_RULES)
    print(f"cleanup: {report.summary()}")
    for name, rows in corpus.groupby("corpus", sort=False):
        print(f"  {name}: {len(rows)} articles, {int(rows['label'].sum())} fake")
    return corpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tfidf_logreg,lightgbm", help="of " + ",".join(MODELS))
    parser.add_argument("--corpora", default=",".join(CORPORA), help="which corpora take part")
    parser.add_argument("--held-out", default="", help="leave out only these (default: each)")
    parser.add_argument(
        "--labelled",
        default="0",
        metavar="N[,N...]",
        help="also train on N labelled articles of the left-out corpus (one run per N)",
    )
    parser.add_argument("--labelled-only", action="store_true", help="train on those alone")
    parser.add_argument(
        "--labelled-by",
        choices=LABELLED_BY,
        default="random",
        help="labelled articles at random, or whole sites (the others scored)",
    )
    parser.add_argument("--validation-size", type=float, default=0.1, metavar="SHARE")
    parser.add_argument("--out", default=str(REPO / "bench" / "results"), metavar="DIR")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if absent():
        return 2
    models = [m for m in args.models.split(",") if m]
    names = [c for c in args.corpora.split(",") if c]
    unknown = sorted(set(models) - set(MODELS)) + sorted(set(names) - set(CORPORA))
    if unknown:
        print(f"unknown: {', '.join(unknown)}", file=sys.stderr)
        return 2
    print(f"machine: {describe(('lightgbm', 'scikit-learn', 'torch', 'sentence-transformers'))}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    corpus = load(names)
    held_out = [c for c in args.held_out.split(",") if c]
    results: dict[str, Any] = {}
    runs = [(name, int(n)) for name in models for n in args.labelled.split(",")]
    for name, labelled in runs:
        kind, params = MODELS[name]
        started = time.perf_counter()
        scores = []
        for left_out in held_out or sorted(corpus["corpus"].unique()):
            try:
                scores += leave_one_corpus_out(
                    corpus,
                    lambda kind=kind, params=params: build_model(kind, dict(params)),
                    held_out=[left_out],
                    validation_size=args.validation_size,
                    labelled_rows=labelled,
                    labelled_only=args.labelled_only,
                    labelled_by=args.labelled_by,
                    on_step=lambda line: print(f"  {line}", file=sys.stderr, flush=True),
                )
            except CorpusError as error:  # too few rows, or one label among them: said, skipped
                print(f"\n{left_out} skipped: {error}")
        label = name
        if labelled:
            label += f", {labelled} labelled"
            label += " by source" if args.labelled_by == "source" else ""
            label += " only" if args.labelled_only else ""
        print(f"\n{label} ({time.perf_counter() - started:.0f} s)\n")
        print(markdown_table(scores, model=name))
        results[label] = {
            "measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "scores": [score.row() for score in scores],
        }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "generalization.json"
    old = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**old, **results}, indent=2) + "\n")
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
