"""Articles to classify from a URL, a file or stdin, as the one-row frame models take."""

from __future__ import annotations

import dataclasses
import logging
import sys
from pathlib import Path

import pandas as pd

from classifier.errors import ClassifierError
from fakewatch.page_fetch import DEADLINE_SECONDS, fetch_page

LOGGER = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclasses.dataclass(frozen=True)
class ArticleInput:
    """One article's title and text, and where it came from."""

    title: str
    text: str
    origin: str

    @property
    def label(self) -> str:
        """A short line naming the article for printed output."""
        return f"{self.title[:70] or '(no title)'}  [{self.origin}]"

    def frame(self) -> pd.DataFrame:
        """The article as a one-row frame with title and text."""
        return pd.DataFrame({"title": [self.title], "text": [self.text]})


def read_article(
    target: str, *, allowed: tuple[str, ...] = (), deadline_seconds: float = DEADLINE_SECONDS
) -> ArticleInput:
    """Fetch and extract a URL (see `page_fetch`: `allowed` private networks, one deadline),
    extract an HTML file, or read a text file / stdin ("-")."""
    if "://" in target:
        page = fetch_page(target, allowed=allowed, deadline_seconds=deadline_seconds)
        return _from_html(page, target)
    if target == "-":
        return _from_plain_text(sys.stdin.read(), "stdin")
    path = Path(target)
    if not path.is_file():
        raise ClassifierError(f"{target} is neither a URL nor a readable file: check the argument")
    if path.suffix.lower() in HTML_SUFFIXES:
        return _from_html(path.read_bytes(), path.resolve().as_uri())
    try:
        return _from_plain_text(path.read_text(encoding="utf-8"), str(path))
    except UnicodeDecodeError:
        raise ClassifierError(f"{path} is not UTF-8 text: save it as UTF-8 or HTML") from None


def _from_html(html: bytes, url: str) -> ArticleInput:
    from articles.extraction import extract_article
    from articles.skip_rules import REASONS, SkipRules, reason_label, skip_reason

    extracted = extract_article(html, url)
    text = (getattr(extracted, "text", None) or "").strip()
    if not text:
        raise ClassifierError(f"no article text found in {url}: is it an article page?")
    # The crawler's own rules: a page it would not score (an index of links, a stub, another
    # language) gets no verdict here either.
    reason = skip_reason(
        text,
        SkipRules(),
        url=extracted.canonical_url or (url if url.startswith(("http://", "https://")) else None),
        declared_language=extracted.language,
        declared_article=extracted.declares_article,
    )
    if reason is not None:
        rule = REASONS.get(reason_label(reason), reason)
        raise ClassifierError(
            f"{url} is not an article the models can judge ({reason}: {rule}); "
            "the crawler would skip it too: give an article page"
        )
    return ArticleInput(
        title=(getattr(extracted, "title", None) or "").strip(), text=text, origin=url
    )


def _from_plain_text(content: str, origin: str) -> ArticleInput:
    """The first non-empty line is the title, the rest the text."""
    lines = content.strip().splitlines()
    if not lines:
        raise ClassifierError(f"{origin} is empty: give an article's title and text")
    title, text = lines[0].strip(), "\n".join(lines[1:]).strip()
    return ArticleInput(title=title, text=text or title, origin=origin)
