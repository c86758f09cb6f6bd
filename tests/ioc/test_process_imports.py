"""Each process kind imports what its job needs: producers (bot, beat) no task bodies, no worker hooks,
and no process at all imports the developer tools (checked with `python -X importtime`)."""

import subprocess
import sys

import pytest

from tests.support.processes import ROOT, project_env
from tests.support.telegram import TEST_TOKEN

ENV = {"REDIS_URL": "redis://127.0.0.1:1/0", "TELEGRAM_BOT_TOKEN": TEST_TOKEN}
BOT = "from aiogram import Dispatcher; from ioc.bot import build_bot_container; " + (
    "build_bot_container().resolve(Dispatcher); import bot.__main__"
)
BEAT = "import tasks.beat"
WORKER = "import tasks.worker"
BODIES = ("tasks.controllers", "tasks.delivery", "tasks.notifications", "tasks.logging_context")


def imported(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=project_env(ENV), cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    return {line.split("|")[-1].strip() for line in lines if line.startswith("import time:")}


def of(modules: set[str], packages: tuple[str, ...]) -> set[str]:
    return {m for m in modules if m.startswith(packages)}


@pytest.mark.parametrize("code", [BOT, BEAT], ids=["bot", "beat"])
def test_producers_import_no_task_bodies_nor_worker_hooks(code: str) -> None:
    modules = imported(code)
    assert "tasks.registry" in modules
    assert of(modules, BODIES) == set()


def test_the_worker_imports_the_bodies() -> None:
    modules = imported(WORKER)
    assert {"tasks.controllers.ping", "tasks.delivery.sender", "tasks.notifications.fan_out"} <= modules


@pytest.mark.parametrize("code", [BOT, BEAT, WORKER], ids=["bot", "beat", "worker"])
def test_no_process_imports_the_developer_tools(code: str) -> None:
    assert of(imported(code), ("devtools",)) == set()
