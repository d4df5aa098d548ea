"""`fakewatch review`: a person confirms or corrects verdicts; the reviews export as a corpus.

Three forms: `review ID --label fake|real` labels one article; `review` alone walks the recent
unreviewed fake and uncertain verdicts one by one, reading a key a line from stdin (so it works
from a pipe as from a terminal); `review --export FILE` writes the current labels as a CSV that
`fakewatch train --data FILE` reads as it is.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import getpass
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from db.results import ResultQuery, iter_results
from db.reviews import LABELS, ReviewInput, add_review, reviewed_articles
from db.types import utcnow
from fakewatch.commands.options import add_repeatable, choice, row_limit, split_values
from fakewatch.database import open_database
from fakewatch.result_tables import explanation_text
from fakewatch.settings import Settings, SettingsError
from fakewatch.times import TIME_FORMS, parse_time

# The corpus columns `fakewatch train` reads (title, text, label 1 = fake; id; source for
# --split source), then what tells a reader where each label came from.
EXPORT_COLUMNS = (
    "id", "title", "text", "label", "source", "url", "reviewer", "reviewed_at", "note",
    "model_verdict",
)  # fmt: skip
WALKED_VERDICTS = ("fake", "uncertain")
KEYS = {"f": "fake", "fake": "fake", "r": "real", "real": "real", "s": "skip", "skip": "skip",
        "": "skip", "q": "quit", "quit": "quit"}  # fmt: skip
PROMPT = "label? [f]ake [r]eal [s]kip [q]uit (a note may follow the key: f quote is made up) > "


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "review",
        help="confirm or correct verdicts (fake or real), one by one or by id; export the "
        "labels as a training corpus",
        description="Label articles fake or real. With ARTICLE_ID and --label, one article; "
        "without, walk the recent unreviewed fake and uncertain verdicts, one key a line "
        "from stdin; with --export FILE, write the labels as a corpus for `fakewatch train "
        f"--data FILE`. TIME is {TIME_FORMS}.",
    )
    parser.add_argument("article_id", nargs="?", metavar="ARTICLE_ID", help="the article's id")
    parser.add_argument("--label", metavar="|".join(LABELS), help="what the article is")
    parser.add_argument("--note", metavar="TEXT", help="why, for whoever reads the review later")
    parser.add_argument("--reviewer", metavar="NAME", help="who reviews (default: the login name)")
    add_repeatable(
        parser,
        "--verdict",
        "|".join((*WALKED_VERDICTS, "real")),
        "walk these current verdicts (default: fake,uncertain)",
    )
    add_repeatable(parser, "--source", "NAME", "walk only this source's articles")
    parser.add_argument(
        "--since", default="7d", metavar="TIME", help="walk articles fetched from TIME on "
        "(default: 7d)"
    )  # fmt: skip
    parser.add_argument("--limit", metavar="N", help="walk at most N articles (default 50)")
    parser.add_argument(
        "--export",
        metavar="FILE",
        help="write every reviewed article with its current label as a CSV corpus "
        "(id,title,text,label,source,...; label 1 = fake, 0 = real)",
    )
    parser.set_defaults(handler=run_review)


def run_review(args: argparse.Namespace, settings: Settings) -> int:
    if args.export is not None:
        if args.article_id is not None or args.label is not None:
            raise SettingsError("--export writes the stored reviews: give no ARTICLE_ID or --label")
        return _export(settings, Path(args.export))
    reviewer = args.reviewer if args.reviewer is not None else _login_name()
    if args.article_id is None:
        if args.label is not None or args.note is not None:
            raise SettingsError("--label and --note need an ARTICLE_ID (without one, the "
                                "review walks the verdicts and asks)")  # fmt: skip
        return _walk(settings, args, reviewer, sys.stdin, sys.stdout)
    if not args.article_id.isdigit():
        raise SettingsError(f"ARTICLE_ID {args.article_id!r} is not a number: "
                            "`fakewatch query` lists the ids")  # fmt: skip
    if args.label is None:
        raise SettingsError("give --label fake or --label real")
    label = choice("--label", args.label, LABELS)
    engine = open_database(settings)
    try:
        with Session(engine) as session, session.begin():
            review = ReviewInput(int(args.article_id), label, args.note, reviewer)
            stored = add_review(session, review, now=utcnow())
            shown = f"; the model said {stored.verdict}" if stored.verdict else ""
            print(f"article {stored.article_id} reviewed as {label}{shown}")
    finally:
        engine.dispose()
    return 0


def _walk(
    settings: Settings, args: argparse.Namespace, reviewer: str | None, keys: TextIO, out: TextIO
) -> int:
    """Show each unreviewed article and store the label read for it, until the list or the
    input ends or the reader quits; each review is committed as it is given."""
    verdicts = split_values(args.verdict) or list(WALKED_VERDICTS)
    for verdict in verdicts:
        choice("--verdict", verdict, (*WALKED_VERDICTS, "real"))
    try:
        since = parse_time(args.since, utcnow())
    except ValueError as exc:
        raise SettingsError(f"--since: {exc}") from None
    limit = row_limit(args.limit, "table")
    query = ResultQuery(sources=tuple(split_values(args.source)), verdicts=tuple(verdicts),
                        since=since, reviewed=False, limit=limit)  # fmt: skip
    engine = open_database(settings)
    counts = {"fake": 0, "real": 0, "skip": 0}
    try:
        with Session(engine) as session:
            articles = list(iter_results(session, query))
        if not articles:
            print(f"nothing to review: no unreviewed {' or '.join(verdicts)} verdict on "
                  f"articles fetched since {args.since}", file=out)  # fmt: skip
            return 0
        for number, article in enumerate(articles, 1):
            _show(article, number, len(articles), out)
            action, note = _read_key(keys, out)
            if action == "quit":
                break
            counts[action] += 1
            if action != "skip":
                with Session(engine) as session, session.begin():
                    review = ReviewInput(article["article_id"], action, note, reviewer)
                    add_review(session, review, now=utcnow())
    finally:
        engine.dispose()
    print(f"{counts['fake'] + counts['real']} reviewed ({counts['fake']} fake, {counts['real']} "
          f"real), {counts['skip']} skipped; `fakewatch review --export FILE` writes the "
          "labels as a training corpus", file=out)  # fmt: skip
    return 0


def _show(article: Mapping[str, Any], number: int, total: int, out: TextIO) -> None:
    fetched = article["fetched_at"].strftime("%Y-%m-%d %H:%M") if article["fetched_at"] else "-"
    print(f"\n[{number}/{total}] article {article['article_id']} from "
          f"{article['source'] or '-'}, fetched {fetched} UTC", file=out)  # fmt: skip
    print(f"  {article['title'] or '(no title)'}", file=out)
    print(f"  {article['url']}", file=out)
    line = f"  verdict {article['verdict']}, P(fake) {article['probability_fake']:.3f}"
    line += f" by {article['model']} {article['model_version']}"
    if article["shift_score"] is not None:
        line += f"; shift {article['shift_score']:.3f}"
    print(line, file=out)
    if article["explanation"]:
        print(f"  why: {explanation_text(article['explanation'][:6])}", file=out)
    if article["claim"]:
        print(f"  claim ({article['evidence'] or 'no evidence'}): \"{article['claim']}\" rated "
              f"{article['claim_rating']} by {article['fact_checker']}: {article['review_url']}",
              file=out)  # fmt: skip


def _read_key(keys: TextIO, out: TextIO) -> tuple[str, str | None]:
    """The action a line of input asks for and any note after it; end of input quits."""
    while True:
        print(PROMPT, end="", file=out, flush=True)
        line = keys.readline()
        if not line:
            print(file=out)
            return "quit", None
        key, _, note = line.strip().partition(" ")
        action = KEYS.get(key.lower())
        if action is not None:
            return action, note.strip() or None
        print(f"  {key!r} is not a key: type f, r, s or q", file=out)


def _export(settings: Settings, path: Path) -> int:
    """Write the current labels as a corpus, atomically: a half-written file never remains."""
    engine = open_database(settings)
    partial = path.with_name(path.name + ".partial")
    counts = [0, 0]
    try:
        with Session(engine) as session, _removed_on_failure(partial):
            with partial.open("w", newline="", encoding="utf-8") as stream:
                writer = csv.DictWriter(stream, EXPORT_COLUMNS)
                writer.writeheader()
                for row in reviewed_articles(session):
                    counts[row["label"]] += 1
                    when = row["reviewed_at"]
                    writer.writerow(row | {"reviewed_at": when.isoformat() if when else ""})
            os.replace(partial, path)
    except OSError as exc:
        raise SettingsError(f"cannot write {path} ({exc.strerror}): choose another FILE") from None
    finally:
        engine.dispose()
    print(f"{sum(counts)} reviewed articles ({counts[1]} fake, {counts[0]} real) written to "
          f"{path}; train on them with `fakewatch train --data {path}`")  # fmt: skip
    return 0


@contextlib.contextmanager
def _removed_on_failure(path: Path) -> Any:
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment or the password file
        return None
