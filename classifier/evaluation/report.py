"""Evaluation reports a person can open: Markdown with PNG plots, plus `metrics.json` beside it."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

from classifier.evaluation.metrics import Evaluation, save_plots
from classifier.models.artifacts import json_safe

LOGGER = logging.getLogger(__name__)

REPORT_FILE, METRICS_FILE = "report.md", "metrics.json"

CAVEAT = (
    "These scores describe articles like the evaluation data. A model learns the style of "
    "the sources it was trained on, so a high score here does not mean it can tell true "
    "from false on other sites, topics or years."
)


def write_report(
    folder: str | Path,
    evaluation: Evaluation,
    *,
    title: str,
    context: dict[str, Any] | None = None,
    extra_sections: list[str] | None = None,
) -> Path:
    """Write report.md, metrics.json and the plots into `folder`; returns the report path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    scores = evaluation.metrics()
    plots = save_plots(evaluation, folder, title=title)
    (folder / METRICS_FILE).write_text(
        json.dumps(json_safe({"metrics": scores, "context": context or {}}), indent=2) + "\n",
        encoding="utf-8",
    )
    lines = [f"# {title}", "", CAVEAT, ""]
    for key, value in (context or {}).items():
        lines.append(f"- **{key}**: {_format(value)}")
    lines += ["", "## Scores", "", "| score | at 0.5 | at model threshold |", "| --- | --- | --- |"]
    at_half, at_threshold = scores["at_0.5"], scores["at_threshold"]
    for name in ("threshold", "accuracy", "precision", "recall", "f1", "real_flagged_fake"):
        lines.append(f"| {name} | {_format(at_half[name])} | {_format(at_threshold[name])} |")
    lines += [
        "",
        f"- articles: {scores['articles']} ({scores['fake']} fake)",
        f"- log loss: {_format(scores['log_loss'])}",
        f"- ROC AUC: {_format(scores['roc_auc'])}",
        f"- Brier score: {_format(scores['brier'])}",
    ]
    if "articles_per_second" in scores:
        lines.append(f"- scoring speed: {scores['articles_per_second']:.0f} articles/s")
    real_row, fake_row = scores["verdict_matrix"]
    lines += [
        "",
        "Verdicts by label (an uncertain verdict calls the article neither fake nor real):",
        "",
        "| | verdict real | verdict uncertain | verdict fake |",
        "| --- | --- | --- | --- |",
        "| actually real | {} | {} | {} |".format(*real_row),
        "| actually fake | {} | {} | {} |".format(*fake_row),
    ]
    if "verdict_bands" in scores:
        lines += [
            "",
            "## Verdict bands",
            "",
            "| verdict | articles | share fake |",
            "| --- | --- | --- |",
        ]
        for verdict, band in scores["verdict_bands"].items():
            lines.append(f"| {verdict} | {band['articles']} | {_format(band['share_fake'])} |")
    lines += ["", "## Plots", ""]
    lines += [f"![{name}]({file})" for name, file in plots.items()]
    for section in extra_sections or []:
        lines += ["", section]
    path = folder / REPORT_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    LOGGER.info("report written to %s", path)
    return path


def cross_validation_section(result: dict[str, Any]) -> str:
    """Markdown table of k-fold mean ± standard deviation."""
    rows = [
        f"## {result['folds']}-fold cross-validation",
        "",
        f"The model's configuration retrained {result['folds']} times on parts of *this* file "
        "and scored on the rest: how well the kind learns this data, **not** the score of the "
        "deployed model (that is the table above).",
        "",
        "| score | mean | std |",
    ]
    rows.append("| --- | --- | --- |")
    for name, mean in result["mean"].items():
        rows.append(f"| {name} | {_format(mean)} | {_format(result['std'][name])} |")
    return "\n".join(rows)


def _format(value: Any) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.4f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_format(v)}" for k, v in value.items())
    return str(value)
