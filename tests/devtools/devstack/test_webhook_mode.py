"""`BOT_MODE=webhook make dev`: offline, the bot serves a webhook the emulator delivers to."""

import signal
from pathlib import Path

import pytest
from pydantic import SecretStr

from devtools.devstack.env import DevSettings
from devtools.devstack.stack import plan
from tests.support.devstack import PRIVATE_CHAT, Devstack, api
from tests.support.processes import RedisServer
from tests.support.waiting import wait_for

SANDBOX_LINE = r"devstack: sandbox: chat with the bot at (http://127\.0\.0\.1:\d+)/"


def test_the_webhook_bot_keeps_its_waits_and_auto_reload(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_server: RedisServer
) -> None:
    monkeypatch.setenv("BOT_MODE", "webhook")
    settings = DevSettings(redis_url=SecretStr(redis_server.url), dev_data_dir=tmp_path)
    bot = plan(settings).processes["bot"]
    assert bot[1:4] == ["-m", "devtools.devstack.wait", "--redis"]
    assert "devtools.devstack.reload" in bot  # a code change restarts the webhook bot too
    assert bot[-3:-1] == ["sh", "-c"]
    assert bot[-1].endswith(" -m bot")


def test_webhook_mode_sandbox_registers_the_webhook_and_answers(tmp_path: Path) -> None:
    stack = Devstack(tmp_path, BOT_MODE="webhook")
    try:
        base_url = stack.wait_for_line(SANDBOX_LINE).group(1)
        stack.wait_for_line(r"devstack: webhook: the bot serves http://127\.0\.0\.1:\d+/telegram/webhook")
        stack.wait_for_line(r"bot\s+\| webhook set: http://127\.0\.0\.1:\d+/telegram/webhook", 60)
        stack.wait_for_line(r"system\s+\| ready: chat with the bot at", 60)  # its /readyz answered too
        sent = api(base_url, f"/emulator/api/chats/{PRIVATE_CHAT}/messages", {"text": "/help"})

        def reply() -> str | None:
            path = f"/emulator/api/chats/{PRIVATE_CHAT}/messages?after={sent['message_id']}&wait=1"
            answers = [m["text"] for m in api(base_url, path)["messages"] if m["from_bot"]]
            return answers[0] if answers else None

        assert "/ping" in wait_for(reply, 60, "a reply to /help by webhook")
        stack.wait_for_line(r"bot\s+\| .*webhook_listening")
        assert "Run polling" not in stack.output()
        stack.signal(signal.SIGINT)
        assert stack.wait() == 0, stack.output()  # a stop asked for
    finally:
        if stack.process.poll() is None:
            stack.kill()
    assert "webhook_stopped" in stack.output()
