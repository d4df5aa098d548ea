"""Articles to classify from a URL, a file or stdin, as the one-row frame models take."""

from __future__ import annotations

import dataclasses
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd

from classifier.errors import ClassifierError

LOGGER = logging.getLogger(__name__)

MAX_PAGE_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 30
USER_AGENT = "fakewatch classify (+https://github.com/fakewatch)"
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


def read_article(target: str) -> ArticleInput:
    """Fetch and extract a URL, extract an HTML file, or read a text file / stdin ("-")."""
    if "://" in target:
        return _from_html(fetch_page(target), target)
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


def fetch_page(url: str) -> bytes:
    """GET an http(s) page (at most MAX_PAGE_BYTES); ClassifierError on failure."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ClassifierError(f"{url}: only http:// and https:// URLs can be classified")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_PAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ClassifierError(f"fetching {url} failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ClassifierError(f"cannot fetch {url} ({getattr(exc, 'reason', exc)})") from None
    if len(body) > MAX_PAGE_BYTES:
        raise ClassifierError(f"{url} is larger than {MAX_PAGE_BYTES // 2**20} MiB: not an article")
    return body


def _from_html(html: bytes, url: str) -> ArticleInput:
    from articles.extraction import extract_article

    extracted = extract_article(html, url)
    text = (getattr(extracted, "text", None) or "").strip()
    if not text:
        raise ClassifierError(f"no article text found in {url}: is it an article page?")
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
