"""The bot's healthcheck: the polling bot touches BOT_HEARTBEAT_FILE after every getUpdates, and
`python -m bot.healthcheck` (docker-compose.yml's probe) passes while it is fresh, else says why."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import punq
import pytest

from bot.healthcheck import main
from core.settings import BotSettings
from tests.support.chat import ChatClient
from tests.support.polling import polling
from tests.support.processes import project_env
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for


def verdict(monkeypatch: pytest.MonkeyPatch, **env: str) -> object:
    """What `main()` exits with (None: healthy) under these variables."""
    for name in ("BOT_HEARTBEAT_FILE", "BOT_HEARTBEAT_MAX_AGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exit_:
        main()
    return exit_.value.code


async def test_the_probe_passes_while_the_bot_polls(
    container: punq.Container, telegram: Telegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    heartbeat = tmp_path / "bot-heartbeat"
    container.register(BotSettings, instance=BotSettings(heartbeat_file=heartbeat))
    missing = f"unhealthy: {heartbeat} does not exist (the bot has not polled yet)"
    assert verdict(monkeypatch, BOT_HEARTBEAT_FILE=str(heartbeat)) == missing
    async with polling(container, telegram.state):
        await async_wait_for(heartbeat.exists, 15, "the first heartbeat")
        probe = [sys.executable, "-m", "bot.healthcheck"]  # as compose runs it
        env = project_env({"BOT_HEARTBEAT_FILE": str(heartbeat)})
        done = await asyncio.to_thread(subprocess.run, probe, env=env, cwd=tmp_path, capture_output=True)
        assert (done.returncode, done.stdout + done.stderr) == (0, b"")
        long_ago = time.time() - 3600
        os.utime(heartbeat, (long_ago, long_ago))
        stale = verdict(monkeypatch, BOT_HEARTBEAT_FILE=str(heartbeat), BOT_HEARTBEAT_MAX_AGE="90")
        assert str(stale).startswith("unhealthy: the bot last polled 3600 s ago (limit 90 s)")
        await ChatClient(telegram.state, 6101).reply_to("/help")  # getUpdates answers: a new heartbeat
        await async_wait_for(lambda: heartbeat.stat().st_mtime > long_ago + 60, 15, "a fresh heartbeat")
        assert verdict(monkeypatch, BOT_HEARTBEAT_FILE=str(heartbeat)) is None


def test_the_probe_without_a_heartbeat_file_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert verdict(monkeypatch) == "unhealthy: BOT_HEARTBEAT_FILE is not set, so the bot keeps no heartbeat"
