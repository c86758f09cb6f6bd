"""docker-compose.yml stays valid with .env.example as .env (Docker itself is not needed)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_file_is_valid_with_the_example_env(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    done = subprocess.run([*command, "config"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for service in ("redis:", "bot:", "celery-worker:", "celery-beat:"):
        assert service in done.stdout


def test_compose_redis_is_durable_and_never_evicts() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for flag in ("--appendonly", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"):
        assert flag in text


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
