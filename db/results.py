"""Reading results: articles with their current verdict, filtered and sorted; per-source stats.

The same statements run on SQLite and PostgreSQL, with bound parameters only. An article's
current verdict is its latest prediction (newest `created_at`, then newest id): the `results`
view's rule, applied to one model's predictions when a model is named. "Latest" is written as
"no newer prediction exists", an anti-join both planners run from the article_id index; the
view's correlated `LIMIT 1` lets PostgreSQL, before it has statistics, scan every prediction
for every article.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased

from db.models import (
    Article,
    ArticleAlias,
    ArticleEvidence,
    ArticleStatus,
    Claim,
    ClaimMatch,
    Prediction,
    Review,
    Source,
)
from db.search import parse_search, search_failure, search_hits

VERDICTS = ("fake", "uncertain", "real")
UNSCORED = "unscored"
STATUSES = tuple(status.value for status in ArticleStatus)
TIME_FIELDS = ("fetched", "published", "scored")
SORT_KEYS = ("fetched", "published", "scored", "probability", "source", "relevance")
STREAM_BATCH = 500

# Any select of result columns (SQLAlchemy 2.1 types a select by its column types).
Statement: TypeAlias = "Select[*tuple[Any, ...]]"

# The columns of the `results` view (migration 0010), in its order.
RESULT_COLUMNS = (
    "article_id",
    "source",
    "url",
    "title",
    "published_at",
    "fetched_at",
    "language",
    "status",
    "status_reason",
    "model",
    "model_version",
    "probability_fake",
    "verdict",
    "threshold",
    "scored_at",
    "shift_score",
    "explanation",
    "claim",
    "claim_rating",
    "fact_checker",
    "review_url",
    "match_score",
    "match_method",
    "evidence",
    "reviewed_label",
    "reviewer",
    "reviewed_at",
)
EVIDENCE = ("debunked", "supported")


@dataclass(frozen=True)
class ResultQuery:
    """Which results to read and in what order; empty tuples and None mean no filter."""

    sources: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()  # of VERDICTS, or UNSCORED for articles without a verdict
    statuses: tuple[str, ...] = ()
    model: str | None = None  # None: the latest verdict of any model, as the `results` view
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    time_field: str = "fetched"
    min_probability: float | None = None
    max_probability: float | None = None
    sort: str = "fetched"
    descending: bool = True
    limit: int | None = None
    evidence: tuple[str, ...] = ()  # of EVIDENCE: articles whose best claim match gives it
    search: str | None = None  # full-text search (db/search.py's syntax); sort "relevance"
    reviewed: bool | None = None  # only articles with (True) or without (False) a review


@dataclass(frozen=True)
class Window:
    """A span of fetch times ending at the report's time; `span` None means since the start."""

    name: str
    span: timedelta | None


@dataclass(frozen=True)
class SourceStats:
    """One source's articles fetched within one window, and one model's verdicts on them."""

    source: str | None
    model: str | None
    window: str
    articles: int
    waiting: int
    skipped: int
    errors: int
    scored: int
    fake: int
    last_fetched: datetime | None

    @property
    def fake_rate(self) -> float | None:
        """Share of the scored articles whose current verdict is fake; None when none scored."""
        return self.fake / self.scored if self.scored else None


def source_names(session: Session, enabled_only: bool = False) -> list[str]:
    """Names of the sources in the store (only the enabled ones, if asked), sorted."""
    query = select(Source.name).order_by(Source.name)
    if enabled_only:
        query = query.where(Source.enabled)
    return list(session.scalars(query))


def source_categories(session: Session) -> dict[str, str]:
    """Each source's category (wire, broadsheet, satire, ...), by name."""
    return dict(session.execute(select(Source.name, Source.category)).tuples().all())


def model_names(session: Session) -> list[str]:
    """Names of the models that have scored at least one article, sorted."""
    query = select(Prediction.model_name).distinct().order_by(Prediction.model_name)
    return list(session.scalars(query))


def iter_results(session: Session, query: ResultQuery) -> Iterator[dict[str, Any]]:
    """The matching results as dicts keyed by RESULT_COLUMNS, streamed in batches.

    Rows are fetched STREAM_BATCH at a time (a server-side cursor on PostgreSQL), so a
    caller that writes each row out never holds the whole table.
    """
    hits = None
    if query.search is not None:
        hits = search_hits(session.get_bind().dialect.name, parse_search(query.search))
    elif query.sort == "relevance":
        raise ValueError("sorting by relevance needs a search")
    statement = _results_statement(query.model)
    if hits is not None:
        statement = statement.join(hits, hits.c.article_id == Article.id)
    statement = _ordered(_filtered(statement, query), query, hits)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    try:
        rows = session.execute(statement, execution_options={"yield_per": STREAM_BATCH})
    except OperationalError as exc:
        failure = search_failure(exc) if hits is not None else None
        if failure is None:
            raise
        raise failure from None
    for row in rows:
        values = dict(row._mapping)
        if values["status"] is not None:
            values["status"] = ArticleStatus(values["status"]).value
        yield values


def source_stats(
    session: Session,
    windows: Sequence[Window],
    *,
    now: datetime,
    sources: Sequence[str] = (),
    models: Sequence[str] = (),
    until: datetime | None = None,
) -> list[SourceStats]:
    """Per source, model and window: article counts by status and the model's verdicts.

    Windows end at `now` and count articles by `fetched_at`; `until` (exclusive) leaves out
    later articles, for a report as of a past time. Every source in the store gets a row for
    every model (all models with predictions unless `models` names some), zeros included.
    """
    chosen_models: list[str | None] = list(models) or list(model_names(session)) or [None]
    last_fetched = _last_fetched(session, sources, until)
    names: list[str | None] = list(sources)
    if not sources:  # the enabled sources and those with articles; not a disabled one's zeros
        with_articles = {name for name in last_fetched if name is not None}
        names = [*sorted(set(source_names(session, enabled_only=True)) | with_articles)]
    if None in last_fetched and not sources:
        names.append(None)  # articles whose source was deleted
    stats = []
    for window in windows:
        since = now - window.span if window.span is not None else None
        counts = _article_counts(session, sources, since, until)
        verdicts = verdict_counts(session, sources, models, since, until)
        for name in names:
            articles, waiting, skipped, errors = counts.get(name, (0, 0, 0, 0))
            for model in chosen_models:
                scored, fake = verdicts.get((name, model), (0, 0))
                stats.append(
                    SourceStats(
                        source=name,
                        model=model,
                        window=window.name,
                        articles=articles,
                        waiting=waiting,
                        skipped=skipped,
                        errors=errors,
                        scored=scored,
                        fake=fake,
                        last_fetched=last_fetched.get(name),
                    )
                )
    order = {window.name: i for i, window in enumerate(windows)}
    stats.sort(key=lambda s: (s.source is None, s.source or "", s.model or "", order[s.window]))
    return stats


def _is_latest(*, same_model: bool) -> ColumnElement[bool]:
    """True for a prediction with no newer one of its article (by its model, if `same_model`)."""
    newer = aliased(Prediction)
    conditions = [
        newer.article_id == Prediction.article_id,
        or_(
            newer.created_at > Prediction.created_at,
            and_(newer.created_at == Prediction.created_at, newer.id > Prediction.id),
        ),
    ]
    if same_model:
        conditions.append(newer.model_name == Prediction.model_name)
    return ~exists().where(*conditions).correlate(Prediction)


def current_prediction(model: str | None) -> ColumnElement[bool]:
    """Join condition: the article's latest prediction (by `model`, or by any model)."""
    if model is None:
        return and_(Prediction.article_id == Article.id, _is_latest(same_model=False))
    return and_(
        Prediction.article_id == Article.id,
        Prediction.model_name == model,
        _is_latest(same_model=True),
    )


def _results_statement(model: str | None) -> Statement:
    """The `results` view's rows, rebuilt here so that a model can be chosen."""
    return (
        select(
            Article.id.label("article_id"),
            Source.name.label("source"),
            Article.url,
            Article.title,
            Article.published_at,
            Article.fetched_at,
            Article.language,
            Article.status,
            Article.status_reason,
            Prediction.model_name.label("model"),
            Prediction.model_version,
            Prediction.probability_fake,
            Prediction.verdict,
            Prediction.threshold,
            Prediction.created_at.label("scored_at"),
            Prediction.shift_score,
            Prediction.explanation,
            Claim.claim,
            Claim.rating.label("claim_rating"),
            Claim.fact_checker,
            Claim.review_url,
            ClaimMatch.score.label("match_score"),
            ClaimMatch.method.label("match_method"),
            ArticleEvidence.evidence,
            Review.label.label("reviewed_label"),
            Review.reviewer,
            Review.reviewed_at,
        )
        .select_from(Article)
        .outerjoin(Source, Source.id == Article.source_id)
        .outerjoin(Prediction, current_prediction(model))
        .outerjoin(ArticleEvidence, ArticleEvidence.article_id == Article.id)
        .outerjoin(ClaimMatch, ClaimMatch.id == ArticleEvidence.match_id)
        .outerjoin(Claim, Claim.id == ClaimMatch.claim_id)
        .outerjoin(Review, current_review())
    )


def current_review() -> ColumnElement[bool]:
    """Join condition: the article's newest review (by time, then id), as the view's."""
    newer = aliased(Review)
    return and_(
        Review.article_id == Article.id,
        ~exists()
        .where(
            newer.article_id == Review.article_id,
            or_(
                newer.reviewed_at > Review.reviewed_at,
                and_(newer.reviewed_at == Review.reviewed_at, newer.id > Review.id),
            ),
        )
        .correlate(Review),
    )


def _time_column(field: str) -> Any:
    return {
        "fetched": Article.fetched_at,
        "published": Article.published_at,
        "scored": Prediction.created_at,
    }[field]


def _filtered(statement: Statement, query: ResultQuery) -> Statement:
    if query.sources:  # the articles these sources published, first or again
        credits = article_credits()
        published = (
            select(credits.c.article_id)
            .join(Source, Source.id == credits.c.source_id)
            .where(Source.name.in_(query.sources))
        )
        statement = statement.where(Article.id.in_(published))
    if query.verdicts:
        statement = statement.where(_verdict_condition(query.verdicts))
    if query.evidence:
        statement = statement.where(ArticleEvidence.evidence.in_(query.evidence))
    if query.reviewed is not None:
        statement = statement.where(
            Review.id.is_not(None) if query.reviewed else Review.id.is_(None)
        )
    if query.statuses:
        statement = statement.where(
            Article.status.in_([ArticleStatus(status) for status in query.statuses])
        )
    when = _time_column(query.time_field)
    if query.since is not None:
        statement = statement.where(when >= query.since)
    if query.until is not None:
        statement = statement.where(when < query.until)
    if query.min_probability is not None:
        statement = statement.where(Prediction.probability_fake >= query.min_probability)
    if query.max_probability is not None:
        statement = statement.where(Prediction.probability_fake <= query.max_probability)
    return statement


def _verdict_condition(verdicts: Sequence[str]) -> ColumnElement[bool]:
    named = [v for v in verdicts if v != UNSCORED]
    conditions: list[ColumnElement[bool]] = []
    if named:
        conditions.append(Prediction.verdict.in_(named))
    if UNSCORED in verdicts:
        conditions.append(Prediction.id.is_(None))
    return or_(false(), *conditions)


def _ordered(statement: Statement, query: ResultQuery, hits: Subquery | None) -> Statement:
    """Sort by the chosen key, then fetch time and id in the same direction; NULLs last."""
    key = {
        "fetched": Article.fetched_at,
        "published": Article.published_at,
        "scored": Prediction.created_at,
        "probability": Prediction.probability_fake,
        "source": Source.name,
        "relevance": hits.c.relevance if hits is not None else Article.fetched_at,
    }[query.sort]
    keys = [key] if key is Article.fetched_at else [key, Article.fetched_at]
    keys.append(Article.id)
    return statement.order_by(
        *((k.desc() if query.descending else k.asc()).nulls_last() for k in keys)
    )


def _in_window(since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    conditions = []
    if since is not None:
        conditions.append(Article.fetched_at >= since)
    if until is not None:
        conditions.append(Article.fetched_at < until)
    return conditions


def article_credits() -> Subquery:
    """(article_id, source_id): every source that published an article. The source whose crawl
    stored it, and each source whose crawl found the same text or URL again (an alias): a
    story syndicated by three outlets counts for all three, whichever was crawled first."""
    stored = select(Article.id.label("article_id"), Article.source_id.label("source_id"))
    found_again = select(ArticleAlias.article_id, ArticleAlias.source_id).where(
        ArticleAlias.source_id.is_not(None)
    )
    return union(stored, found_again).subquery("credits")


def _per_source(
    columns: Sequence[Any],
    sources: Sequence[str],
    since: datetime | None,
    until: datetime | None,
) -> Statement:
    """Source name and `columns` over the articles it published fetched in the window, one row
    a source (an article published by several sources counts for each)."""
    credits = article_credits()
    query = (
        select(Source.name, *columns)
        .select_from(Article)
        .join(credits, credits.c.article_id == Article.id)
        .outerjoin(Source, Source.id == credits.c.source_id)
        .where(*_in_window(since, until))
        .group_by(Source.name)
    )
    return query.where(Source.name.in_(sources)) if sources else query


def _article_counts(
    session: Session, sources: Sequence[str], since: datetime | None, until: datetime | None
) -> dict[str | None, tuple[int, int, int, int]]:
    """Per source name: articles, waiting, skipped and failed ones fetched in the window."""

    def count(status: ArticleStatus) -> Any:
        return func.sum(case((Article.status == status, 1), else_=0))

    query = _per_source(
        (
            func.count(Article.id),
            count(ArticleStatus.NEW),
            count(ArticleStatus.SKIPPED),
            count(ArticleStatus.ERROR),
        ),
        sources,
        since,
        until,
    )
    return {
        name: (int(total), int(new or 0), int(skipped or 0), int(errors or 0))
        for name, total, new, skipped, errors in session.execute(query)
    }


def verdict_counts(
    session: Session,
    sources: Sequence[str],
    models: Sequence[str],
    since: datetime | None,
    until: datetime | None,
) -> dict[tuple[str | None, str | None], tuple[int, int]]:
    """Per (source, model): articles in the window with a verdict by the model, and fakes.

    Only each model's latest prediction of an article counts, so a re-score with a new
    model version replaces the old verdict instead of counting twice.
    """
    fake = func.sum(case((Prediction.verdict == "fake", 1), else_=0))
    query = _latest_per_source_and_model((func.count(Prediction.id), fake), since, until)
    if sources:
        query = query.where(Source.name.in_(sources))
    if models:
        query = query.where(Prediction.model_name.in_(models))
    return {
        (name, model): (int(scored), int(fakes or 0))
        for name, model, scored, fakes in session.execute(query)
    }


@dataclass(frozen=True)
class DriftCounts:
    """One source's recent predictions by one model, as the drift gauges need them."""

    scored: int
    with_shift: int  # predictions that carry a shift score and limit
    beyond_limit: int  # of those, the out-of-distribution ones
    shift_sum: float
    score_bins: tuple[int, ...]  # predictions per probability bin (`bins` edges)

    @property
    def out_of_distribution_ratio(self) -> float | None:
        return self.beyond_limit / self.with_shift if self.with_shift else None

    @property
    def mean_shift(self) -> float | None:
        return self.shift_sum / self.with_shift if self.with_shift else None


def drift_counts(
    session: Session, since: datetime | None, bins: Sequence[tuple[float, float]]
) -> dict[tuple[str, str], DriftCounts]:
    """Per (source, model), each model's latest prediction of articles fetched since `since`:
    how many lie beyond the model's shift limit, their mean shift, and their scores per bin
    (low <= p < high; the last bin also takes p == high)."""
    has_shift = and_(Prediction.shift_score.is_not(None), Prediction.shift_limit.is_not(None))
    counted = [
        func.count(Prediction.id),
        func.sum(case((has_shift, 1), else_=0)),
        func.sum(case((and_(has_shift, Prediction.shift_score > Prediction.shift_limit), 1),
                      else_=0)),
        func.sum(case((has_shift, Prediction.shift_score), else_=0.0)),
    ]  # fmt: skip
    last = len(bins) - 1
    for i, (low, high) in enumerate(bins):
        top = (
            Prediction.probability_fake <= high if i == last else Prediction.probability_fake < high
        )
        counted.append(func.sum(case((and_(Prediction.probability_fake >= low, top), 1), else_=0)))
    query = _latest_per_source_and_model(counted, since, None).where(Source.name.is_not(None))
    out = {}
    for name, model, scored, with_shift, beyond, shift_sum, *per_bin in session.execute(query):
        out[(name, model)] = DriftCounts(
            scored=int(scored),
            with_shift=int(with_shift or 0),
            beyond_limit=int(beyond or 0),
            shift_sum=float(shift_sum or 0.0),
            score_bins=tuple(int(n or 0) for n in per_bin),
        )
    return out


def _latest_per_source_and_model(
    columns: Sequence[Any], since: datetime | None, until: datetime | None
) -> Statement:
    """Source name, model and `columns` over each model's latest prediction of the articles
    fetched in the window, one row per (source, model); an article counts for every source
    that published it."""
    credits = article_credits()
    return (
        select(Source.name, Prediction.model_name, *columns)
        .select_from(Prediction)
        .join(Article, Article.id == Prediction.article_id)
        .join(credits, credits.c.article_id == Article.id)
        .outerjoin(Source, Source.id == credits.c.source_id)
        .where(_is_latest(same_model=True), *_in_window(since, until))
        .group_by(Source.name, Prediction.model_name)
    )


def _last_fetched(
    session: Session, sources: Sequence[str], until: datetime | None
) -> dict[str | None, datetime | None]:
    """Per source name: when its newest article was fetched."""
    query = _per_source((func.max(Article.fetched_at),), sources, None, until)
    return dict(session.execute(query).tuples().all())
