"""Fine-tuning and batch scoring of a Hugging Face sequence classifier on torch (CPU)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class FineTuneOptions:
    """Fine-tuning hyperparameters; the defaults suit a small BERT on a CPU."""

    epochs: int = 2
    batch_size: int = 16
    learning_rate: float = 3e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    time_budget_s: float | None = None
    patience: int = 1
    seed: int = 0
    progress: bool = True


def set_threads(num_threads: int | None) -> None:
    """Use that many torch threads (None: leave torch's choice, one per core)."""
    if num_threads is not None and num_threads > 0 and torch.get_num_threads() != num_threads:
        torch.set_num_threads(num_threads)


Encoded = dict[str, list[int]]


def encode(
    tokenizer: Any, titles: Sequence[str], texts: Sequence[str], max_length: int
) -> list[Encoded]:
    """Title + text as a sentence pair, cut to max_length tokens (the text is cut first)."""
    encoded = tokenizer(
        list(titles),
        list(texts),
        truncation="longest_first",
        max_length=max_length,
        return_attention_mask=False,
    )
    names = list(encoded.keys())
    return [
        {name: list(encoded[name][row]) for name in names}
        for row in range(len(encoded["input_ids"]))
    ]


def _collate(tokenizer: Any, rows: Sequence[Encoded]) -> dict[str, torch.Tensor]:
    return dict(tokenizer.pad(list(rows), padding="longest", return_tensors="pt"))


def _loss(model: Any, batch: dict[str, torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
    logits = model(**batch).logits
    return torch.nn.functional.cross_entropy(logits, labels)


def fine_tune(
    model: Any,
    tokenizer: Any,
    ids: list[Encoded],
    labels: np.ndarray,
    val_ids: list[Encoded] | None,
    val_labels: np.ndarray | None,
    options: FineTuneOptions,
) -> dict[str, Any]:
    """Train in place with AdamW and linear warm-up/decay; keep the best epoch on validation."""
    from transformers import get_linear_schedule_with_warmup

    generator = torch.Generator().manual_seed(options.seed)
    torch.manual_seed(options.seed)
    steps_per_epoch = math.ceil(len(ids) / options.batch_size)
    total_steps = steps_per_epoch * options.epochs
    no_decay = ("bias", "LayerNorm.weight", "layer_norm", "norm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
            "weight_decay": options.weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimizer = torch.optim.AdamW(groups, lr=options.learning_rate)
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(options.warmup_ratio * total_steps), total_steps
    )
    target = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    started = time.monotonic()
    log: dict[str, Any] = {"train_loss": [], "val_loss": [], "steps": 0, "stopped": "epochs"}
    best_loss, best_state, stale = math.inf, None, 0
    progress = tqdm(
        total=total_steps, desc="fine-tuning", unit="step", disable=not options.progress
    )
    for epoch in range(options.epochs):
        model.train()
        order = torch.randperm(len(ids), generator=generator).tolist()
        epoch_loss, epoch_steps = 0.0, 0
        for start in range(0, len(order), options.batch_size):
            chosen = order[start : start + options.batch_size]
            loss = _loss(model, _collate(tokenizer, [ids[i] for i in chosen]), target[chosen])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), options.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            epoch_loss, epoch_steps = epoch_loss + float(loss.detach()), epoch_steps + 1
            log["steps"] += 1
            progress.update(1)
            progress.set_postfix(epoch=epoch + 1, loss=f"{epoch_loss / epoch_steps:.4f}")
            if (
                options.time_budget_s is not None
                and time.monotonic() - started > options.time_budget_s
            ):
                log["stopped"] = "time budget"
                break
        log["train_loss"].append(epoch_loss / max(epoch_steps, 1))
        # One epoch leaves nothing to choose between: skip the validation pass then.
        if val_ids and val_labels is not None and options.epochs > 1:
            val_loss = evaluate_loss(model, tokenizer, val_ids, val_labels, options.batch_size * 2)
            log["val_loss"].append(val_loss)
            LOGGER.info("epoch %d: validation loss %.4f", epoch + 1, val_loss)
            if val_loss < best_loss:
                best_loss, stale = val_loss, 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                stale += 1
        if log["stopped"] == "time budget":
            LOGGER.warning(
                "time budget of %ss spent after %d steps", options.time_budget_s, log["steps"]
            )
            break
        if stale >= max(options.patience, 1):
            log["stopped"] = "early stopping"
            break
    progress.close()
    if best_state is not None and log["val_loss"] and log["val_loss"][-1] > best_loss:
        model.load_state_dict(best_state)
    log["seconds"] = time.monotonic() - started
    model.eval()
    return log


def evaluate_loss(
    model: Any, tokenizer: Any, ids: list[Encoded], labels: np.ndarray, batch_size: int
) -> float:
    """Mean cross-entropy over a dataset, in eval mode."""
    proba = score(model, tokenizer, ids, batch_size=batch_size)
    p = np.clip(proba, 1e-7, 1 - 1e-7)
    y = np.asarray(labels)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def score(model: Any, tokenizer: Any, ids: list[Encoded], batch_size: int = 32) -> np.ndarray:
    """Softmax probability of label 1 (fake) for each encoded article, batched by length."""
    model.eval()
    # Sorting by length keeps padding, and so wasted compute, small in each batch.
    order = np.argsort([len(x["input_ids"]) for x in ids], kind="stable")
    out = np.empty(len(ids), dtype=np.float64)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            logits = model(**_collate(tokenizer, [ids[i] for i in chosen])).logits
            out[chosen] = torch.softmax(logits.float(), dim=-1)[:, 1].numpy()
    return out
