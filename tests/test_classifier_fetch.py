"""`dataset fetch`: progress, HTTP Range resume and md5 check, against a server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from classifier.corpus.fetch import DATASETS, DatasetSource, fetch_dataset
from classifier.errors import DatasetError

BODY = b"title,text,label\n" + b"".join(
    f"Title {i},Some text number {i} for the corpus,{i % 2}\n".encode() for i in range(4000)
)


class CorpusHandler(http.server.BaseHTTPRequestHandler):
    """Serves BODY, honours `Range: bytes=N-`, and breaks off the first response if asked."""

    break_after: int | None = None
    ranges_seen: list[str] = []

    def do_GET(self) -> None:
        start = 0
        header = self.headers.get("Range")
        type(self).ranges_seen.append(header or "")
        if header:
            start = int(header.removeprefix("bytes=").rstrip("-"))
            if start >= len(BODY):
                self.send_response(416)
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(BODY) - 1}/{len(BODY)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(BODY) - start))
        self.end_headers()
        payload = BODY[start:]
        if type(self).break_after is not None:
            payload = payload[: type(self).break_after]
            type(self).break_after = None
            self.wfile.write(payload)
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    CorpusHandler.break_after, CorpusHandler.ranges_seen = None, []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CorpusHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/WELFake_Dataset.csv"
    httpd.shutdown()
    httpd.server_close()


def _source(md5: str) -> DatasetSource:
    return dataclasses.replace(DATASETS["welfake"], md5=md5, url_env="FAKEWATCH_TEST_NO_SUCH_ENV")


def test_fetch_downloads_and_checks_md5(server: str, tmp_path: Path) -> None:
    source = _source(hashlib.md5(BODY).hexdigest())
    path = fetch_dataset(source, tmp_path, url=server, progress=False)
    assert path.read_bytes() == BODY and path.name == "WELFake_Dataset.csv"
    assert fetch_dataset(source, tmp_path, url=server, progress=False) == path  # already there


def test_fetch_resumes_a_broken_download(server: str, tmp_path: Path) -> None:
    source = _source(hashlib.md5(BODY).hexdigest())
    CorpusHandler.break_after = 5000
    with pytest.raises(DatasetError, match="resume"):
        fetch_dataset(source, tmp_path, url=server, progress=False)
    partial = tmp_path / "WELFake_Dataset.csv.part"
    assert partial.stat().st_size == 5000
    path = fetch_dataset(source, tmp_path, url=server, progress=False)
    assert path.read_bytes() == BODY
    assert CorpusHandler.ranges_seen[-1] == "bytes=5000-"
    assert not partial.exists()


def test_fetch_with_wrong_md5_fails_and_deletes_the_file(server: str, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"expected 0+: the partial file was deleted"):
        fetch_dataset(_source("0" * 32), tmp_path, url=server, progress=False)
    assert not list(tmp_path.iterdir())


def test_fetch_url_comes_from_the_environment(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKEWATCH_WELFAKE_URL", server)
    source = dataclasses.replace(DATASETS["welfake"], md5=hashlib.md5(BODY).hexdigest())
    assert fetch_dataset(source, tmp_path, progress=False).read_bytes() == BODY


def test_fetch_refuses_other_schemes_and_reports_http_errors(server: str, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="http"):
        fetch_dataset(_source("0" * 32), tmp_path, url="file:///etc/passwd", progress=False)
    with pytest.raises(DatasetError, match="cannot reach") as unreachable:
        fetch_dataset(_source("0" * 32), tmp_path, url="http://127.0.0.1:9/x", progress=False)
    source = _source("0" * 32)  # the message names both ways to a mirror
    assert f"fetch {source.name} --url URL" in str(unreachable.value)
    assert source.url_env in str(unreachable.value)
