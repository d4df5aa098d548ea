"""Download public corpora (WELFake) with a progress bar, HTTP Range resume and an md5 check.

A download goes to `<file>.part`; a second run resumes it where it stopped. The finished
file is checked against the published md5 before it takes its final name. The URL can be
overridden (option or environment variable) to use a mirror or, in tests, a local server.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.client
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from classifier.errors import DatasetError

LOGGER = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 16
TIMEOUT_SECONDS = 60


@dataclasses.dataclass(frozen=True)
class DatasetSource:
    """A published corpus file: where it is and what its md5 must be."""

    name: str
    url: str
    file_name: str
    md5: str
    url_env: str
    description: str


DATASETS = {
    "welfake": DatasetSource(
        name="welfake",
        url="https://zenodo.org/records/4561253/files/WELFake_Dataset.csv?download=1",
        file_name="WELFake_Dataset.csv",
        md5="73c9675a4b3d09f86a6933d0b8d7d908",
        url_env="FAKEWATCH_WELFAKE_URL",
        description="WELFake (Verma et al. 2021), 72,134 articles, 245 MB; label 1 = fake",
    )
}


def dataset_source(name: str) -> DatasetSource:
    """The known dataset of that name, or a DatasetError listing the known ones."""
    try:
        return DATASETS[name.lower()]
    except KeyError:
        raise DatasetError(f"unknown dataset {name!r}: known are {', '.join(DATASETS)}") from None


def fetch_dataset(
    source: DatasetSource, folder: str | Path, *, url: str | None = None, progress: bool = True
) -> Path:
    """Download `source` into `folder` (resuming a partial download); returns the checked file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.file_name
    if target.is_file():
        if file_md5(target) == source.md5:
            LOGGER.info("%s is already here and matches its md5", target)
            return target
        raise DatasetError(
            f"{target} exists but does not match md5 {source.md5}: delete it and fetch again"
        )
    url = url or os.environ.get(source.url_env) or source.url
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DatasetError(f"dataset URL {url!r} must start with http:// or https://")
    partial = folder / (source.file_name + ".part")
    mirror_hint = (
        f"download from a mirror with `fakewatch dataset fetch {source.name} --url URL` "
        f"or by setting {source.url_env}"
    )
    _download(url, partial, progress=progress, mirror_hint=mirror_hint)
    digest = file_md5(partial)
    if digest != source.md5:
        partial.unlink()
        raise DatasetError(
            f"downloaded {source.file_name} has md5 {digest}, expected {source.md5}: "
            "the partial file was deleted; fetch again, or check the URL"
        )
    partial.replace(target)
    LOGGER.info("fetched %s (md5 ok)", target)
    return target


def _download(url: str, partial: Path, *, progress: bool, mirror_hint: str) -> None:
    from tqdm.auto import tqdm

    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "fakewatch dataset fetch"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            LOGGER.info("server says %s is complete", partial)
            return
        raise DatasetError(f"download of {url} failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DatasetError(
            f"cannot reach {url} ({reason}): check the network, or {mirror_hint}"
        ) from None
    with response:
        resumed = have and response.status == 206
        if have and not resumed:
            LOGGER.info("server ignored the range request; downloading from the start")
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else None
        with (
            partial.open("ab" if resumed else "wb") as handle,
            tqdm(
                total=total,
                initial=have,
                unit="B",
                unit_scale=True,
                desc=partial.name.removesuffix(".part"),
                disable=not progress,
            ) as bar,
        ):
            received = have
            try:
                while chunk := response.read(CHUNK_BYTES):
                    handle.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            except (OSError, TimeoutError, http.client.HTTPException) as exc:
                raise DatasetError(
                    f"download of {url} broke off ({exc}): run the command again to resume"
                ) from None
    if total is not None and received < total:
        raise DatasetError(
            f"download of {url} broke off after {received} of {total} bytes: "
            "run the command again to resume"
        )


def file_md5(path: Path) -> str:
    """Hex md5 of a file, read in blocks."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
