"""Bad settings stop every entry point at start with one line naming the variable, and no secret."""

import subprocess
import sys

import pytest

from devtools.ports import free_port
from ioc.common import SETTINGS
from tests.support.processes import ROOT, project_env
from tests.support.telegram import TEST_TOKEN

BOT = [sys.executable, "-m", "bot"]
WORKER = [sys.executable, "-m", "celery", "-A", "tasks.worker", "worker"]
VALID = {
    "REDIS_URL": f"redis://:hunter2-redis-password@127.0.0.1:{free_port()}/0",
    "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
}


def start(command: list[str], env: dict[str, str], tmp_path: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=project_env(env), cwd=str(tmp_path), capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("command", "env", "variable"),
    [
        (BOT, {"TELEGRAM_BOT_TOKEN": TEST_TOKEN}, "REDIS_URL is required"),
        (BOT, {"REDIS_URL": VALID["REDIS_URL"]}, "TELEGRAM_BOT_TOKEN is required"),
        (BOT, {**VALID, "TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN does not look like"),
        (BOT, {**VALID, "REDIS_URL": "http://example"}, "REDIS_URL must start with redis://"),
        (BOT, {**VALID, "LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        (BOT, {**VALID, "BOT_TASK_TIMEOUT": "soon"}, "BOT_TASK_TIMEOUT"),
        (WORKER, {**VALID, "NOTIFICATIONS_SCHEDULE": "every day"}, "NOTIFICATIONS_SCHEDULE must be"),
        (WORKER, {**VALID, "NOTIFICATIONS_TIMEZONE": "Mars/Olympus"}, "NOTIFICATIONS_TIMEZONE is not"),
        (WORKER, {**VALID, "CELERY_TASK_TIME_LIMIT": "4000"}, "below CELERY_VISIBILITY_TIMEOUT"),
        (WORKER, {"TELEGRAM_BOT_TOKEN": TEST_TOKEN}, "REDIS_URL is required"),
    ],
)
def test_bad_settings_give_one_clear_line(
    command: list[str], env: dict[str, str], variable: str, tmp_path: object
) -> None:
    done = start(command, env, tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("configuration error: ")
    assert variable in lines[0]
    for secret in (TEST_TOKEN, "hunter2-redis-password", "not-a-token"):
        assert secret not in done.stderr + done.stdout


def test_env_example_lists_every_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    for settings_class in SETTINGS:
        prefix = str(settings_class.model_config.get("env_prefix", ""))
        for field in settings_class.model_fields:
            assert f"{prefix}{field}".upper() + "=" in example, f"{prefix}{field} missing"
