"""ScoringWorker: claims unscored articles in batches, scores them, stores the predictions."""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from common.messages import first_line
from db.scoring import ClaimedArticle, Score, claim_unscored, record_failure, save_scores
from db.types import utcnow
from scheduler import metrics
from scheduler.deployed_models import ModelSet

LOGGER = logging.getLogger(__name__)

# Contributions stored with each prediction: enough to see why, small enough per row.
EXPLAIN_TOP = 8


def worker_id() -> str:
    """A name for this process' claims: its host and process id."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def owner_is_dead(owner: str) -> bool:
    """True when `owner` (a `worker_id`) names a process of this host that no longer runs.

    Owners on other hosts cannot be checked from here: their claims expire with their lease.
    """
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A killed process not yet reaped by its parent still answers signal 0."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"


class ScoringWorker:
    """Scores the queue with every deployed model, one transaction per batch."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        models: ModelSet,
        *,
        owner: str | None = None,
        batch_size: int = 64,
        lease: timedelta = timedelta(minutes=10),
        max_attempts: int = 3,
    ) -> None:
        self.sessions = sessions
        self.models = models
        self.owner = owner or worker_id()
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts

    def score_batch(self) -> int:
        """Claim and score one batch; returns how many articles it took (0: queue empty)."""
        self.models.refresh()
        deployed = self.models.loaded
        if not deployed:
            return 0
        with self.sessions.begin() as session:
            batch = claim_unscored(
                session, now=utcnow(), owner=self.owner, lease=self.lease, limit=self.batch_size
            )
        if not batch:
            return 0
        try:
            scores = self._score(batch)
        except Exception as exc:  # one bad article must not block the queue: retry one by one
            LOGGER.warning("batch of %d failed (%s); scoring one by one", len(batch), exc)
            scores = self._score_singly(batch)
        with self.sessions.begin() as session:
            save_scores(session, self.owner, scores, utcnow())
        for model in deployed:
            verdicts = Counter(s.verdict for s in scores if s.model_name == model.name)
            LOGGER.info("scored %d articles with %s: %d fake, %d uncertain, %d real",
                        sum(verdicts.values()), model.name, verdicts["fake"],
                        verdicts["uncertain"], verdicts["real"])  # fmt: skip
        for article in batch:
            for score in (s for s in scores if s.article_id == article.id):
                metrics.ARTICLES_SCORED.labels(
                    article.source or "-", score.model_name, score.verdict
                ).inc()
        return len(batch)

    def run(self, stop: threading.Event, *, idle_seconds: float = 2.0) -> None:
        """Score until `stop` is set; sleeps when the queue is empty, backs off on DB errors."""
        delay = idle_seconds
        while not stop.is_set():
            try:
                taken = self.score_batch()
                delay = idle_seconds
            except OperationalError as exc:
                LOGGER.error("database unavailable while scoring (%s); retrying in %.0fs",
                             first_line(exc.orig or exc), delay)  # fmt: skip
                taken = 0
                delay = min(delay * 2, 60.0)
            except Exception:  # a bug must not stop scoring for good: log, wait, go on
                LOGGER.exception("scoring failed; retrying in %.0fs", delay)
                taken = 0
                delay = min(delay * 2, 60.0)
            if not taken:
                stop.wait(delay)

    def _score(self, batch: list[ClaimedArticle]) -> list[Score]:
        frame = pd.DataFrame({"title": [a.title for a in batch], "text": [a.text for a in batch]})
        scores: list[Score] = []
        for deployed in self.models.loaded:
            started = time.perf_counter()
            assessment = deployed.model.assess(frame, explain=EXPLAIN_TOP)
            per_article = (time.perf_counter() - started) / len(batch)
            histogram = metrics.SCORING_SECONDS.labels(deployed.name)
            for _ in batch:  # one observation per article, as the metric's help says
                histogram.observe(per_article)
            scores.extend(
                Score(
                    article.id,
                    deployed.name,
                    deployed.version,
                    float(p),
                    str(v),
                    deployed.threshold,
                    shift_score=None if math.isnan(shift) else float(shift),
                    shift_limit=deployed.shift_limit,
                    explanation=[[feature, weight] for feature, weight in why] or None,
                )
                for article, p, v, shift, why in zip(
                    batch,
                    assessment.proba_fake,
                    assessment.verdicts,
                    assessment.shift,
                    assessment.explanations,
                    strict=True,
                )
            )
        return scores

    def _score_singly(self, batch: list[ClaimedArticle]) -> list[Score]:
        scores: list[Score] = []
        for article in batch:
            try:
                scores.extend(self._score([article]))
            except Exception as exc:
                message = f"{type(exc).__name__}: {first_line(exc)}"
                with self.sessions.begin() as session:
                    given_up = record_failure(
                        session, article.id, message, max_attempts=self.max_attempts
                    )
                LOGGER.warning("article %d failed to score (%s)%s", article.id, message,
                               "; giving up" if given_up else "")  # fmt: skip
        return scores
