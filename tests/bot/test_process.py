"""`python -m bot` as a real process: JSON logs with update and correlation context, a failing
setMyCommands that is only a warning, no token anywhere, and a clean stop on SIGTERM."""

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.emulator.faults import ApiError
from tests.support.chat import ChatClient
from tests.support.logs import events, json_lines
from tests.support.processes import CeleryWorker
from tests.support.processes import project_env as subprocess_env
from tests.support.telegram import TEST_TOKEN, Telegram
from tests.support.waiting import async_wait_for


@pytest.mark.usefixtures("celery_worker")
async def test_bot_process_logs_context_and_keeps_the_token_secret(
    telegram: Telegram, celery_worker: CeleryWorker, project_env: dict[str, str], tmp_path: Path
) -> None:
    telegram.faults.failing_methods["setmycommands"] = ApiError(500, "Internal Server Error")
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot"], env=subprocess_env(project_env), cwd=tmp_path,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        await async_wait_for(
            lambda: "getUpdates" in telegram.state.method_calls, 30, "the bot process to poll"
        )
        reply = await ChatClient(telegram.state, 4001).reply_to("/ping")
        assert re.fullmatch(r"pong — \d+ ms", reply.text), reply.text
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(20) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
    output = log_path.read_text()
    assert TEST_TOKEN not in output
    assert TEST_TOKEN not in celery_worker.log()
    [failed] = events(output, "set_my_commands_failed")
    assert failed["level"] == "warning"
    [answered] = events(output, "ping_answered")
    assert answered["chat_id"] == 4001
    assert isinstance(answered["update_id"], int)
    correlation = answered["correlation_id"]
    tasks = {
        line.get("task_name")
        for line in json_lines(celery_worker.log())
        if line.get("correlation_id") == correlation
    }
    assert tasks == {"ping"}, "the correlation id should reach the log lines of its task, and only those"
