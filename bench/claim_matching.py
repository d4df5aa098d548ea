"""How well and how fast fakewatch finds the checked claim a text repeats.

On a folder laid out like ../shared/data/claim_matching (`claims.csv.gz`, `queries.csv.gz`,
`pairs.csv.gz`), with the matcher the daemon runs (classifier.claim_matching):

- ranking: recall@1, recall@5 and MRR over the whole claim pool, beside BM25 (rank_bm25,
  the README's baseline formula) on the same queries in the same run;
- the verdict threshold: precision of the reported matches (top claim at or above the
  threshold) and the share of queries that get one, chosen on the CheckThat! `train` and
  `dev` queries and checked on the others; over the whole pool, and over the query's
  publisher's claims only (CheckThat!'s setting). Over the whole pool precision is a lower
  bound: PolitiFact and Snopes often checked the same claim, and the gold names one of them;
- real news (GossipCop's first 400 articles with text, which mostly repeat no checked claim):
  how many get a match at each threshold, and how many of those are right, by the labels in
  bench/results/claim_matching_news_judged.csv (read by hand; a pair not there counts wrong);
- speed (`--speed`): 1,000 news articles (GossipCop, 16 passages each) embedded and matched
  against 100,000 claims (the real pool plus synthetic ones), and how index build and search
  grow to 1,000,000 claims (`--scale`).

    python bench/claim_matching.py [--data DIR] [--json] [--no-bm25] [--no-news] [--speed]
                                   [--scale 100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench.machine import describe  # noqa: E402
from bench.shared_data import SHARED_DATA  # noqa: E402
from classifier.claim_matching.encoder import SentenceEncoder  # noqa: E402
from classifier.claim_matching.index import ClaimIndex  # noqa: E402
from classifier.claim_matching.matcher import THRESHOLD, ClaimMatcher, EmbeddedArticle  # noqa: E402
from db.claims import matching_text  # noqa: E402

CHOOSING_SPLITS = ("train", "dev")
TARGET_PRECISION = 0.95
JUDGED = REPO / "bench" / "results" / "claim_matching_judged.csv"
NEWS_JUDGED = REPO / "bench" / "results" / "claim_matching_news_judged.csv"
NEWS_ARTICLES = 400
ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, set[str]]]:
    read = lambda name: pd.read_csv(folder / name, keep_default_na=False)  # noqa: E731
    claims, queries, pairs = read("claims.csv.gz"), read("queries.csv.gz"), read("pairs.csv.gz")
    gold = pairs.groupby("query_id")["claim_id"].apply(set).to_dict()
    return claims, queries, gold


def ranking_scores(
    ranked: list[list[str]], queries: pd.DataFrame, gold: dict[str, set[str]]
) -> dict[str, float]:
    recall1, recall5, reciprocal = [], [], []
    for query_id, ranking in zip(queries["query_id"], ranked, strict=True):
        wanted = gold[query_id]
        recall1.append(len(wanted & set(ranking[:1])) / len(wanted))
        recall5.append(len(wanted & set(ranking[:5])) / len(wanted))
        rank = next((n + 1 for n, claim in enumerate(ranking) if claim in wanted), None)
        reciprocal.append(1 / rank if rank else 0.0)
    return {"recall@1": float(np.mean(recall1)), "recall@5": float(np.mean(recall5)),
            "mrr": float(np.mean(reciprocal))}  # fmt: skip


def bm25_rankings(claims: pd.DataFrame, queries: pd.DataFrame, depth: int) -> list[list[str]]:
    from rank_bm25 import BM25Okapi
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    def tokens(text: str) -> list[str]:
        return [t for t in ALPHANUMERIC.split(text.lower()) if t and t not in ENGLISH_STOP_WORDS]

    documents = (claims["claim"] + " " + claims["title"] + " " + claims["subtitle"]).map(tokens)
    bm25 = BM25Okapi(documents.tolist(), k1=1.5, b=0.75)
    ids = claims["claim_id"].to_numpy()
    return [
        list(ids[np.argsort(-bm25.get_scores(tokens(text)))[:depth]]) for text in queries["text"]
    ]


def threshold_table(
    scored: list[list[tuple[str, float]]],
    queries: pd.DataFrame,
    gold: dict[str, set[str]],
    claims: pd.DataFrame,
) -> tuple[list[dict[str, Any]], float | None]:
    """Precision of the reported matches (the top claim, if at or above the threshold) and
    the share of queries reported, per part and per pool: `all` claims, or the query's
    `publisher`'s only (tweets: Snopes, debate sentences: PolitiFact; CheckThat!'s setting,
    where the gold is complete: across publishers the same claim was often checked twice)."""
    publisher = dict(zip(claims["claim_id"], claims["publisher"], strict=True))
    wanted = np.where(queries["kind"].to_numpy(dtype=object) == "tweet", "snopes", "politifact")
    choosing = queries["ct_split"].isin(CHOOSING_SPLITS).to_numpy()
    tops = {
        "all": [ranking[0] if ranking else ("", 0.0) for ranking in scored],
        "publisher": [
            next(((c, s) for c, s in ranking if publisher[c] == wanted[n]), ("", 0.0))
            for n, ranking in enumerate(scored)
        ],
    }
    # Mismatches read by hand (bench/results/claim_matching_judged.csv): the matched claim is
    # the same claim as a gold one, checked again; a mismatch not in the file counts as wrong.
    same_claim = judged_same_claim()
    top_all = tops["all"]
    judged = np.array([
        c in gold[q] or (q, c) in same_claim
        for (c, _), q in zip(top_all, queries["query_id"], strict=True)
    ])  # fmt: skip
    rows, chosen = [], None
    for threshold in np.arange(0.40, 0.801, 0.025):
        row: dict[str, Any] = {"threshold": round(float(threshold), 3)}
        picked = (np.array([score for _, score in top_all]) >= threshold) & choosing
        row["all_choosing_judged"] = float(judged[picked].mean()) if picked.any() else None
        for pool, top in tops.items():
            right = np.array(
                [c in gold[q] for (c, _), q in zip(top, queries["query_id"], strict=True)]
            )
            reported = np.array([score for _, score in top]) >= threshold
            for part, mask in (("choosing", choosing), ("checking", ~choosing)):
                picked = reported & mask
                row[f"{pool}_{part}_reported"] = float(picked.sum() / mask.sum())
                row[f"{pool}_{part}_precision"] = (
                    float(right[picked].mean()) if picked.any() else None
                )
        if chosen is None and (row["all_choosing_judged"] or 0) >= TARGET_PRECISION:
            chosen = row["threshold"]
        rows.append(row)
    return rows, chosen


def judged_same_claim() -> set[tuple[str, str]]:
    if not JUDGED.is_file():
        return set()
    frame = pd.read_csv(JUDGED)
    same = frame[frame["same_claim"] == 1]
    return set(zip(same["query_id"], same["matched_claim_id"], strict=True))


def rank_queries(
    matcher: ClaimMatcher, queries: pd.DataFrame, ids: np.ndarray
) -> list[list[tuple[str, float]]]:
    """Each query's candidate claims (ids of the benchmark) with their scores, best first."""
    vectors = matcher.encoder.encode(queries["text"].tolist())
    articles = [
        EmbeddedArticle([text[:400]], vectors[n : n + 1]) for n, text in enumerate(queries["text"])
    ]
    return [[(ids[m.claim_id], m.score) for m in matches] for matches in matcher.ranked(articles)]


def news_articles(count: int) -> list[tuple[str, str]]:
    path = SHARED_DATA / "fakenewsnet_gossipcop" / "gossipcop.csv.gz"
    frame = pd.read_csv(path, keep_default_na=False)
    frame = frame[frame["text"].str.len() > 500].head(count)
    return list(zip(frame["title"], frame["text"], strict=True))


def news_check(matcher: ClaimMatcher, claims: pd.DataFrame) -> list[dict[str, Any]]:
    """Matches of real news articles, which mostly repeat no checked claim: how many, and how
    many right by the hand-read labels (a pair not in the file counts as wrong)."""
    articles = news_articles(NEWS_ARTICLES)
    saved, matcher.threshold = matcher.threshold, 0.0
    try:
        found = matcher.match(matcher.embed(articles))
    finally:
        matcher.threshold = saved
    labels = pd.read_csv(NEWS_JUDGED) if NEWS_JUDGED.is_file() else pd.DataFrame()
    right = set()
    if len(labels):
        same = labels[labels["same_claim"] == 1]
        right = set(zip(same["article_title"], same["matched_claim_id"], strict=True))
    ids = claims["claim_id"].to_numpy()
    best = [(title, ids[m[0].claim_id], m[0].score) for (title, _), m in
            zip(articles, found, strict=True) if m]  # fmt: skip
    rows = []
    for threshold in np.arange(0.55, 0.801, 0.025):
        matched = [(title, claim) for title, claim, score in best if score >= threshold]
        correct = sum(1 for pair in matched if pair in right)
        rows.append({"threshold": round(float(threshold), 3), "matched": len(matched),
                     "precision": correct / len(matched) if matched else None})  # fmt: skip
    return rows


def speed(
    matcher: ClaimMatcher, claims: pd.DataFrame, pool: int, articles: list[tuple[str, str]]
) -> dict[str, Any]:
    """Embed and match `articles` against a pool of `pool` claims (real ones, then synthetic)."""
    real = len(matcher)
    rng = np.random.default_rng(0)
    extra = pool - real
    started = time.perf_counter()
    if extra > 0:
        synthetic = rng.standard_normal((extra, matcher.index.dimensions)).astype(np.float32)
        synthetic /= np.linalg.norm(synthetic, axis=1, keepdims=True)
        texts = claims["claim"].sample(extra, replace=True, random_state=0).tolist()
        matcher.add_claims(list(range(10_000_000, 10_000_000 + extra)), synthetic, texts)
    added = time.perf_counter() - started
    started = time.perf_counter()
    embedded = matcher.embed(articles)
    embedding = time.perf_counter() - started
    started = time.perf_counter()
    matches = matcher.match(embedded)
    matching = time.perf_counter() - started
    passages = sum(len(a.passages) for a in embedded)
    return {"claims": len(matcher), "articles": len(articles), "passages": passages,
            "index_add_s": round(added, 1), "embed_s": round(embedding, 1),
            "match_s": round(matching, 1), "total_s": round(embedding + matching, 1),
            "articles_with_a_match": sum(1 for m in matches if m)}  # fmt: skip


def scale(sizes: list[int], queries: np.ndarray) -> list[dict[str, Any]]:
    """Index build and search time for synthetic pools: how the cost grows with the claims."""
    rows = []
    rng = np.random.default_rng(1)
    for size in sizes:
        index = ClaimIndex(queries.shape[1])
        started = time.perf_counter()
        for start in range(0, size, 100_000):
            block = rng.standard_normal((min(100_000, size - start), queries.shape[1])).astype(
                np.float32
            )
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            index.add(np.arange(start, start + len(block)), block)
        build = time.perf_counter() - started
        started = time.perf_counter()
        index.search(queries, 20)
        search = time.perf_counter() - started
        mib = round(size * queries.shape[1] * 4 / 2**20)
        rows.append({"claims": size, "build_s": round(build, 1), "search_s": round(search, 2),
                     "queries": len(queries), "vectors_mib": mib})  # fmt: skip
        print(
            f"  {size:>9,} claims: build {build:.1f} s, {len(queries):,} searches {search:.2f} s",
            flush=True,
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "claim_matching")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--no-bm25", action="store_true", help="skip the BM25 baseline (3 min)")
    parser.add_argument("--no-news", action="store_true", help="skip the news-articles check")
    parser.add_argument(
        "--speed", action="store_true", help="1,000 articles against 100,000 claims"
    )
    parser.add_argument(
        "--scale", default="", help="pool sizes for index build/search, e.g. 100000,1000000"
    )
    args = parser.parse_args()
    if not (args.data / "claims.csv.gz").is_file():
        print(f"no claims.csv.gz in {args.data}", file=sys.stderr)
        return 2
    say = (
        (lambda *a: print(*a, file=sys.stderr, flush=True))
        if args.json
        else (lambda *a: print(*a, flush=True))
    )
    say(f"machine: {describe(('faiss-cpu', 'sentence-transformers', 'torch'))}")
    claims, queries, gold = load(args.data)
    matcher = ClaimMatcher(SentenceEncoder())
    started = time.perf_counter()
    texts = [
        matching_text(c, t or None) for c, t in zip(claims["claim"], claims["title"], strict=True)
    ]
    vectors = matcher.encoder.encode(texts)
    embed_s = time.perf_counter() - started
    started = time.perf_counter()
    matcher.add_claims(list(range(len(claims))), vectors, texts)
    index_s = time.perf_counter() - started
    say(
        f"{len(claims):,} claims embedded in {embed_s:.0f} s ({len(claims) / embed_s:.0f}/s), "
        f"indexed in {index_s:.1f} s"
    )
    ids = claims["claim_id"].to_numpy()
    started = time.perf_counter()
    scored = rank_queries(matcher, queries, ids)
    rankings = [[claim for claim, _ in ranking] for ranking in scored]
    query_s = time.perf_counter() - started
    figures: dict[str, Any] = ranking_scores(rankings, queries, gold)
    figures["queries"] = len(queries)
    figures["query_s"] = round(query_s, 1)
    say(
        f"fakewatch (MiniLM + words): R@1 {figures['recall@1']:.3f}  "
        f"R@5 {figures['recall@5']:.3f}  "
        f"MRR {figures['mrr']:.3f}  ({len(queries):,} queries in {query_s:.1f} s)"
    )
    by_kind = {}
    for kind, rows in queries.groupby("kind"):
        positions = rows.index.to_numpy()
        by_kind[kind] = ranking_scores([rankings[p] for p in positions], rows, gold)
        say(f"  {kind}: " + "  ".join(f"{k} {v:.3f}" for k, v in by_kind[kind].items()))
    figures["by_kind"] = by_kind
    if not args.no_bm25:
        started = time.perf_counter()
        figures["bm25"] = ranking_scores(bm25_rankings(claims, queries, 100), queries, gold)
        say(
            f"BM25 baseline:              R@1 {figures['bm25']['recall@1']:.3f}  R@5 "
            f"{figures['bm25']['recall@5']:.3f}  MRR {figures['bm25']['mrr']:.3f}  "
            f"({time.perf_counter() - started:.0f} s)"
        )
    table, chosen = threshold_table(scored, queries, gold, claims)
    figures["thresholds"] = table
    figures["chosen_threshold"] = chosen
    figures["shipped_threshold"] = THRESHOLD
    say("precision of the reported matches (share of queries reported), by pool and part")
    say(
        "threshold  all/choosing     all/checking     publisher/choosing  publisher/checking"
        "  all/choosing, read by hand"
    )
    for row in table:
        cells = []
        for key in ("all_choosing", "all_checking", "publisher_choosing", "publisher_checking"):
            precision, reported = row[f"{key}_precision"], row[f"{key}_reported"]
            cells.append(f"{precision:.3f} ({reported:.2f})" if precision is not None else "  -  ")
        judged = row["all_choosing_judged"]
        cells.append(f"{judged:.3f}" if judged is not None else "  -  ")
        say(f"  {row['threshold']:.3f}    " + "    ".join(f"{c:<15}" for c in cells))
    say(
        f"lowest threshold with precision >= {TARGET_PRECISION} on the choosing part, mismatches "
        f"read by hand: {chosen}"
    )
    if (args.data / "claims.csv.gz").resolve() == (SHARED_DATA / "claim_matching" / "claims.csv.gz"
                                                   ).resolve() and not args.no_news:  # fmt: skip
        figures["news"] = news_check(matcher, claims)
        say(
            "news articles (GossipCop's first 400 with text): matches at each threshold, and the "
            "share of them read as the same claim (bench/results/claim_matching_news_judged.csv)"
        )
        for row in figures["news"]:
            precision = "-" if row["precision"] is None else f"{row['precision']:.3f}"
            say(f"  {row['threshold']:.3f}  {row['matched']:>3} matched  precision {precision}")
        safe = [r["threshold"] for r in figures["news"]
                if r["precision"] is not None and r["precision"] >= TARGET_PRECISION]  # fmt: skip
        figures["news_threshold"] = min(safe) if safe else None
        say(
            f"lowest threshold with news precision >= {TARGET_PRECISION}: "
            f"{figures['news_threshold']}; shipped {THRESHOLD}"
        )
    if args.speed:
        articles = news_articles(1000)
        figures["speed"] = speed(matcher, claims, 100_000, articles)
        say(f"speed: {json.dumps(figures['speed'])}")
    if args.scale:
        # 16,000 passages' worth of queries; search cost does not depend on what they say.
        rng = np.random.default_rng(2)
        passages = rng.standard_normal((16_000, matcher.index.dimensions)).astype(np.float32)
        passages /= np.linalg.norm(passages, axis=1, keepdims=True)
        figures["scale"] = scale([int(size) for size in args.scale.split(",")], passages)
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
