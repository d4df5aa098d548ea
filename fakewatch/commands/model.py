"""Model work: `train`, `evaluate`, `classify` and `dataset fetch` (heavy imports stay lazy)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Any

from classifier.models.artifacts import KIND_MODULES
from fakewatch.output import say
from fakewatch.result_tables import explanation_text
from fakewatch.settings import Settings

MODEL_KINDS = tuple(KIND_MODULES)
# Contributions `classify` prints per article.
CLASSIFY_EXPLAIN_TOP = 8


def register(subparsers: Any) -> None:
    _register_train(subparsers)
    _register_evaluate(subparsers)
    _register_classify(subparsers)
    dataset = subparsers.add_parser("dataset", help="download public labelled corpora")
    actions = dataset.add_subparsers(dest="dataset_command", metavar="ACTION", required=True)
    fetch = actions.add_parser("fetch", help="download a corpus (resumes, checks its md5)")
    fetch.add_argument("name", choices=["welfake"], help="which corpus")
    fetch.add_argument("--dest", default="data", metavar="DIR", help="folder (default ./data)")
    fetch.add_argument("--url", help="download from this URL instead (a mirror)")
    fetch.set_defaults(handler=run_dataset_fetch)


def _add_corpus_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("corpus layout (default: WELFake's title,text,label)")
    group.add_argument("--title-column", default="title", help="'' when there is no title")
    group.add_argument("--text-column", default="text", help="the article text (default text)")
    group.add_argument(
        "--label-column", default="label", help="fake or real, by the values below (default label)"
    )
    group.add_argument("--fake-values", default="1,fake", help="comma-separated (default 1,fake)")
    group.add_argument("--real-values", default="0,real", help="comma-separated (default 0,real)")
    group.add_argument("--source-column", help="site/source column, for --split source")
    group.add_argument(
        "--no-cleanup",
        action="store_true",
        help="keep every row: no text cleaning and no skip rules",
    )


def _add_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        required=True,
        action="append",
        metavar="FILE",
        help="a corpus: CSV, CSV.gz or Parquet (repeat for several; each file is one corpus, "
        "named after the file)",
    )


def _register_train(subparsers: Any) -> None:
    parser = subparsers.add_parser("train", help="train a model on labelled corpora")
    _add_data_option(parser)
    parser.add_argument("--model", default="lightgbm", choices=MODEL_KINDS, help="model kind")
    parser.add_argument("--out", metavar="DIR", help="model folder (default models/KIND-TIME)")
    parser.add_argument("--preset", help="a named configuration (lightgbm: fakewatch, study)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a hyperparameter; VALUE is JSON or a plain string (repeatable)",
    )
    parser.add_argument(
        "--calibration",
        choices=["platt", "isotonic", "none"],
        help="how scores become probabilities, fitted on the validation split (default platt)",
    )
    parser.add_argument("--target-precision", type=float, help="of the fake verdict (0.9)")
    parser.add_argument(
        "--split",
        choices=["group", "source"],
        default="group",
        help="group: duplicates kept on one side (default); source: no site on two sides "
        "(needs --source-column)",
    )
    parser.add_argument(
        "--validation-size",
        type=float,
        default=0.1,
        help="share of articles that calibrate and choose thresholds (default 0.1)",
    )
    parser.add_argument(
        "--test-size",
        type=float,
        default=0.1,
        help="share of articles held out to measure the model (default 0.1)",
    )
    parser.add_argument("--seed", type=int, default=42, help="of the split (default 42)")
    parser.add_argument("--keep-duplicates", action="store_true", help="keep duplicate copies")
    parser.add_argument(
        "--no-refit",
        dest="refit",
        action="store_false",
        help="save the model measured on the test split, not one refit on train and test",
    )
    _add_corpus_options(parser)
    parser.set_defaults(handler=run_train)


def _register_evaluate(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score a model on labelled corpora, or leave one corpus out"
    )
    parser.add_argument(
        "--model",
        required=True,
        metavar="DIR|KIND",
        help="model folder; with --leave-one-out also a kind (" + ", ".join(MODEL_KINDS) + ")",
    )
    _add_data_option(parser)
    parser.add_argument("--out", metavar="DIR", help="report folder (default DIR/evaluation-FILE)")
    parser.add_argument(
        "--leave-one-out",
        action="store_true",
        help="train the model's configuration on all corpora but one and score the one left "
        "out, for each corpus: how it does on data unlike its training data",
    )
    parser.add_argument(
        "--held-out",
        action="append",
        default=[],
        metavar="CORPUS",
        help="with --leave-one-out: only leave out this corpus (repeatable; default all)",
    )
    parser.add_argument(
        "--labelled",
        type=int,
        default=0,
        metavar="N",
        help="with --leave-one-out: N articles of each left-out corpus join the training data, "
        "as reviews of your own sources would; the rest of it is scored",
    )
    parser.add_argument(
        "--labelled-only",
        action="store_true",
        help="with --labelled N: train on those N articles alone",
    )
    parser.add_argument(
        "--labelled-by",
        choices=["random", "source"],
        default="random",
        help="with --labelled N: articles at random (default), or whole sources, the others "
        "scored: do labels of some sites carry to sites nobody labelled? (needs a source column)",
    )
    parser.add_argument(
        "--validation-size",
        type=float,
        default=0.1,
        help="with --leave-one-out: share of the training articles that calibrates the model "
        "and chooses its thresholds (default 0.1)",
    )
    parser.add_argument("--cv", type=int, metavar="K", help="also K-fold cross-validate the kind")
    parser.add_argument("--learning-curve", action="store_true", help="also a learning curve")
    _add_corpus_options(parser)
    parser.set_defaults(handler=run_evaluate)


def _register_classify(subparsers: Any) -> None:
    parser = subparsers.add_parser("classify", help="score articles: URL, FILE or - (stdin)")
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="URL|FILE|-",
        help="an article's URL, an HTML or text file (first line: title), or - for stdin",
    )
    parser.add_argument(
        "--model",
        action="append",
        metavar="DIR",
        help="model folder (repeatable; default: the settings' [daemon] models)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    parser.add_argument(
        "--allow-private",
        action="append",
        default=[],
        metavar="CIDR",
        help="a private network a URL may be fetched from (repeatable; e.g. 10.0.0.0/8)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="the most a URL's whole download may take (default 30)",
    )
    parser.add_argument(
        "--no-evidence",
        action="store_true",
        help="do not match the articles with the fact-checkers' claims in the store",
    )
    parser.set_defaults(handler=run_classify)


def run_train(args: argparse.Namespace, settings: Settings) -> int:
    from classifier.training import PrepareOptions, train_model

    params = _parse_params(args.param)
    for name in ("preset", "calibration", "target_precision"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    params.setdefault("verbose", 1)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out or f"models/{args.model}-{stamp}")
    options = PrepareOptions(
        corpus_format=_corpus_format(args),
        cleanup=None if args.no_cleanup else _cleanup_rules(),
        keep_duplicate_copies=args.keep_duplicates,
        split=args.split,
        validation_size=args.validation_size,
        test_size=args.test_size,
        seed=args.seed,
    )
    result = train_model(
        args.data,
        out,
        kind=args.model,
        params=params,
        options=options,
        on_step=say,
        refit=args.refit,
    )
    headline = result.model.metrics_["test"]
    refit = result.model.metrics_["refit"]
    print(
        f"{result.model.kind} model saved to {result.folder}: test accuracy "
        f"{headline['accuracy']:.4f}, F1 {headline['f1']:.4f}, AUC {headline['roc_auc']:.4f}, "
        f"log loss {headline['log_loss']:.4f}"
        + (f" (then refit on {refit['rows']} train and test articles)" if refit["refit"] else "")
        + f"; report {result.report}"
    )
    return 0


def run_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from classifier.errors import ClassifierError
    from classifier.evaluation.run import evaluate_folder, leave_one_out_report

    out = Path(args.out) if args.out else None
    if args.leave_one_out:
        if args.cv or args.learning_curve:
            raise ClassifierError("--cv and --learning-curve do not go with --leave-one-out")
        report = leave_one_out_report(
            args.model,
            args.data,
            out=out,
            held_out=args.held_out,
            corpus_format=_corpus_format(args),
            cleanup=None if args.no_cleanup else _cleanup_rules(),
            validation_size=args.validation_size,
            labelled_rows=args.labelled,
            labelled_only=args.labelled_only,
            labelled_by=args.labelled_by,
            on_step=say,
        )
        print(report.read_text(encoding="utf-8"))
        print(f"report written to {report}")
        return 0
    if args.held_out or args.labelled or args.labelled_only:
        raise ClassifierError("--held-out and --labelled go with --leave-one-out")
    report = evaluate_folder(
        args.model,
        args.data,
        out=out,
        corpus_format=_corpus_format(args),
        cleanup=None if args.no_cleanup else _cleanup_rules(),
        folds=args.cv,
        learning_curve=args.learning_curve,
        on_step=say,
    )
    print(f"report written to {report}")
    return 0


def run_classify(args: argparse.Namespace, settings: Settings) -> int:
    from classifier.errors import ClassifierError
    from classifier.models.artifacts import load_model
    from common.addresses import allowed_networks
    from fakewatch.article_input import read_article

    try:
        allowed = allowed_networks(list(args.allow_private))
    except ValueError as exc:
        raise ClassifierError(f"--allow-private: {exc}") from None
    if not 0 < args.timeout <= 3600:
        raise ClassifierError(f"--timeout {args.timeout} must be more than 0 and at most 3600")
    folders = [Path(folder) for folder in (args.model or settings.daemon.models)]
    models = [(folder.name, load_model(folder)) for folder in folders]
    articles = [
        read_article(t, allowed=allowed, deadline_seconds=args.timeout) for t in args.targets
    ]
    evidence = _claim_evidence(settings, args, articles)
    for number, (target, article) in enumerate(zip(args.targets, articles, strict=True)):
        matches = evidence[number] if evidence is not None else None
        for name, model in models:
            assessment = model.assess(article.frame(), explain=CLASSIFY_EXPLAIN_TOP)
            proba, shift = float(assessment.proba_fake[0]), float(assessment.shift[0])
            verdict, why = str(assessment.verdicts[0]), assessment.explanations[0]
            shift_value = None if math.isnan(shift) else shift
            if args.json:
                record = {
                    "input": target,
                    "title": article.title,
                    "model": name,  # the folder's name, as the predictions table says it
                    "kind": model.kind,
                    "model_version": model.version_,
                    "probability_fake": proba,
                    "verdict": verdict,
                    "threshold": model.threshold_,
                    "shift_score": shift_value,
                    "in_distribution": _in_distribution(model, shift_value),
                    "explanation": [[feature, weight] for feature, weight in why],
                    # null: no claims to match against; []: none repeated
                    "evidence": matches[0].evidence if matches else None,
                    "claim_matches": None if matches is None else [m.record() for m in matches],
                }
                print(json.dumps(record))
                continue
            print(f"{verdict:9} p(fake)={proba:.3f}  {model.version_}  {article.label}")
            if shift_value is not None:
                limit = model.domain_shift_.limit if model.domain_shift_ else float("nan")
                where = "like" if _in_distribution(model, shift_value) else "UNLIKE"
                print(f"          shift={shift_value:.3f} (limit {limit:.3f}): "
                      f"{where} the training data")  # fmt: skip
            if why:
                print(f"          why: {explanation_text(why)}")
            for match in matches or []:
                rated = f"rated {match.rating_words or match.rating} by {match.fact_checker}"
                print(f"          claim ({match.method}, {match.score:.2f}): "
                      f"\"{match.claim}\" {rated}: {match.review_url}")  # fmt: skip
    return 0


def _claim_evidence(settings: Settings, args: argparse.Namespace, articles: list[Any]) -> Any:
    """The stored claims each article repeats, or None (no claims, --no-evidence)."""
    if args.no_evidence:
        return None
    from fakewatch.claim_evidence import claim_evidence

    inputs = [(t if t.startswith(("http://", "https://")) else None, a.title, a.text)
              for t, a in zip(args.targets, articles, strict=True)]  # fmt: skip
    return claim_evidence(settings, inputs)


def _in_distribution(model: Any, shift: float | None) -> bool | None:
    if shift is None or model.domain_shift_ is None:
        return None
    return bool(shift <= model.domain_shift_.limit)


def run_dataset_fetch(args: argparse.Namespace, settings: Settings) -> int:
    from classifier.corpus.fetch import dataset_source, fetch_dataset

    source = dataset_source(args.name)
    path = fetch_dataset(source, args.dest, url=args.url, progress=sys.stderr.isatty())
    print(f"{source.description}: {path}")
    return 0


def _corpus_format(args: argparse.Namespace) -> Any:
    from classifier.corpus.loading import CorpusFormat

    return CorpusFormat(
        title_column=args.title_column or None,
        text_column=args.text_column,
        label_column=args.label_column,
        fake_values=tuple(value for value in args.fake_values.split(",") if value),
        real_values=tuple(value for value in args.real_values.split(",") if value),
        source_column=args.source_column,
    )


def _cleanup_rules() -> Any:
    from articles.skip_rules import CORPUS_RULES

    return CORPUS_RULES


def _parse_params(pairs: list[str]) -> dict[str, Any]:
    from classifier.errors import ClassifierError

    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ClassifierError(f"--param {pair!r} must look like NAME=VALUE")
        try:
            params[name.strip().replace("-", "_")] = json.loads(value)
        except json.JSONDecodeError:
            params[name.strip().replace("-", "_")] = value
    return params
