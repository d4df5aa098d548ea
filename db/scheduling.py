"""Schedule state in the database: claiming due sources, and recording when each is due next.

Claims are leases with a short expiry that the claiming daemon renews while it lives
(`renew_claims`, its heartbeat): a daemon killed outright leaves claims that expire within a
minute, so no source is crawled by two daemons at once and none stays locked for long. A
daemon starting up also takes back at once the claims of dead daemons on its own host, and
closes the crawl runs they left `running` (`reclaim_from_the_dead`). PostgreSQL claims with
FOR UPDATE SKIP LOCKED; SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from db.models import CrawlOutcome, CrawlRun, Source


def claim_due_sources(
    session: Session, *, now: datetime, owner: str, lease: timedelta, limit: int
) -> list[str]:
    """Claim up to `limit` enabled sources that are due and unclaimed; returns their names.

    A source whose time passed several intervals ago is crawled once (missed runs coalesce).
    """
    query = (
        select(Source)
        .where(
            Source.enabled.is_(True),
            or_(Source.next_crawl_at.is_(None), Source.next_crawl_at <= now),
            or_(Source.claimed_until.is_(None), Source.claimed_until < now),
        )
        .order_by(Source.next_crawl_at.is_not(None), Source.next_crawl_at, Source.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    sources = list(session.scalars(query))
    for source in sources:
        source.claimed_by = owner
        source.claimed_until = now + lease
    session.flush()
    return [source.name for source in sources]


def schedule_next(
    session: Session,
    source_id: int,
    *,
    failed: bool,
    interval: int,
    next_crawl_at: datetime,
) -> None:
    """Record a finished crawl's effect on the schedule and release the source's claim."""
    source = session.get_one(Source, source_id)
    source.consecutive_failures = source.consecutive_failures + 1 if failed else 0
    source.poll_interval_seconds = interval
    source.next_crawl_at = next_crawl_at
    source.claimed_by = None
    source.claimed_until = None
    session.flush()


def release_sources(session: Session, owner: str, names: Sequence[str] | None = None) -> int:
    """Give back claims (all of `owner`'s, or only those of `names`); returns how many."""
    statement = update(Source).where(Source.claimed_by == owner)
    if names is not None:
        statement = statement.where(Source.name.in_(list(names)))
    result = session.execute(statement.values(claimed_by=None, claimed_until=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def renew_claims(session: Session, owner: str, *, now: datetime, lease: timedelta) -> int:
    """Extend every claim `owner` holds to `now + lease` (the heartbeat); returns how many."""
    result = session.execute(
        update(Source).where(Source.claimed_by == owner).values(claimed_until=now + lease)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def reclaim_from_the_dead(
    session: Session, *, now: datetime, is_dead: Callable[[str], bool], stale_before: datetime
) -> list[str]:
    """Release claims that expired or whose owner `is_dead`, and close the crawl runs of those
    sources left `running`, and any run started before `stale_before` (no crawl lasts that
    long); returns the names of the sources released."""
    claimed = session.scalars(select(Source).where(Source.claimed_by.is_not(None))).all()
    released = []
    for source in claimed:
        expired = source.claimed_until is None or source.claimed_until < now
        if expired or is_dead(source.claimed_by or ""):
            source.claimed_by = None
            source.claimed_until = None
            released.append(source.name)
    session.flush()
    stale = session.scalars(
        select(CrawlRun.source_name).where(
            CrawlRun.outcome == CrawlOutcome.RUNNING, CrawlRun.started_at < stale_before
        )
    ).all()
    mark_interrupted_runs(session, sorted({*released, *stale}), now)
    return released


def mark_interrupted_runs(
    session: Session,
    source_names: Sequence[str],
    now: datetime,
    *,
    started_before: datetime | None = None,
) -> int:
    """Close crawl runs of these sources that a killed crawl left `running` (only those
    started before `started_before`, if given: older than any live crawl can be)."""
    query = select(CrawlRun).where(
        CrawlRun.outcome == CrawlOutcome.RUNNING, CrawlRun.source_name.in_(list(source_names))
    )
    if started_before is not None:
        query = query.where(CrawlRun.started_at < started_before)
    runs = session.scalars(query)
    count = 0
    for run in runs:
        run.outcome = CrawlOutcome.FAILED
        run.finished_at = now
        run.errors = [
            *run.errors,
            {"url": "-", "reason": "interrupted", "message": "crawl stopped"},
        ]
        reasons = dict(run.errors_by_reason or {})
        run.errors_by_reason = {**reasons, "interrupted": reasons.get("interrupted", 0) + 1}
        count += 1
    session.flush()
    return count
