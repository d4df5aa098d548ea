"""The deployment: docker-compose.yml, the image, and Prometheus' and Grafana's provisioning.

Docker cannot run containers on the machines that test fakewatch, so this checks what can be
checked without them: the compose file, validated and normalised by `docker-compose config`
(v1 needs no engine for it), and the promises it makes; the image's health check against the
daemon's real HTTP endpoint; Grafana's read-only PostgreSQL login, created by the init script
on a real server; and the dashboard, whose every PromQL query names only series fakewatch
exports or records and parses in a real Prometheus, and whose every SQL query runs on the
migrated schema. The Prometheus configuration compose mounts is the one
tests/test_prometheus.py checks with promtool.

The Alertmanager configuration is checked by `amtool`, and the image's dependency layer by
running deploy/requirements.py: slim without extras, TensorFlow and torch with `all`.

docker-compose, psql, prometheus and amtool are needed; their tests skip without them, unless
FAKEWATCH_REQUIRE_COMPOSE (or FAKEWATCH_REQUIRE_PROMETHEUS, FAKEWATCH_REQUIRE_POSTGRES) is
set (CI), where a missing one is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import urllib.error
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from db.claim_matches import Match, store_matches
from db.claims import upsert_claims
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.models import Article, ArticleStatus, Claim, Prediction, Source
from tests.conftest import REPO_ROOT
from tests.daemons import free_port
from tests.postgres import postgres_bin
from tests.test_prometheus import DEPLOY, running_prometheus

yaml = pytest.importorskip("yaml")

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
DAEMON_SETTINGS = REPO_ROOT / "deploy" / "fakewatch.toml"
GRAFANA = REPO_ROOT / "deploy" / "grafana"
DATASOURCES = GRAFANA / "provisioning" / "datasources"
DASHBOARD_PROVIDERS = GRAFANA / "provisioning" / "dashboards"
DASHBOARD = GRAFANA / "dashboards" / "fakewatch.json"
READER_SCRIPT = REPO_ROOT / "deploy" / "postgres" / "initdb" / "10-grafana-reader.sh"
READER = "grafana_reader"
ALERTMANAGER = REPO_ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
REQUIREMENTS_SCRIPT = REPO_ROOT / "deploy" / "requirements.py"
NEURAL_STACKS = ("tensorflow", "torch", "transformers", "sentence-transformers", "faiss")

# Values no file may contain: compose must take every secret from the environment.
SECRETS = {
    "POSTGRES_PASSWORD": "pgSecret4test",
    "GRAFANA_DB_PASSWORD": "readerSecret4test",
    "GRAFANA_ADMIN_PASSWORD": "adminSecret4test",
}
FAKEWATCH_SERVICES = ("migrate", "setup", "daemon", "worker")
WORKER_METRICS_PORT = 9465  # `fakewatch worker --metrics-port` in the compose file


# ----- the compose file ---------------------------------------------------------------------


def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        message = (
            "`docker-compose` is not installed; `apt-get install docker-compose` (Debian) gives "
            "compose v1, which validates the compose file without a Docker engine"
        )
        if os.environ.get("FAKEWATCH_REQUIRE_COMPOSE"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def compose_config(folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` on the shipped file, with exactly `env` (and no .env file)."""
    empty = folder / "empty.env"
    empty.write_text("", encoding="utf-8")
    return subprocess.run(
        [docker_compose(), "--env-file", str(empty), "--project-directory", str(REPO_ROOT),
         "-f", str(COMPOSE_FILE), "config"],
        capture_output=True, text=True, timeout=60, cwd=folder,
        env={"PATH": os.environ["PATH"], "HOME": str(folder), **env},
    )  # fmt: skip


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The compose file as docker-compose resolves it, with the secrets set."""
    result = compose_config(tmp_path_factory.mktemp("compose"), SECRETS)
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout))


def service(config: dict[str, Any], name: str) -> dict[str, Any]:
    assert name in config["services"], f"docker-compose.yml has no service {name!r}"
    return dict(config["services"][name])


def mounts(svc: dict[str, Any], *, writable: bool = False) -> dict[str, str]:
    """Container path -> source (a host path or a volume name) of a service's volumes."""
    found = {}
    for volume in svc.get("volumes", []):
        if isinstance(volume, dict):  # compose v2 writes the long form
            target, source = volume["target"], str(volume["source"])
            read_only = bool(volume.get("read_only"))
        else:
            source, target, *mode = volume.split(":")
            read_only = mode == ["ro"]
        if not (writable and read_only):
            found[target] = source
    return found


def depends_on(svc: dict[str, Any]) -> dict[str, str]:
    return {name: dep["condition"] for name, dep in svc.get("depends_on", {}).items()}


def host_ports(svc: dict[str, Any]) -> list[str]:
    """Published ports as host_ip:published."""
    ports = []
    for port in svc.get("ports", []):
        if isinstance(port, dict):
            ports.append(f"{port.get('host_ip', '')}:{port.get('published')}")
        else:
            ports.append(str(port).rsplit(":", 1)[0])
    return ports


def test_compose_file_is_valid(config: dict[str, Any]) -> None:
    assert {"postgres", "migrate", "daemon", "worker", "prometheus", "grafana"} <= set(
        config["services"]
    )


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_start_without_each_secret(tmp_path: Path, missing: str) -> None:
    for unset in ({}, {missing: ""}):  # absent, or left empty as in .env.example
        env = {k: v for k, v in SECRETS.items() if k != missing} | unset
        result = compose_config(tmp_path, env)
        assert result.returncode != 0, result.stdout
        assert f"set {missing} in .env (see .env.example)" in result.stderr


def test_migrations_run_once_before_the_daemon_and_the_workers(config: dict[str, Any]) -> None:
    migrate = service(config, "migrate")
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate.get("restart", "no") == "no"
    assert depends_on(migrate) == {"postgres": "service_healthy"}
    assert service(config, "postgres")["healthcheck"]["test"]
    for name in ("setup", "daemon", "worker"):
        assert depends_on(service(config, name))["migrate"] == "service_completed_successfully"
    # The first model is trained beside the daemon, which waits for nothing but the schema.
    setup = service(config, "setup")
    assert setup["command"][0] == "setup" and setup.get("restart", "no") == "no"
    assert mounts(setup, writable=True)["/models"] == "models"
    for name in ("daemon", "worker"):
        assert "setup" not in depends_on(service(config, name))
        assert "/models" not in mounts(service(config, name), writable=True)


def test_workers_scale(config: dict[str, Any]) -> None:
    worker = service(config, "worker")
    assert worker["command"] == ["worker", "--metrics-port", str(WORKER_METRICS_PORT)]
    # A fixed name or host port would make `--scale worker=4` fail on the second container.
    assert "container_name" not in worker
    assert "ports" not in worker
    # Its health check asks the worker's own /healthz, not the daemon's port of the image.
    check = " ".join(worker["healthcheck"]["test"])
    assert f"'127.0.0.1', {WORKER_METRICS_PORT}," in check and "/healthz" in check
    assert service(config, "daemon")["command"] == ["run"]
    assert "ports" not in service(config, "daemon")  # Prometheus scrapes it inside the network
    assert not [n for n, s in config["services"].items() if "container_name" in s]


def test_fakewatch_services_share_image_database_settings_and_models(
    config: dict[str, Any],
) -> None:
    password = SECRETS["POSTGRES_PASSWORD"]
    for name in FAKEWATCH_SERVICES:
        svc = service(config, name)
        assert svc["image"] == "fakewatch:latest"
        env = svc["environment"]
        url = make_url(env["FAKEWATCH_DATABASE_URL"])
        assert (url.drivername, url.host, url.password) == (
            "postgresql+psycopg",
            "postgres",
            password,
        )
        postgres_env = service(config, "postgres")["environment"]
        assert (url.username, url.database) == (
            postgres_env["POSTGRES_USER"],
            postgres_env["POSTGRES_DB"],
        )
        assert mounts(svc)[env["FAKEWATCH_CONFIG"]] == str(DAEMON_SETTINGS)
        assert mounts(svc)["/models"] == "models"
    settings = tomllib.loads(DAEMON_SETTINGS.read_text(encoding="utf-8"))["daemon"]
    assert all(Path(folder).is_relative_to("/models") for folder in settings["models"])


def test_own_sources_and_training_corpora_are_mounted_from_env(tmp_path: Path) -> None:
    sources = tmp_path / "my-sources.toml"
    sources.write_text('[[source]]\nname = "mine"\nfeeds = ["https://mine.example/rss"]\n')
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    env = {**SECRETS, "SOURCES_FILE": str(sources), "TRAINING_DATA_DIR": str(corpora),
           "FAKEWATCH_TRAINING_DATA": "/training/mine.csv"}  # fmt: skip
    result = compose_config(tmp_path, env)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    for name in FAKEWATCH_SERVICES:
        svc = service(resolved, name)
        assert mounts(svc)[svc["environment"]["FAKEWATCH_SOURCES"]] == str(sources)
    setup = service(resolved, "setup")
    assert mounts(setup)["/training"] == str(corpora)
    assert setup["environment"]["FAKEWATCH_TRAINING_DATA"] == "/training/mine.csv"
    # The command line sees them too: `run --rm fakewatch crawl`, `train --data /training/...`.
    tools = service(resolved, "fakewatch")
    assert mounts(tools)["/etc/fakewatch/sources.toml"] == str(sources)
    assert mounts(tools)["/training"] == str(corpora)
    # And without them: the shipped sources file, WELFake (an empty variable).
    default = service(yaml.safe_load(compose_config(tmp_path, SECRETS).stdout), "setup")
    assert mounts(default)["/etc/fakewatch/sources.toml"] == str(
        REPO_ROOT / "fakewatch" / "sources.toml"
    )
    assert not default["environment"].get("FAKEWATCH_TRAINING_DATA")


def test_published_ports_bind_to_localhost(config: dict[str, Any]) -> None:
    published = {name: host_ports(svc) for name, svc in config["services"].items()}
    assert published["grafana"] == ["127.0.0.1:3000"]
    assert published["prometheus"] == ["127.0.0.1:9090"]
    for name, ports in published.items():
        assert all(port.startswith("127.0.0.1:") for port in ports), (name, ports)


def test_prometheus_runs_the_shipped_config_and_scrapes_the_daemon(config: dict[str, Any]) -> None:
    prometheus = service(config, "prometheus")
    assert mounts(prometheus)["/etc/prometheus"] == str(DEPLOY)
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text(encoding="utf-8"))
    for rule_file in scrape["rule_files"]:  # relative, so they resolve inside the mount too
        assert not Path(rule_file).is_absolute() and (DEPLOY / rule_file).is_file(), rule_file
    job = next(j for j in scrape["scrape_configs"] if j["job_name"] == "fakewatch")
    targets = [
        (name, sd["port"]) for sd in job.get("dns_sd_configs", []) for name in sd["names"]
    ] + [tuple(t.rsplit(":", 1)) for sc in job.get("static_configs", []) for t in sc["targets"]]
    daemon = tomllib.loads(DAEMON_SETTINGS.read_text(encoding="utf-8"))["daemon"]
    assert daemon["metrics_address"] == "0.0.0.0"  # reachable from the Prometheus container
    assert [(name, int(port)) for name, port in targets] == [
        ("daemon", daemon["metrics_port"]),
        ("worker", WORKER_METRICS_PORT),
    ]


def test_grafana_is_provisioned_from_the_deploy_folder(config: dict[str, Any]) -> None:
    grafana = service(config, "grafana")
    mounted = mounts(grafana)
    assert mounted["/etc/grafana/provisioning/datasources"] == str(DATASOURCES)
    assert mounted["/etc/grafana/provisioning/dashboards"] == str(DASHBOARD_PROVIDERS)
    providers = [
        p
        for f in DASHBOARD_PROVIDERS.glob("*.yml")
        for p in yaml.safe_load(f.read_text())["providers"]
    ]
    assert [p["options"]["path"] for p in providers] == ["/etc/grafana/dashboards"]
    assert mounted["/etc/grafana/dashboards"] == str(DASHBOARD.parent)
    env = grafana["environment"]
    assert env["GF_SECURITY_ADMIN_PASSWORD"] == SECRETS["GRAFANA_ADMIN_PASSWORD"]
    home = Path(env["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
    assert (DASHBOARD.parent / home.relative_to("/etc/grafana/dashboards")).is_file()
    assert grafana["image"].startswith("grafana/grafana-oss:")
    assert not grafana["image"].endswith(":latest")


def test_data_sources_reach_the_compose_services_as_the_read_only_login(
    config: dict[str, Any],
) -> None:
    assert {"prometheus", "postgres"} <= set(config["services"])  # the hosts of the URLs below
    sources = {s["type"]: s for s in provisioned_datasources()}
    assert sources["prometheus"]["url"] == "http://prometheus:9090"
    postgres = sources["grafana-postgresql-datasource"]
    assert postgres["url"] == "postgres:5432"
    assert (
        postgres["jsonData"]["database"]
        == service(config, "postgres")["environment"]["POSTGRES_DB"]
    )
    assert postgres["user"] == READER
    assert f"'CREATE ROLE {READER}'" in READER_SCRIPT.read_text(encoding="utf-8")
    # Grafana expands $NAME in provisioning files from its own environment.
    assert postgres["secureJsonData"]["password"] == "$GRAFANA_DB_PASSWORD"
    grafana_env = service(config, "grafana")["environment"]
    assert grafana_env["GRAFANA_DB_PASSWORD"] == SECRETS["GRAFANA_DB_PASSWORD"]
    postgres_env = service(config, "postgres")["environment"]
    assert postgres_env["GRAFANA_DB_PASSWORD"] == SECRETS["GRAFANA_DB_PASSWORD"]
    assert mounts(service(config, "postgres"))["/docker-entrypoint-initdb.d"] == str(
        READER_SCRIPT.parent
    )


def test_no_secret_is_written_in_a_shipped_file() -> None:
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    required = re.compile(r"\$\{(\w+):\?[^}]+\}")
    for name, svc in raw["services"].items():
        for key, value in (svc.get("environment") or {}).items():
            if re.search("PASSWORD|SECRET|TOKEN", key):
                assert required.fullmatch(str(value)), f"{name}: {key} must be ${{VAR:?message}}"
    for path in (COMPOSE_FILE, *DATASOURCES.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "password" in line.lower() and not line.lstrip().startswith("#"):
                assert "$" in line, f"{path.name}: a password that is not an environment variable"
    env_example = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert re.findall(r"^(\w*PASSWORD)=(.*)$", env_example, re.M) == [(k, "") for k in SECRETS]
    assert ".env" in REPO_ROOT.joinpath(".dockerignore").read_text(encoding="utf-8").split()


def test_env_example_documents_every_variable_the_compose_file_reads() -> None:
    used = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text(encoding="utf-8")))
    documented = set(re.findall(r"^#?\s*(\w+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M))
    assert used - documented == set()
    assert set(SECRETS) <= used


# ----- Alertmanager -------------------------------------------------------------------------


def amtool() -> str:
    path = shutil.which("amtool")
    if path is None:
        message = (
            "`amtool` is not installed; `apt-get install prometheus-alertmanager` (Debian) gives it"
        )
        if os.environ.get("FAKEWATCH_REQUIRE_PROMETHEUS"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def alert_names() -> set[str]:
    rules = yaml.safe_load((DEPLOY / "rules" / "fakewatch-alerts.yml").read_text())
    return {rule["alert"] for group in rules["groups"] for rule in group["rules"]}


def route_receivers(route: dict[str, Any]) -> Iterator[str]:
    if "receiver" in route:
        yield route["receiver"]
    for child in route.get("routes", []):
        yield from route_receivers(child)


def test_prometheus_sends_its_alerts_to_the_alertmanager_service(config: dict[str, Any]) -> None:
    alertmanager = service(config, "alertmanager")
    assert alertmanager["image"].startswith("prom/alertmanager:v")
    assert "--config.file=/etc/alertmanager/alertmanager.yml" in alertmanager["command"]
    assert mounts(alertmanager)["/etc/alertmanager/alertmanager.yml"] == str(ALERTMANAGER)
    assert host_ports(alertmanager) == ["127.0.0.1:9093"]
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text(encoding="utf-8"))
    targets = [
        target
        for manager in scrape["alerting"]["alertmanagers"]
        for static in manager["static_configs"]
        for target in static["targets"]
    ]
    assert targets == ["alertmanager:9093"]  # the service name and Alertmanager's own port
    assert "alertmanager" in depends_on(service(config, "prometheus"))


def test_alertmanager_config_routes_to_defined_receivers_with_webhook_and_slack_examples() -> None:
    settings = yaml.safe_load(ALERTMANAGER.read_text(encoding="utf-8"))
    receivers = {receiver["name"]: receiver for receiver in settings["receivers"]}
    assert set(route_receivers(settings["route"])) <= set(receivers)
    (webhook,) = receivers["webhook"]["webhook_configs"]
    assert webhook["url"].startswith("https://") and webhook["send_resolved"] is True
    (slack,) = receivers["slack"]["slack_configs"]
    assert slack["api_url"].startswith("https://hooks.slack.com/")
    # Grouped by labels the alerts carry; inhibited by alerts that exist.
    assert {"alertname", "source"} <= set(settings["route"]["group_by"])
    names = alert_names()
    for rule in settings["inhibit_rules"]:
        (matcher,) = [m for m in rule["source_matchers"] if m.startswith("alertname=~")]
        assert set(matcher.split('"')[1].split("|")) <= names


def test_alertmanager_config_and_a_copy_with_the_webhook_chosen_pass_amtool(
    tmp_path: Path,
) -> None:
    checked = subprocess.run([amtool(), "check-config", str(ALERTMANAGER)],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert checked.returncode == 0 and "SUCCESS" in checked.stdout, checked.stdout + checked.stderr
    # What README tells a user to do: copy the file, choose a receiver, point compose at it.
    mine = tmp_path / "my-alertmanager.yml"
    shipped = ALERTMANAGER.read_text(encoding="utf-8")
    mine.write_text(shipped.replace("receiver: dashboard-only", "receiver: webhook", 1))
    assert yaml.safe_load(mine.read_text())["route"]["receiver"] == "webhook"
    checked = subprocess.run([amtool(), "check-config", str(mine)],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    resolved = compose_config(tmp_path, {**SECRETS, "ALERTMANAGER_CONFIG": str(mine)})
    assert resolved.returncode == 0, resolved.stderr
    alertmanager = service(yaml.safe_load(resolved.stdout), "alertmanager")
    assert mounts(alertmanager)["/etc/alertmanager/alertmanager.yml"] == str(mine)


# ----- the image ----------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_image_is_slim_unprivileged_and_carries_every_package() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    copied = {args.split()[0] for op, args in instructions if op == "COPY"}
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert packages <= copied, f"the image lacks {packages - copied}"
    assert ("ENTRYPOINT", '["fakewatch"]') in instructions
    ignored = REPO_ROOT.joinpath(".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "models", "data", "*.db"} <= set(ignored)
    assert not packages & set(ignored)


def image_requirements(extras: str) -> list[str]:
    """What the image's dependency layer installs for FAKEWATCH_EXTRAS=extras."""
    result = subprocess.run([sys.executable, str(REQUIREMENTS_SCRIPT), extras],
                            capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    return result.stdout.split()


def test_image_is_slim_by_default_and_full_with_the_extras_build_arg(
    config: dict[str, Any],
) -> None:
    instructions = dockerfile_instructions()
    assert ("ARG", "FAKEWATCH_EXTRAS=") in instructions
    (install,) = [args for op, args in instructions if op == "RUN" and "requirements.py" in args]
    assert 'deploy/requirements.py "$FAKEWATCH_EXTRAS"' in install
    ignored = REPO_ROOT.joinpath(".dockerignore").read_text(encoding="utf-8").split()
    assert ignored.index("!deploy/requirements.py") > ignored.index("deploy")
    for name in FAKEWATCH_SERVICES:
        assert service(config, name)["build"]["args"] == {"FAKEWATCH_EXTRAS": ""}
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    slim = image_requirements("")
    assert slim == project["dependencies"]
    assert not [r for r in slim if r.startswith(NEURAL_STACKS)]
    full = image_requirements("all")
    optional = project["optional-dependencies"]
    assert full == slim + optional["lstm"] + optional["transformer"]
    assert image_requirements("lstm") == slim + optional["lstm"]
    failed = subprocess.run([sys.executable, str(REQUIREMENTS_SCRIPT), "tensorflow"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert failed.returncode != 0 and "unknown extra 'tensorflow'" in failed.stderr


def healthcheck_command() -> list[str]:
    (args,) = [args for op, args in dockerfile_instructions() if op == "HEALTHCHECK"]
    return list(json.loads(args[args.index("CMD") + 3 :]))


def test_image_health_check_reads_the_daemons_healthz() -> None:
    from prometheus_client import CollectorRegistry

    from scheduler.http import serve

    command = healthcheck_command()
    port = tomllib.loads(DAEMON_SETTINGS.read_text(encoding="utf-8"))["daemon"]["metrics_port"]
    assert f"'127.0.0.1', {port}" in command[-1]
    report: dict[str, Any] = {"alive": True, "ready": False, "problems": ["no trained model yet"]}
    server, _ = serve("127.0.0.1", 0, CollectorRegistry(), lambda: report)
    try:
        assert command[0] == "python"
        here = [sys.executable, *command[1:]]
        here[-1] = here[-1].replace(f", {port},", f", {server.server_port},")
        unready = subprocess.run(here, capture_output=True, text=True, timeout=30)
        assert unready.returncode == 1
        assert "no trained model yet" in unready.stdout  # shown by `docker inspect`
        report.update(ready=True, problems=[])
        ready = subprocess.run(here, capture_output=True, text=True, timeout=30)
        assert ready.returncode == 0, ready.stderr
        assert json.loads(ready.stdout)["ready"] is True
    finally:
        server.shutdown()


# ----- the dashboard ------------------------------------------------------------------------


def provisioned_datasources() -> list[dict[str, Any]]:
    return [
        source
        for path in sorted(DATASOURCES.glob("*.yml"))
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["datasources"]
    ]


def load_dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text(encoding="utf-8")))


def query_panels() -> list[dict[str, Any]]:
    return [p for p in load_dashboard()["panels"] if p["type"] != "row"]


def targets(datasource_type: str) -> list[tuple[str, dict[str, Any]]]:
    """(panel title, target) of every query on one kind of data source."""
    return [
        (panel["title"], target)
        for panel in query_panels()
        for target in panel["targets"]
        if target["datasource"]["type"] == datasource_type
    ]


# Grafana's variables, as a query with one or two sources and one model selected gives them.
PROMQL_VARIABLES = {
    "$__rate_interval": "2m",
    "$__interval": "30s",
    "$__range": "1h",
    "$source": "fixture|other",
    "$model": "default",
}
STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2"}
# Series Prometheus makes itself for every target.
PROMETHEUS_SERIES = {"up"}


def grafana_to_promql(expression: str) -> str:
    """The PromQL Grafana sends: variables replaced, label_values(SELECTOR, label) as SELECTOR."""
    for variable, value in PROMQL_VARIABLES.items():
        expression = expression.replace(variable, value)
    if label_values := re.fullmatch(r"label_values\((.*),\s*\w+\)", expression.strip()):
        expression = label_values.group(1)
    assert "$" not in expression, f"unknown Grafana variable in {expression}"
    return expression


def metric_names(expression: str) -> set[str]:
    """The series names a PromQL expression reads (not functions, labels or keywords)."""
    bare = GROUPING.sub(" ", STRING.sub('""', expression))
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", bare)
    return {
        match.group()
        for match in IDENTIFIER.finditer(bare)
        if match.group() not in KEYWORDS and not bare[match.end() :].lstrip().startswith("(")
    }


def dashboard_promql() -> list[tuple[str, str]]:
    """(where, PromQL) of every panel query and template variable on Prometheus."""
    queries = [(title, target["expr"]) for title, target in targets("prometheus")]
    for variable in load_dashboard()["templating"]["list"]:
        if variable["datasource"]["type"] == "prometheus":
            queries.append((f"variable ${variable['name']}", variable["query"]["query"]))
    return [(where, grafana_to_promql(expr)) for where, expr in queries]


SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
    "unknown": ("",),
}


@pytest.fixture
def exported_series(sqlite_url: str) -> set[str]:
    """Every series name a running daemon exports: its registry, with the database collector."""
    from prometheus_client import REGISTRY, CollectorRegistry

    from scheduler import metrics

    engine = make_engine(sqlite_url)
    upgrade(engine)
    database = CollectorRegistry()
    model = {"name": "default", "kind": "lightgbm", "version": "1", "threshold": "0.5"}
    database.register(metrics.DatabaseCollector(make_sessionmaker(engine), lambda: [model]))
    families = [*REGISTRY.collect(), *database.collect()]
    engine.dispose()
    names = {f.name + suffix for f in families for suffix in SAMPLE_SUFFIXES.get(f.type, ("",))}
    assert "fakewatch_queue_depth" in names and "fakewatch_crawls_total" in names
    return names


def recorded_series() -> set[str]:
    rules = yaml.safe_load((DEPLOY / "rules" / "fakewatch-recording.yml").read_text())
    return {rule["record"] for group in rules["groups"] for rule in group["rules"]}


def test_dashboard_is_a_fixed_grafana_dashboard_with_a_sane_layout() -> None:
    dashboard = load_dashboard()
    assert dashboard["uid"] == "fakewatch-overview"
    assert dashboard["schemaVersion"] >= 39
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    boxes: list[tuple[int, int, int, int]] = []
    for panel in dashboard["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["x"] + pos["w"] <= 24, panel["title"]
        for x, y, w, h in boxes:
            overlap = pos["x"] < x + w and x < pos["x"] + pos["w"] and pos["y"] < y + h
            assert not (overlap and y < pos["y"] + pos["h"]), f"{panel['title']} overlaps"
        boxes.append((pos["x"], pos["y"], pos["w"], pos["h"]))
    for panel in query_panels():
        assert panel["title"] and panel["targets"], panel["id"]


def test_every_query_uses_a_provisioned_data_source() -> None:
    provisioned = {source["uid"]: source["type"] for source in provisioned_datasources()}
    users = [(panel["title"], panel["datasource"]) for panel in query_panels()]
    users += [(title, target["datasource"]) for title, target in targets("prometheus")]
    users += [
        (title, target["datasource"]) for title, target in targets("grafana-postgresql-datasource")
    ]
    users += [(v["name"], v["datasource"]) for v in load_dashboard()["templating"]["list"]]
    assert len(users) > len(query_panels())
    for where, datasource in users:
        assert provisioned.get(datasource["uid"]) == datasource["type"], where
    for panel in query_panels():
        assert {t["datasource"]["uid"] for t in panel["targets"]} == {panel["datasource"]["uid"]}


def test_every_promql_query_reads_series_that_fakewatch_exports_or_records(
    exported_series: set[str],
) -> None:
    known = exported_series | recorded_series() | PROMETHEUS_SERIES
    read: set[str] = set()
    for where, expression in dashboard_promql():
        names = metric_names(expression)
        assert names, f"{where}: {expression} reads no series"
        assert names <= known, f"{where}: {sorted(names - known)} are neither exported nor recorded"
        read |= names
    # What the issue asks the dashboard to show.
    assert {
        "source:fakewatch_fake_ratio:24h",  # fake ratio per source over time
        "fakewatch_articles_stored_total",  # articles per source
        "fakewatch_crawls_total",  # crawl health
        "fakewatch_crawl_errors_total",
        "fakewatch_source_last_success_timestamp_seconds",  # staleness
        "fakewatch_queue_depth",
        "fakewatch_scoring_seconds_bucket",  # scoring latency
        "source:fakewatch_debunked_ratio:24h",  # evidence from fact-checkers
        "fact_checker:fakewatch_claims:max",
        "fact_checker:fakewatch_fact_checker_newest_claim_timestamp_seconds:max",
    } <= read


def test_every_promql_query_parses_in_a_real_prometheus(tmp_path: Path) -> None:
    with running_prometheus(tmp_path, free_port()) as prometheus:
        for where, expression in dashboard_promql():
            try:
                prometheus.api("query", query=expression)
            except urllib.error.HTTPError as exc:
                pytest.fail(f"{where}: Prometheus refuses {expression}: {exc.read().decode()}")


# Grafana's SQL macros and variables (multi-value variables become quoted lists).
SQL_VARIABLES = {
    r"\$__timeFilter\((\w+)\)": r"\1 BETWEEN '2000-01-01T00:00:00Z' AND '2100-01-01T00:00:00Z'",
    r"\$source\b": "'fixture','other'",
    r"\$model\b": "'default'",
}


def grafana_to_sql(query: str) -> str:
    for pattern, value in SQL_VARIABLES.items():
        query = re.sub(pattern, value, query)
    assert "$" not in query, f"unknown Grafana macro or variable in {query}"
    return query


def psql() -> Path:
    bin_dir = postgres_bin()
    if bin_dir is None or not (bin_dir / "psql").exists():
        message = "the PostgreSQL init script needs psql (the postgresql package)"
        if os.environ.get("FAKEWATCH_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    return bin_dir / "psql"


def store_articles(database_url: str) -> None:
    """A fake, a real and an unscored article in `fixture`; a fake one in a source left out.

    The real one and the one left out repeat a claim rated false; the fake one a true claim.
    """
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    with make_sessionmaker(engine).begin() as session:
        for name, verdicts in (("fixture", ["fake", "real", None]), ("excluded", ["fake"])):
            source = Source(name=name, kind="feed")
            session.add(source)
            for i, verdict in enumerate(verdicts):
                article = Article(
                    url=f"https://{name}.example/{i}", source=source, title=f"{name} {verdict} {i}",
                    fetched_at=now - timedelta(minutes=i),
                    status=ArticleStatus.NEW if verdict is None else ArticleStatus.SCORED,
                )  # fmt: skip
                session.add(article)
                if verdict is not None:
                    session.flush()
                    session.add(Prediction(
                        article_id=article.id, model_name="default", model_version="1",
                        probability_fake=0.9 if verdict == "fake" else 0.1, verdict=verdict,
                        threshold=0.7,
                    ))  # fmt: skip
        session.flush()
        reviews = [
            {"review_url": f"https://checker.example/{rating}", "claim": f"A {rating} claim.",
             "rating": rating, "fact_checker": "Checker", "appearances": []}
            for rating in ("false", "true")
        ]  # fmt: skip
        upsert_claims(session, reviews, None)
        claims = dict(session.execute(select(Claim.rating, Claim.id)).tuples().all())
        articles = dict(session.execute(select(Article.url, Article.id)).tuples().all())
        store_matches(session, [
            Match(articles["https://fixture.example/1"], claims["false"], "meaning", 0.83, "..."),
            Match(articles["https://fixture.example/0"], claims["true"], "meaning", 0.9, "..."),
            Match(articles["https://excluded.example/0"], claims["false"], "url", 1.0),
        ])  # fmt: skip
    engine.dispose()


@pytest.fixture
def reader_role(postgres_url: str) -> Iterator[str]:
    """Run the init script on a fresh database; drop its role afterwards (roles are global)."""
    psql_path = psql()
    url = make_url(postgres_url)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.scalar(
            text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": READER}
        ):
            pytest.skip(f"role {READER} exists on this server already; not touching it")
    env = dict(
        os.environ, PATH=f"{psql_path.parent}{os.pathsep}{os.environ['PATH']}",
        PGHOST=url.host or "127.0.0.1", PGPORT=str(url.port or 5432),
        POSTGRES_USER=url.username or "postgres", POSTGRES_DB=url.database or "postgres",
        GRAFANA_DB_PASSWORD=SECRETS["GRAFANA_DB_PASSWORD"],
    )  # fmt: skip
    if url.password:
        env["PGPASSWORD"] = url.password
    try:
        for _ in range(2):  # the script may be run again on an existing database
            result = subprocess.run(
                ["bash", str(READER_SCRIPT)], env=env, capture_output=True, text=True, timeout=60
            )
            assert result.returncode == 0, result.stderr
        yield url.set(username=READER, password=SECRETS["GRAFANA_DB_PASSWORD"]).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP OWNED BY {READER}"))
            connection.execute(text(f"DROP ROLE IF EXISTS {READER}"))
        admin.dispose()


@pytest.mark.postgres
def test_grafana_reads_every_sql_panel_as_the_read_only_login(
    postgres_url: str, reader_role: str
) -> None:
    # As in compose: the init script runs on an empty database, migrations come later.
    owner = make_engine(postgres_url)
    upgrade(owner)
    owner.dispose()
    store_articles(postgres_url)
    queries = targets("grafana-postgresql-datasource")
    assert queries, "the dashboard has no SQL panel"
    reader = create_engine(reader_role)
    try:
        with reader.connect() as connection:
            rows = {
                title: connection.execute(text(grafana_to_sql(target["rawSql"]))).mappings().all()
                for title, target in queries
            }
        with reader.connect() as connection, pytest.raises(DBAPIError, match="read-only"):
            connection.execute(text("DELETE FROM predictions"))
        # Read-only is only the login's default; the grants are what really stops a write.
        with reader.connect() as connection, pytest.raises(DBAPIError, match="permission denied"):
            connection.execute(text("SET TRANSACTION READ WRITE"))
            connection.execute(text("DELETE FROM predictions"))
    finally:
        reader.dispose()
    flagged = rows["Latest articles flagged fake"]
    assert [(r["source"], r["title"]) for r in flagged] == [("fixture", "fixture fake 0")]
    assert flagged[0]["url"] == "https://fixture.example/0" and flagged[0]["time"] is not None
    (debunked,) = rows["Latest debunked-claim matches"]
    assert dict(debunked) | {"match_score": round(debunked["match_score"], 3)} == {
        "time": debunked["time"], "source": "fixture", "title": "fixture real 1",
        "url": "https://fixture.example/1", "claim": "A false claim.", "claim_rating": "false",
        "fact_checker": "Checker", "review_url": "https://checker.example/false",
        "match_score": 0.83, "match_method": "meaning",
    }  # fmt: skip
    assert debunked["time"] is not None
    (per_source,) = rows["Stored articles per source"]
    assert dict(per_source) | {"fake_ratio": float(per_source["fake_ratio"])} == {
        "source": "fixture", "articles": 3, "scored": 2, "flagged_fake": 1, "fake_ratio": 0.5,
        "waiting": 1, "skipped": 0, "failed": 0,
    }  # fmt: skip


def test_sql_panels_read_the_results_view_in_the_dashboards_time_range() -> None:
    for title, target in targets("grafana-postgresql-datasource"):
        sql = target["rawSql"]
        assert target["rawQuery"] and target["format"] == "table", title
        assert re.search(r"\bFROM results\b", sql), title
        assert "$__timeFilter(fetched_at)" in sql and "IN ($source)" in sql, title
    (flagged,) = [t for title, t in targets("grafana-postgresql-datasource") if "fake" in title]
    assert "verdict = 'fake'" in flagged["rawSql"] and "LIMIT" in flagged["rawSql"]
    (debunked,) = [t for title, t in targets("grafana-postgresql-datasource") if "debunk" in title]
    assert "evidence = 'debunked'" in debunked["rawSql"] and "LIMIT" in debunked["rawSql"]


def test_debunked_matches_link_to_the_article_and_to_the_fact_check() -> None:
    (panel,) = [p for p in query_panels() if p["title"] == "Latest debunked-claim matches"]
    links = {
        override["matcher"]["options"]: prop["value"][0]["url"]
        for override in panel["fieldConfig"]["overrides"]
        for prop in override["properties"]
        if prop["id"] == "links"
    }
    assert links == {"url": "${__value.raw}", "review_url": "${__value.raw}"}


def test_the_init_script_is_a_shell_script_the_postgres_image_runs() -> None:
    assert READER_SCRIPT.suffix == ".sh" and os.access(READER_SCRIPT, os.X_OK)
    assert shlex.split(READER_SCRIPT.read_text(encoding="utf-8").splitlines()[0]) == [
        "#!/usr/bin/env", "bash",
    ]  # fmt: skip
