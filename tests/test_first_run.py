"""`fakewatch setup` (the first run of `make run`) and `fakewatch doctor`, as real processes."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.corpora import synthetic_corpus
from tests.daemons import free_port, train_small_model

pytestmark = pytest.mark.slow


def run_cli(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`fakewatch ARGS` in `folder` with a clean fakewatch environment plus `env`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FAKEWATCH_") or key.startswith("FAKEWATCH_REQUIRE")
    }
    # A port that was free a moment ago: nothing listens there, so the download fails.
    environment["FAKEWATCH_WELFAKE_URL"] = f"http://127.0.0.1:{free_port()}/WELFake_Dataset.csv"
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "fakewatch", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def corpus_without_titles(tmp_path: Path) -> Path:
    """A labelled corpus (text, label) like many public ones: no title column."""
    frame = synthetic_corpus(240, seed=5)[["text", "label"]]
    path = tmp_path / "labelled.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "fresh-clone"
    folder.mkdir()
    settings = folder / "fakewatch.toml"
    settings.write_text(f"[daemon]\nmetrics_port = {free_port()}\n", encoding="utf-8")
    return folder


def settings_env(workdir: Path) -> dict[str, str]:
    return {"FAKEWATCH_CONFIG": str(workdir / "fakewatch.toml")}


def test_first_run_trains_the_default_model_once_and_doctor_is_then_happy(
    workdir: Path, corpus_without_titles: Path, tmp_path: Path
) -> None:
    second_corpus = tmp_path / "second.csv"
    synthetic_corpus(120, seed=6).to_csv(second_corpus, index=False)
    corpora = os.pathsep.join([str(corpus_without_titles), str(second_corpus)])
    env = {**settings_env(workdir), "FAKEWATCH_TRAINING_DATA": corpora}
    first = run_cli(workdir, "setup", **env)
    assert first.returncode == 0, first.stderr
    assert "training the default lightgbm model" in first.stderr
    assert "(trained now)" in first.stderr
    manifest = workdir / "models" / "default" / "manifest.json"
    written = json.loads(manifest.read_text())
    assert written["kind"] == "lightgbm"
    assert set(written["metrics"]["data"]["corpora"]) == {"labelled", "second"}
    assert (workdir / "fakewatch.db").is_file()
    assert not [p for p in (workdir / "models").iterdir() if p.name.startswith(".")]

    trained_at = manifest.stat().st_mtime_ns
    second = run_cli(workdir, "setup", **env)
    assert second.returncode == 0, second.stderr
    assert "(already there)" in second.stderr
    assert "training" not in second.stderr
    assert manifest.stat().st_mtime_ns == trained_at

    doctor = run_cli(workdir, "doctor", **settings_env(workdir))
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    statuses = {line.split()[1]: line.split()[0] for line in doctor.stdout.splitlines()[:-1]}
    assert statuses["database"] == "ok" and statuses["model"] == "ok"
    assert statuses["sources"] == "ok" and statuses["metrics"] == "ok"
    assert "0 problem(s) to fix" in doctor.stdout


def test_without_a_corpus_setup_says_what_to_do_and_lets_the_daemon_start(workdir: Path) -> None:
    result = run_cli(workdir, "setup", **settings_env(workdir))
    assert result.returncode == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if "warning:" in line)
    assert "FAKEWATCH_TRAINING_DATA=" in warning and "WELFake_Dataset.csv" in warning
    assert "73c9675a4b3d09f86a6933d0b8d7d908" in warning
    assert "wait to be scored" in result.stderr
    assert not (workdir / "models" / "default").exists()

    strict = run_cli(workdir, "setup", "--require-model", **settings_env(workdir))
    assert strict.returncode == 2
    assert strict.stderr.strip().splitlines()[-1].startswith("fakewatch: error: no model yet")


def test_a_training_data_variable_naming_no_file_is_one_line(workdir: Path) -> None:
    env = {**settings_env(workdir), "FAKEWATCH_TRAINING_DATA": str(workdir / "missing.csv")}
    result = run_cli(workdir, "setup", "--require-model", **env)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "FAKEWATCH_TRAINING_DATA" in last and "missing.csv" in last


def test_failed_training_leaves_no_model_folder_behind(workdir: Path, tmp_path: Path) -> None:
    only_fake = synthetic_corpus(60, seed=2).assign(label=1)
    corpus = tmp_path / "one-class.csv"
    only_fake.to_csv(corpus, index=False)
    env = {**settings_env(workdir), "FAKEWATCH_TRAINING_DATA": str(corpus)}
    result = run_cli(workdir, "setup", **env)
    assert result.returncode == 2
    assert "at least 5 fake and 5 real" in result.stderr
    assert list((workdir / "models").iterdir()) == []


def test_setup_never_overwrites_a_folder_it_does_not_understand(
    workdir: Path, corpus_without_titles: Path
) -> None:
    folder = workdir / "models" / "default"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("someone's files", encoding="utf-8")
    env = {**settings_env(workdir), "FAKEWATCH_TRAINING_DATA": str(corpus_without_titles)}
    result = run_cli(workdir, "setup", **env)
    assert result.returncode == 2
    assert "holds no manifest.json" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]

    (folder / "notes.txt").unlink()
    train_small_model(folder)
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    corrupt = run_cli(workdir, "setup", **env)
    assert corrupt.returncode == 2
    assert "manifest" in corrupt.stderr.strip().splitlines()[-1]
    assert (folder / "manifest.json").read_text() == "{not json"


def doctor_statuses(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, str]]:
    return {check["name"]: check for check in json.loads(result.stdout)}


def test_doctor_names_each_problem_and_its_fix(workdir: Path) -> None:
    models = workdir / "models" / "default"
    train_small_model(models)
    (models / "lightgbm_model.txt").write_text("corrupted", encoding="utf-8")
    (workdir / "fakewatch.db").touch()  # exists, never migrated
    result = run_cli(workdir, "doctor", "--json", **settings_env(workdir))
    assert result.returncode == 1
    checks = doctor_statuses(result)
    assert checks["database"]["status"] == "FAIL"
    assert "fakewatch db upgrade" in checks["database"]["fix"]
    assert checks["model"]["status"] == "FAIL"
    assert checks["packages"]["status"] == "ok"

    postgres_down = f"postgresql+psycopg://fakewatch@127.0.0.1:{free_port()}/fakewatch"
    down = run_cli(
        workdir, "doctor", "--json", FAKEWATCH_DATABASE_URL=postgres_down, **settings_env(workdir)
    )
    assert doctor_statuses(down)["database"]["status"] == "FAIL"
    assert "unreachable" in doctor_statuses(down)["database"]["detail"]


def test_doctor_reports_a_bad_settings_file_instead_of_stopping(workdir: Path) -> None:
    bad = workdir / "bad.toml"
    bad.write_text("[daemon]\nmetrics_prot = 1\n", encoding="utf-8")
    result = run_cli(workdir, "doctor", FAKEWATCH_CONFIG=str(bad))
    assert result.returncode == 1
    settings_line = next(line for line in result.stdout.splitlines() if " settings " in line)
    assert settings_line.startswith("FAIL") and "metrics_prot" in settings_line


def test_doctor_reports_a_bad_sources_file(workdir: Path) -> None:
    sources = workdir / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nfeeds = ["ftp://example.org/feed"]\n')
    result = run_cli(
        workdir, "doctor", "--json", FAKEWATCH_SOURCES=str(sources), **settings_env(workdir)
    )
    check = doctor_statuses(result)["sources"]
    assert result.returncode == 1 and check["status"] == "FAIL"
    assert "sources.toml:3:" in check["detail"] and "ftp://" in check["detail"]  # its line


@pytest.fixture
def fake_daemon() -> Iterator[int]:
    """Something on a port answering /healthz like a fakewatch daemon does."""

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"alive": True, "ready": False}).encode()
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


def test_doctor_tells_a_running_daemon_from_another_program_on_the_port(
    workdir: Path, fake_daemon: int
) -> None:
    settings = workdir / "port.toml"
    settings.write_text(f"[daemon]\nmetrics_port = {fake_daemon}\n", encoding="utf-8")
    ours = doctor_statuses(run_cli(workdir, "doctor", "--json", FAKEWATCH_CONFIG=str(settings)))
    assert ours["metrics"]["status"] == "warn"
    assert "running fakewatch daemon" in ours["metrics"]["detail"]

    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        settings.write_text(f"[daemon]\nmetrics_port = {port}\n", encoding="utf-8")
        result = run_cli(workdir, "doctor", "--json", FAKEWATCH_CONFIG=str(settings))
    assert result.returncode == 1
    assert doctor_statuses(result)["metrics"]["status"] == "FAIL"
    assert "metrics_port" in doctor_statuses(result)["metrics"]["fix"]


def test_doctor_fails_on_missing_stop_words_only_when_a_model_needs_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import nltk

    from fakewatch.doctor import FAIL, WARN, check_nltk

    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    assert check_nltk(required=True).status == FAIL
    assert check_nltk(required=False).status == WARN
    assert "NLTK_DATA" in check_nltk(required=True).fix
