"""Settings files: every value is checked against its type and range when the file loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.settings import EXTRACTORS
from crawler.sources import load_sources
from fakewatch.cli import main
from fakewatch.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("table", "line", "complaint"),
    [
        ("crawl", "max_page_bytes = 0", "between 1024 and"),
        ("crawl", 'extractor = "bogus"', "must be one of fakewatch, trafilatura, newspaper"),
        ("crawl", "download_timeout = inf", "finite"),
        ("crawl", "download_delay = nan", "finite"),
        ("crawl", "retry_times = -1", "between 0 and 20"),
        ("daemon", "metrics_port = 99999", "between 0 and 65535"),
        ("daemon", 'metrics_address = "not an address!"', "IP address or a host name"),
        ("daemon", "tick_seconds = 0", "between 0.1 and"),
        ("daemon", 'log_format = "xml"', "json, text"),
    ],
)
def test_a_value_out_of_range_is_one_line_naming_key_and_range(
    tmp_path: Path, table: str, line: str, complaint: str
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"[{table}]\n{line}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    message = str(raised.value)
    key = line.split(" =")[0]
    assert f"{table}.{key}" in message and complaint in message and "\n" not in message


def test_values_in_range_load(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[crawl]\nmax_page_bytes = 2048\nextractor = "trafilatura"\ndownload_delay = 0\n'
        '[daemon]\nmetrics_port = 0\nmetrics_address = "metrics.internal"\n',
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.crawl.max_page_bytes == 2048 and settings.daemon.metrics_port == 0


def test_the_settings_know_every_extractor() -> None:
    from articles.extraction import EXTRACTORS as KNOWN

    assert KNOWN == EXTRACTORS


@pytest.mark.parametrize("interval", ['"99999999d"', "1e300", "inf", '"0.5s"'])
def test_a_source_interval_out_of_range_is_refused_at_load(tmp_path: Path, interval: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[[source]]\nname = "x"\nfeeds = ["https://x.example/rss"]\ninterval = {interval}\n',
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="between one second and 365 days") as raised:
        load_sources(path)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "--limit", "1e23"],
        ["query", "--limit", "99999999999999999999999"],
        ["query", "--since", "99999999999d"],
        ["stats", "--window", "99999999999d"],
    ],
)
def test_huge_numbers_on_the_command_line_are_one_line(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKEWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'fakewatch.db'}")
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err


def test_rescore_takes_the_same_times_as_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKEWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'fakewatch.db'}")
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    for since in ("7d", "24h", "2026-11-18", "today"):
        assert main(["rescore", "--since", since]) == 0
        assert capsys.readouterr().out.strip() == "0 articles queued for scoring again"
    assert main(["rescore", "--since", "last week"]) == 2
    assert "--since:" in capsys.readouterr().err
