"""The bot's healthcheck: the polling bot touches BOT_HEARTBEAT_FILE after every getUpdates, and
`python -m bot.healthcheck` (docker-compose.yml's probe) passes while it is fresh, else says why."""

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import punq

from core.settings import BotSettings
from tests.support.chat import ChatClient
from tests.support.polling import polling
from tests.support.processes import project_env
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for

PROBE = [sys.executable, "-m", "bot.healthcheck"]


async def probe(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    done = await asyncio.to_thread(
        subprocess.run, PROBE, env=project_env(env), cwd=cwd, capture_output=True, text=True, timeout=60
    )
    return done.returncode, (done.stdout + done.stderr).strip()


async def test_the_probe_passes_while_the_bot_polls(
    container: punq.Container, telegram: Telegram, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "bot-heartbeat"
    env = {"BOT_HEARTBEAT_FILE": str(heartbeat)}
    container.register(BotSettings, instance=BotSettings(heartbeat_file=heartbeat))
    assert await probe(env, tmp_path) == (
        1,
        f"unhealthy: {heartbeat} does not exist (the bot has not polled yet)",
    )
    async with polling(container, telegram.state):
        await async_wait_for(heartbeat.exists, 15, "the first heartbeat")
        assert await probe(env, tmp_path) == (0, "")
        long_ago = time.time() - 3600
        os.utime(heartbeat, (long_ago, long_ago))
        code, line = await probe(env, tmp_path)
        assert code == 1
        assert re.fullmatch(r"unhealthy: the bot last polled 36\d\d s ago \(limit 60 s\)", line), line
        await ChatClient(telegram.state, 6101).reply_to("/help")  # getUpdates answers: a new heartbeat
        await async_wait_for(lambda: heartbeat.stat().st_mtime > long_ago + 60, 15, "a fresh heartbeat")
        assert await probe(env, tmp_path) == (0, "")


async def test_the_probe_without_a_heartbeat_file_says_so(tmp_path: Path) -> None:
    assert await probe({}, tmp_path) == (
        1,
        "unhealthy: BOT_HEARTBEAT_FILE is not set, so the bot keeps no heartbeat",
    )
