"""The Prometheus side: rules and config checked by promtool, and a real server scraping the daemon.

Needs the `prometheus` Debian package (prometheus and promtool); the tests skip without it,
unless FAKEWATCH_REQUIRE_PROMETHEUS is set (CI), where a missing binary is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from db.models import Prediction
from tests.conftest import REPO_ROOT
from tests.crawling import local_source, write_sources
from tests.daemons import DaemonProcess, count, free_port, wait_until
from tests.newssite import serve_news_site
from tests.newssite.content import make_article

DEPLOY = REPO_ROOT / "deploy" / "prometheus"
RULE_FILES = sorted((DEPLOY / "rules").glob("*.yml"))
RULE_TESTS = sorted((DEPLOY / "tests").glob("*.yml"))


def need(binary: str) -> str:
    """The path of a Prometheus binary, or skip (fail where Prometheus is required)."""
    path = shutil.which(binary)
    if path is None:
        message = (
            f"`{binary}` is not installed; `apt-get install prometheus` (Debian) gives "
            "prometheus and promtool"
        )
        if os.environ.get("FAKEWATCH_REQUIRE_PROMETHEUS"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def promtool(*args: str | Path) -> str:
    """Run promtool; fail the test with its output unless it succeeds."""
    result = subprocess.run(
        [need("promtool"), *map(str, args)], capture_output=True, text=True, timeout=120
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_rule_files_pass_promtool_check() -> None:
    assert [p.name for p in RULE_FILES] == ["fakewatch-alerts.yml", "fakewatch-recording.yml"]
    assert "SUCCESS" in promtool("check", "rules", *RULE_FILES)


def test_config_passes_promtool_check_with_its_rule_files() -> None:
    output = promtool("check", "config", DEPLOY / "prometheus.yml")
    assert "2 rule files found" in output


def test_rule_unit_tests_pass() -> None:
    assert RULE_TESTS, f"no promtool unit tests in {DEPLOY / 'tests'}"
    promtool("test", "rules", *RULE_TESTS)


def test_every_alert_is_labelled_annotated_and_unit_tested() -> None:
    yaml = pytest.importorskip("yaml")
    alerts = [
        rule
        for group in yaml.safe_load((DEPLOY / "rules" / "fakewatch-alerts.yml").read_text())[
            "groups"
        ]
        for rule in group["rules"]
    ]
    tested = {
        case["alertname"]
        for path in RULE_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    for alert in alerts:
        name = alert["alert"]
        assert alert["labels"]["severity"] in ("warning", "critical"), name
        assert {"summary", "description"} <= set(alert["annotations"]), name
        assert "for" in alert, name
        assert name in tested, f"{name} is never shown firing in {DEPLOY / 'tests'}"


# ----- a real Prometheus scraping a real daemon ---------------------------------------------


class PrometheusServer:
    """A throwaway `prometheus` on 127.0.0.1, scraping one daemon every second."""

    def __init__(self, binary: str, folder: Path, target_port: int) -> None:
        self.port = free_port()
        self.log = folder / "prometheus.log"
        config = folder / "prometheus.yml"
        rule_files = "".join(f"  - {path}\n" for path in RULE_FILES)
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            f"rule_files:\n{rule_files}"
            "scrape_configs:\n  - job_name: fakewatch\n    scrape_timeout: 1s\n"
            f"    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )

    def api(self, path: str, **params: str) -> Any:
        """The `data` of a successful answer of Prometheus' HTTP API."""
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=5) as response:
            answer = json.load(response)
        assert answer["status"] == "success", answer
        return answer["data"]

    def value(self, query: str) -> float | None:
        """The value of a query that gives one sample, or None while it gives none."""
        result = self.api("query", query=query)["result"]
        assert len(result) <= 1, result
        return float(result[0]["value"][1]) if result else None

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)

    def logs(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_prometheus(folder: Path, target_port: int) -> Iterator[PrometheusServer]:
    server = PrometheusServer(need("prometheus"), folder, target_port)
    try:
        wait_until(lambda: server.api("status/buildinfo"), 20, "prometheus to answer")
        yield server
    except BaseException:
        server.stop()
        raise
    assert server.stop() == 0, server.logs()[-3000:]


def train_section_model(folder: Path) -> Path:
    """A LightGBM model that calls the fixture site's politics and sport articles fake.

    The site's articles carry none of the synthetic corpus' cue words, so a model trained on
    that corpus scores them all real, and a fake ratio of 0 would prove little.
    """
    import pandas as pd

    from classifier.models.lightgbm_model import LightGBMModel

    articles = [make_article(99, i, "http://127.0.0.1") for i in range(800)]
    frame = pd.DataFrame({"title": [a.title for a in articles], "text": [a.text for a in articles]})
    labels = pd.Series([int(a.section in ("politics", "sport")) for a in articles])
    model = LightGBMModel(preset="study", n_estimators=60, n_jobs=1)
    model.fit(frame.iloc[:600], labels.iloc[:600], frame.iloc[600:], labels.iloc[600:])
    model.save(folder)
    return folder


@pytest.mark.slow
def test_prometheus_scrapes_the_daemon_and_reads_back_its_fake_ratio(
    sqlite_url: str, tmp_path: Path
) -> None:
    need("prometheus")
    model = train_section_model(tmp_path / "models" / "default")
    with serve_news_site(articles=10, seed=21) as site:
        sources = write_sources(
            tmp_path,
            [local_source("fixture", feeds=[f"{site.url}/feeds/rss.xml"], interval="1h")],
        )
        daemon = DaemonProcess(tmp_path, sqlite_url, sources, [model])
        try:
            with running_prometheus(tmp_path, daemon.port) as prometheus:
                wait_until(lambda: count(sqlite_url, Prediction.id) == 10, 60, "10 predictions")
                fake = count(sqlite_url, Prediction.id, Prediction.verdict == "fake")
                assert 0 < fake < 10, "the model should flag some of the site's articles only"
                expected = fake / 10

                def reads(query: str) -> bool:
                    return prometheus.value(query) == pytest.approx(expected)

                query = 'fakewatch_fake_ratio{job="fakewatch",source="fixture",window="1h"}'
                wait_until(lambda: reads(query), 20, f"{query} == {expected}")
                wait_until(
                    lambda: reads('source:fakewatch_fake_ratio:1h{source="fixture"}'),
                    20,
                    f"the recording rule's fake ratio == {expected}",
                )
                assert prometheus.value('up{job="fakewatch"}') == 1
                assert (
                    prometheus.value('source:fakewatch_scored_articles:1h{source="fixture"}') == 10
                )
                # Drift: the site is written like the model's training data (same generator).
                expected_outside = (
                    count(
                        sqlite_url, Prediction.id, Prediction.shift_score > Prediction.shift_limit
                    )
                    / 10
                )
                wait_until(
                    lambda: (
                        prometheus.value(
                            'source_model:fakewatch_out_of_distribution_ratio:24h{source="fixture"}'
                        )
                        == pytest.approx(expected_outside)
                    ),
                    20,
                    f"the recorded out-of-distribution ratio == {expected_outside}",
                )
                assert expected_outside <= 0.3
                psi = prometheus.value(
                    'source_model:fakewatch_score_drift_psi:24h{source="fixture"}'
                )
                assert psi is not None and psi >= 0
                # No fact-checker's claims yet: the source is exported with none debunked.
                wait_until(
                    lambda: (
                        prometheus.value(
                            'source:fakewatch_debunked_articles:increase1h{source="fixture"}'
                        )
                        == 0
                    ),
                    20,
                    "the recorded debunked articles of the source == 0",
                )
                # Every rule evaluates cleanly against what the daemon really exports.
                rules = wait_until(lambda: evaluated_rules(prometheus), 20, "rules evaluated")
                broken = {r["name"]: r.get("lastError") for r in rules if r["health"] != "ok"}
                assert not broken, broken
                assert "FakewatchDown" in {r["name"] for r in rules}
        finally:
            assert daemon.stop(signal.SIGTERM) == 0, daemon.logs()[-3000:]


def evaluated_rules(prometheus: PrometheusServer) -> list[dict[str, Any]] | None:
    """All loaded rules, once each has been evaluated at least once."""
    rules = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
    return rules if rules and all(r["health"] != "unknown" for r in rules) else None
