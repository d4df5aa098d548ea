"""A database that cannot take writes: one line and exit 2 from the CLI, not ready in /healthz."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from db.engine import make_engine
from db.migrate import upgrade
from scheduler.deployed_models import ModelSet
from scheduler.http import readiness


@pytest.fixture
def read_only_url(tmp_path: Path) -> str:
    """A migrated SQLite file, opened read-only (as a read-only mount or file would be)."""
    path = tmp_path / "fakewatch.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def cli(*args: str, database_url: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {"FAKEWATCH_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "fakewatch", *args],
        capture_output=True, text=True, env=env, cwd=folder, timeout=120,
    )  # fmt: skip


def test_a_write_to_a_read_only_database_is_one_line_and_exit_2(
    read_only_url: str, tmp_path: Path
) -> None:
    result = cli("rescore", database_url=read_only_url, folder=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr[-2000:]
    assert "readonly database" in lines[0] and "fix the permissions" in lines[0]


def test_doctor_and_healthz_say_a_read_only_database_is_not_usable(
    read_only_url: str, tmp_path: Path
) -> None:
    result = cli("doctor", "--json", database_url=read_only_url, folder=tmp_path)
    checks = {check["name"]: check for check in json.loads(result.stdout)}
    assert result.returncode == 1 and checks["database"]["status"] == "FAIL"
    assert "read-only" in checks["database"]["detail"] or "readonly" in checks["database"]["detail"]
    engine = make_engine(read_only_url)
    try:
        report = readiness(engine, ModelSet([]))
    finally:
        engine.dispose()
    assert report["ready"] is False and "readonly" in report["database"]
