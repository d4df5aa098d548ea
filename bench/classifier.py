"""Benchmark the model kinds on the shared corpora: one split per corpus, the same for every model.

Corpora (../shared/data): FakeNewsNet GossipCop with its README's quality filter and the
"gossip cop" leak removed, and the ISOT sample with the same filter and its "(Reuters)"
dateline removed. Then fakewatch's own cleanup, duplicate grouping and a group-aware
stratified split (seed 42). Per model: accuracy, F1, ROC AUC, log loss, training time and
scoring throughput (articles/s, preprocessing included), both for the probability alone and
for what the daemon computes per article (probability, domain shift and the top 8
contributions: `assess(X, explain=8)`). Optionally an accuracy-versus-
vocabulary-size curve as a PNG.

    python bench/classifier.py --models tfidf_logreg,lightgbm_study,lightgbm
    python bench/classifier.py --models lightgbm --vocab-curve lightgbm --corpora gossipcop
    python bench/classifier.py --models lstm_study,lstm,transformer

Results merge into bench/results/classifier.json: a run replaces the rows and curves of the
models it ran and keeps the others (each row records when it was measured).

The transformer is fine-tuned on CPU within a time budget on a random subset of the training
split (see its row's note); its accuracy is what that budget buys, not what the model can do.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

# Two cores, shared: one intra-op pool of two threads for TensorFlow (read once, at import).
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "2")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
# This script is named like the `classifier` package: keep its own folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench.machine import describe  # noqa: E402
from bench.shared_data import SHARED_DATA, absent  # noqa: E402
from classifier.evaluation.metrics import compute_metrics  # noqa: E402
from classifier.models.artifacts import model_class  # noqa: E402
from classifier.models.preprocessing import strip_dateline  # noqa: E402
from classifier.training import PrepareOptions, prepare_corpus  # noqa: E402
from scheduler.worker import EXPLAIN_TOP  # noqa: E402

LOGGER = logging.getLogger("bench.classifier")

# Benchmark name → (kind, hyperparameters). Override any with --param NAME.PARAM=VALUE.
MODEL_SPECS: dict[str, tuple[str, dict[str, Any]]] = {
    "tfidf_logreg": ("tfidf_logreg", {}),
    "lightgbm_study": ("lightgbm", {"preset": "study"}),
    "lightgbm": ("lightgbm", {}),
    "lightgbm_bigrams": ("lightgbm", {"ngram_max": 2}),
    "lstm_study": ("lstm", {"preset": "study"}),
    "lstm": ("lstm", {}),
    # CPU fine-tuning (~3 s per step of 16 at 256 tokens here): a subset and a time budget.
    "transformer": (
        "transformer",
        {
            "quantize": True,
            "max_length": 256,
            "epochs": 1,
            "max_train_samples": 2_000,
            "time_budget_s": 420,
            "num_threads": 2,
        },
    ),
    "embedding_logreg": ("embedding_logreg", {}),
    "ensemble": ("ensemble", {}),
    "ensemble_embedding": (
        "ensemble",
        {"members": ["tfidf_logreg", "lightgbm", "embedding_logreg"]},
    ),
}
# The hyperparameter that sets vocabulary size, per kind (the hook for the vocabulary curve).
VOCABULARY_PARAM = {"lightgbm": "max_features", "lstm": "vocabulary_size"}
DEFAULT_VOCAB_SIZES = (100, 1_000, 5_000, 20_000, 50_000)
GOSSIP_COP_LEAK = re.compile(r"gossip\s?cop", re.IGNORECASE)


def load_gossipcop() -> pd.DataFrame:
    """GossipCop with the README's quality filter and the Gossip Cop debunk-page leak removed."""
    frame = pd.read_csv(
        SHARED_DATA / "fakenewsnet_gossipcop" / "gossipcop.csv.gz", keep_default_na=False
    )
    frame = frame[(frame.text.str.len() >= 100) & (frame.dup_group_size.astype(int) == 1)]
    leak = frame.title.str.contains(GOSSIP_COP_LEAK) | frame.text.str.contains(GOSSIP_COP_LEAK)
    return frame.loc[~leak, ["title", "text", "label"]].astype({"label": int})


def load_isot() -> pd.DataFrame:
    """ISOT sample with the quality filter and the "(Reuters)" dateline shortcut removed."""
    frame = pd.read_csv(SHARED_DATA / "isot_sample" / "isot_sample.csv.gz", keep_default_na=False)
    frame = frame[(frame.text.str.len() >= 100) & (frame.dup_group_size.astype(int) == 1)]
    frame = frame.assign(text=frame.text.map(strip_dateline))
    return frame[["title", "text", "label"]].astype({"label": int})


CORPORA = {"gossipcop": load_gossipcop, "isot": load_isot}


def machine() -> str:
    """CPU model, cores, memory and library versions, for the record."""
    return describe(("lightgbm", "scikit-learn"))


def run_model(name: str, params: dict[str, Any], splits: Any) -> dict[str, Any]:
    """Train one model on the split, score the test part; returns one result row."""
    kind, spec = MODEL_SPECS[name][0], {**MODEL_SPECS[name][1], **params}
    model = model_class(kind)(**spec)
    train, val, test = splits.train, splits.validation, splits.test
    started = time.perf_counter()
    model.fit(train, train["label"].to_numpy(), val, val["label"].to_numpy())
    training = time.perf_counter() - started
    proba, scoring, scoring_cpu = timed_scores(model, test)
    scores = compute_metrics(test["label"].to_numpy(), proba, model.threshold_)
    row = {
        "model": name,
        "measured": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "params": spec,
        "accuracy": scores["at_0.5"]["accuracy"],
        "f1": scores["at_0.5"]["f1"],
        "roc_auc": scores["roc_auc"],
        "log_loss": scores["log_loss"],
        "precision_at_threshold": scores["at_threshold"]["precision"],
        "real_flagged_fake": scores["at_0.5"]["real_flagged_fake"],
        "train_s": training,
        "articles_per_s": len(test) / scoring,
        # Per CPU-second of this process: steadier than wall time on a shared machine.
        "articles_per_cpu_s": len(test) / max(scoring_cpu, 1e-9),
    }
    assessing, assessing_cpu = timed_assessment(model, test)
    row["assessed_per_s"] = len(test) / assessing
    row["assessed_per_cpu_s"] = len(test) / max(assessing_cpu, 1e-9)
    if kind == "transformer":
        row.update(transformer_extras(model, test))
    return row


def timed_scores(model: Any, test: pd.DataFrame) -> tuple[Any, float, float]:
    """Probability of fake for the test split, wall seconds and CPU seconds of scoring."""
    started, cpu_started = time.perf_counter(), time.process_time()
    proba = model.predict_proba(test)[:, 1]
    return proba, time.perf_counter() - started, time.process_time() - cpu_started


def timed_assessment(model: Any, test: pd.DataFrame) -> tuple[float, float]:
    """Wall and CPU seconds of the daemon's scoring: probability, shift and explanation.

    After one small warm-up call: a model builds some state on first use (LightGBM's decision
    paths), once per process, as the daemon does when it loads the model.
    """
    model.assess(test.iloc[:10], explain=EXPLAIN_TOP)
    started, cpu_started = time.perf_counter(), time.process_time()
    model.assess(test, explain=EXPLAIN_TOP)
    return time.perf_counter() - started, time.process_time() - cpu_started


def transformer_extras(model: Any, test: pd.DataFrame) -> dict[str, Any]:
    """How much the transformer was trained, and its fp32 scoring speed beside the int8 one."""
    history = model.history_
    extras: dict[str, Any] = {
        "quantized": bool(model.quantize),
        "train_rows": history.get("train_rows"),
        "train_steps": history.get("steps"),
        "fine_tune_s": history.get("seconds"),
        "stopped": history.get("stopped"),
        # Articles the network saw (a time budget can stop it before the subset is used up).
        "train_examples_seen": min(
            int(history.get("steps", 0)) * int(model.batch_size),
            int(history.get("train_rows", 0)) * int(model.epochs),
        ),
        "max_length": int(model.max_length),
        "num_threads": model.num_threads,
    }
    if model.quantize:
        model.set_params(quantize=False)
        proba, scoring, _ = timed_scores(model, test)
        scores = compute_metrics(test["label"].to_numpy(), proba, model.threshold_)
        extras["fp32_articles_per_s"] = len(test) / scoring
        extras["fp32_accuracy"] = scores["at_0.5"]["accuracy"]
        extras["fp32_roc_auc"] = scores["roc_auc"]
        model.set_params(quantize=True)
    return extras


def vocabulary_curve(
    name: str, params: dict[str, Any], splits: Any, sizes: list[int]
) -> list[dict[str, Any]]:
    """Test accuracy and AUC of model `name` at each vocabulary size."""
    kind = MODEL_SPECS[name][0]
    if kind not in VOCABULARY_PARAM:
        raise SystemExit(f"no vocabulary parameter known for kind {kind}")
    rows = []
    for size in sizes:
        row = run_model(name, {**params, VOCABULARY_PARAM[kind]: size}, splits)
        rows.append({"vocabulary": size, **row})
        print(f"  vocabulary {size:>6}: accuracy {row['accuracy']:.4f}  AUC {row['roc_auc']:.4f}")
    return rows


def plot_curves(curves: dict[str, list[dict[str, Any]]], path: Path, corpus: str) -> None:
    """Accuracy against vocabulary size (log scale), one line per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for name, rows in curves.items():
        axes.plot([r["vocabulary"] for r in rows], [r["accuracy"] for r in rows], "o-", label=name)
    axes.set_xscale("log")
    axes.set_xlabel("vocabulary size (words)")
    axes.set_ylabel("test accuracy")
    axes.set_title(f"accuracy vs vocabulary size, {corpus}")
    axes.legend()
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)


def print_table(rows: list[dict[str, Any]]) -> None:
    """The results as a fixed-width table."""
    header = (
        f"{'model':<16}{'accuracy':>9}{'F1':>8}{'AUC':>8}{'logloss':>9}"
        f"{'P@thr':>8}{'real→fake':>10}{'train s':>9}{'art/s':>8}{'art/cpu-s':>10}"
        f"{'full art/s':>11}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['model']:<16}{r['accuracy']:>9.4f}{r['f1']:>8.4f}{r['roc_auc']:>8.4f}"
            f"{r['log_loss']:>9.4f}{r['precision_at_threshold']:>8.3f}"
            f"{r['real_flagged_fake']:>10.3f}{r['train_s']:>9.1f}{r['articles_per_s']:>8.0f}"
            f"{r['articles_per_cpu_s']:>10.0f}{r.get('assessed_per_s', float('nan')):>11.0f}"
        )


def print_notes(rows: list[dict[str, Any]], train_rows: int) -> None:
    """What the table's numbers do not say on their own (subset training, fp32 speed)."""
    for r in rows:
        if "train_rows" not in r:
            continue
        print(
            f"note: {r['model']} was fine-tuned on a random subset of {r['train_rows']} of "
            f"{train_rows} training articles for {r['fine_tune_s'] / 60:.1f} minutes "
            f"({r['train_steps']} steps, {r.get('train_examples_seen', '?')} articles seen, "
            f"stopped by {r['stopped']}), max {r['max_length']} tokens, "
            f"{r['num_threads']} torch threads."
        )
        if "fp32_articles_per_s" in r:
            print(
                f"note: {r['model']} scoring at {r['max_length']} tokens: int8 "
                f"{r['articles_per_s']:.1f} articles/s, fp32 {r['fp32_articles_per_s']:.1f} "
                f"articles/s (fp32 accuracy {r['fp32_accuracy']:.4f}, AUC "
                f"{r['fp32_roc_auc']:.4f})."
            )


def merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Earlier results with this run's rows and curves replacing those of the same models."""
    corpora = dict(old.get("corpora", {}))
    for corpus, fresh in new["corpora"].items():
        before = corpora.get(corpus, {})
        if before.get("split") != fresh["split"]:
            before = {}  # another split: earlier rows are not comparable
        names = [r["model"] for r in fresh["results"]]
        rows = [r for r in before.get("results", []) if r["model"] not in names]
        corpora[corpus] = {
            "split": fresh["split"],
            "results": rows + fresh["results"],
            "curves": {**before.get("curves", {}), **fresh["curves"]},
        }
    return {"machine": new["machine"], "corpora": corpora}


def parse_params(pairs: list[str]) -> dict[str, dict[str, Any]]:
    """--param NAME.PARAM=VALUE pairs, VALUE as JSON when it parses."""
    params: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        name, _, param = key.partition(".")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = value
        params.setdefault(name, {})[param] = parsed
    return params


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tfidf_logreg,lightgbm_study,lightgbm")
    parser.add_argument("--corpora", default="gossipcop,isot")
    parser.add_argument("--param", action="append", default=[], metavar="NAME.PARAM=VALUE")
    parser.add_argument("--vocab-curve", default="", metavar="MODELS", help="e.g. lightgbm,lstm")
    parser.add_argument("--vocab-sizes", default=",".join(map(str, DEFAULT_VOCAB_SIZES)))
    parser.add_argument("--out", default=str(REPO / "bench" / "results"), metavar="DIR")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if absent():
        return 2
    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models + args.vocab_curve.split(",") if m and m not in MODEL_SPECS]
    if unknown:
        print(f"unknown model(s) {unknown}: known are {list(MODEL_SPECS)}", file=sys.stderr)
        return 2
    params = parse_params(args.param)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.1f}")
    results: dict[str, Any] = {"machine": machine(), "corpora": {}}
    for corpus_name in [c for c in args.corpora.split(",") if c]:
        prepared = prepare_corpus(
            CORPORA[corpus_name](), PrepareOptions(test_size=0.2), lambda _: None
        )
        sizes = prepared.splits.sizes()
        print(f"\n== {corpus_name}: {prepared.cleanup.summary()}; split {sizes}")
        rows = []
        for name in models:
            rows.append(run_model(name, params.get(name, {}), prepared.splits))
            print(f"  done {name}", file=sys.stderr, flush=True)
        if rows:
            print_table(rows)
            print_notes(rows, sizes["train"])
        curves = {}
        for name in [m for m in args.vocab_curve.split(",") if m]:
            print(f"vocabulary curve for {name}:")
            vocab_sizes = [int(v) for v in args.vocab_sizes.split(",")]
            curves[name] = vocabulary_curve(
                name, params.get(name, {}), prepared.splits, vocab_sizes
            )
        results["corpora"][corpus_name] = {"split": sizes, "results": rows, "curves": curves}
        # Written after each corpus, so a run cut short keeps what it finished.
        path = out / "classifier.json"
        old = json.loads(path.read_text()) if path.is_file() else {}
        everything = merged(old, results)
        path.write_text(json.dumps(everything, indent=2) + "\n")
        if curves:
            plot = out / f"vocabulary_curve_{corpus_name}.png"
            plot_curves(everything["corpora"][corpus_name]["curves"], plot, corpus_name)
            print(f"plot: {plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
