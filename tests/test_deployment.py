"""The production shape: docker-compose.yml stays valid with .env.example as .env (also with the secrets
file override), its healthchecks are real commands that pass against real processes, the image is
multi-stage with a pinned uv and a non-root user, the build context leaves out what is not the source."""

import json
import re
import shutil
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest

from tests.support.databases import database
from tests.support.processes import CeleryProcess, RedisServer, project_env
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
SECRETS_OVERRIDE = ROOT / "docker-compose.secrets.yml"
DATABASE = 1  # of the session redis-server


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def healthchecks() -> dict[str, list[str]]:
    """Each service's healthcheck `test:` (written as a JSON-style list in docker-compose.yml)."""
    checks, service = {}, None
    for line in COMPOSE.read_text().splitlines():
        if header := re.fullmatch(r"  ([\w-]+):(?: &[\w-]+)?", line):
            service = header[1]
        elif (test := re.fullmatch(r"\s+test: (\[.*\])", line)) and service:
            checks[service] = json.loads(test[1])
    return checks


def shell_probe(service: str) -> str:
    """A CMD-SHELL probe as the container's shell runs it (compose turns `$$` into `$`)."""
    kind, command = healthchecks()[service]
    assert kind == "CMD-SHELL"
    return command.replace("$$", "$")


@pytest.mark.parametrize("files", [[COMPOSE], [COMPOSE, SECRETS_OVERRIDE]], ids=["env", "secrets-file"])
def test_compose_file_is_valid_with_the_example_env(tmp_path: Path, files: list[Path]) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    for path in [*files, ROOT / "Dockerfile"]:
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    names = [arg for path in files for arg in ("-f", path.name)]
    done = subprocess.run([*command, *names, "config"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for service in ("redis:", "bot:", "celery-worker:", "celery-beat:"):
        assert service in done.stdout
    assert done.stdout.count("healthcheck:") >= 4  # each service's own: test_every_service_has_a_healthcheck
    assert ("telegram_bot_token" in done.stdout) == (SECRETS_OVERRIDE in files)


def test_compose_redis_is_durable_and_never_evicts() -> None:
    text = COMPOSE.read_text()
    for flag in ("--appendonly", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"):
        assert flag in text


def test_every_service_has_a_healthcheck() -> None:
    checks = healthchecks()
    assert set(checks) == {"redis", "bot", "celery-worker", "celery-beat", "bot-webhook-1"}  # -2 shares -1's
    assert checks["bot"] == ["CMD", "python", "-m", "bot.healthcheck"]  # tests/bot/test_healthcheck.py
    assert "BOT_HEARTBEAT_FILE: /tmp/bot-heartbeat" in COMPOSE.read_text()


@pytest.fixture
def probe_env(redis_server: RedisServer) -> dict[str, str]:
    """The environment of a container of this stack, on database 1 of the suite's Redis; HOSTNAME as
    Docker sets it (the host name, which Celery puts in its node names)."""
    url, _ = database(redis_server, DATABASE)
    return {"REDIS_URL": url, "TELEGRAM_BOT_TOKEN": "123456:" + "x" * 30, "HOSTNAME": socket.gethostname()}


def answers(command: str, env: dict[str, str]) -> bool:
    done = subprocess.run(
        ["sh", "-c", command], cwd=ROOT, env=project_env(env), capture_output=True, timeout=60
    )
    return done.returncode == 0


@pytest.mark.timeout(240)
def test_worker_and_beat_probes_pass_against_running_processes(probe_env: dict[str, str]) -> None:
    """The compose probes, run as compose runs them (both at once), against a worker and a beat started
    with the compose file's node names (the defaults) and beat's remote control; beat's fails once beat
    stops (a short wait for an answer that cannot come)."""
    probes = {service: shell_probe(service) for service in ("celery-worker", "celery-beat")}
    worker = CeleryProcess(probe_env, "worker", "-P", "solo", "--without-mingle", "--without-gossip")
    beat = CeleryProcess(probe_env, "beat", "--enable-remote-control", "--max-interval", "5")
    try:
        wait_for(lambda: "ready." in worker.log() and "beat: Starting" in beat.log(), 120, "worker and beat")
        with ThreadPoolExecutor(len(probes)) as pool:
            waits = [
                pool.submit(wait_for, partial(answers, probe, probe_env), 120, f"the {service} probe to pass")
                for service, probe in probes.items()
            ]
            for done in waits:
                done.result()
        beat.stop()
        assert "--timeout 10" in probes["celery-beat"]
        assert not answers(probes["celery-beat"].replace("--timeout 10", "--timeout 2"), probe_env)
    finally:
        beat.stop()
        worker.stop()


def test_beat_runs_with_remote_control_in_compose() -> None:
    assert re.search(r'"beat".*\n.*"--enable-remote-control"', COMPOSE.read_text())


def test_image_is_multi_stage_with_a_pinned_uv_and_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+ AS uv$", dockerfile, re.MULTILINE)
    assert "pip install" not in dockerfile
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 3  # uv, build, runtime
    runtime = dockerfile.rsplit("\nFROM ", 1)[1]
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "uv" not in runtime.replace("/opt/venv", "")  # no uv in the runtime image
    assert re.search(r"^USER app$", runtime, re.MULTILINE)
    assert "devtools" not in runtime
    assert "tests" not in runtime


def test_build_context_leaves_out_environments_caches_data_and_secrets() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".dev-data", ".env", "secrets", ".mypy_cache", ".ruff_cache"} <= ignored
    assert {".pytest_cache", "**/__pycache__"} <= ignored


def test_license_is_the_mit_license_pyproject_names() -> None:
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License\n\nCopyright (c) 2026 tg-celery-bot contributors\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in license_text


def test_compose_webhook_profile_runs_two_replicas_behind_the_proxy(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    done = subprocess.run(
        [*command, "--profile", "webhook", "config"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for service in ("bot-webhook-1:", "bot-webhook-2:", "webhook-proxy:", "caddy:2"):
        assert service in done.stdout
    assert done.stdout.count("BOT_MODE: webhook") == 2
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy bot-webhook-1:8080 bot-webhook-2:8080" in caddyfile
    assert "health_uri /readyz" in caddyfile


def test_image_installs_no_dependency_group() -> None:
    """Neither the dev tools nor the bench-only celery-redbeat (default groups) enter the image."""
    assert "uv sync --locked --no-default-groups" in (ROOT / "Dockerfile").read_text()
