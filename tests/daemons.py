"""Helpers for daemon tests: a small trained model, and `fakewatch run` as a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from db.engine import make_engine, make_sessionmaker


def train_small_model(folder: Path, *, seed: int = 3) -> Path:
    """A real LightGBM model trained on a small synthetic corpus, saved to `folder`."""
    from classifier.models.lightgbm_model import LightGBMModel
    from tests.corpora import synthetic_corpus

    frame = synthetic_corpus(240, seed=seed)
    model = LightGBMModel(preset="study", n_estimators=30, n_jobs=1)
    model.fit(frame.iloc[:180], frame.label.iloc[:180], frame.iloc[180:], frame.label.iloc[180:])
    model.save(folder)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `condition` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # the database or the daemon may not be up yet
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def count(database_url: str, column: Any, *where: Any) -> int:
    """Rows of a table (given one of its columns) matching `where`."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return int(session.scalar(select(func.count(column)).where(*where)) or 0)
    finally:
        engine.dispose()


class DaemonProcess:
    """`fakewatch run` (or another command) in a child process with its own settings file."""

    def __init__(
        self,
        folder: Path,
        database_url: str,
        sources: Path,
        models: list[Path],
        *,
        command: tuple[str, ...] = ("run",),
        extra_settings: str = "",
        own_session: bool = False,
    ) -> None:
        self.port = free_port()
        self.settings = folder / f"daemon-{self.port}.toml"
        self.log = folder / f"daemon-{self.port}.log"
        model_list = ", ".join(f'"{m}"' for m in models)
        self.settings.write_text(
            "[crawl]\ndownload_delay = 0.0\nautothrottle = false\ndownload_timeout = 5.0\n"
            f"retry_base_delay = 0.1\n\n[daemon]\nmodels = [{model_list}]\n"
            f"metrics_port = {self.port}\ntick_seconds = 1.0\n{extra_settings}",
            encoding="utf-8",
        )
        env = dict(os.environ, FAKEWATCH_DATABASE_URL=database_url,
                   FAKEWATCH_SOURCES=str(sources), FAKEWATCH_CONFIG=str(self.settings))  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fakewatch", *command],
            cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("wb"),
            start_new_session=own_session,  # its own process group, to kill it whole
        )  # fmt: skip

    def get(self, path: str) -> tuple[int, str]:
        """(status, body) of a GET on the daemon's HTTP endpoint."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def metric(self, name: str, **labels: str) -> float | None:
        """The value of one sample on /metrics, or None when absent."""
        _, body = self.get("/metrics")
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in body.splitlines():
            if line.startswith("#") or " " not in line:
                continue
            series, value = line.rsplit(" ", 1)
            sample, _, label_text = series.partition("{")
            names = ",".join(sorted(label_text.rstrip("}").split(","))) if label_text else ""
            if sample == name and names == wanted:
                return float(value)
        return None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send `sig` and wait for the exit status."""
        self.process.send_signal(sig)
        return self.process.wait(timeout)

    def logs(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")
