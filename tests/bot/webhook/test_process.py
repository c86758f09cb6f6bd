"""`python -m bot webhook set|info|delete` and `BOT_MODE=webhook python -m bot` as real processes
against the emulator: the webhook registered explicitly, 401 without the secret, no secret in any output."""

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
from aiogram import Dispatcher

from devtools.ports import free_port
from tests.support.chat import ChatClient
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.logs import events
from tests.support.processes import CapturedProcess, RedisServer
from tests.support.processes import project_env as subprocess_env
from tests.support.telegram import TEST_TOKEN, Telegram
from tests.support.waiting import async_wait_for
from tests.support.webhook import SECRET, post_update

WRONG = "not-the-secret_42"


async def run_bot(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=subprocess_env(env), cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:  # timed out (a failing test): no process outlives it
            process.kill()
            await process.wait()
    return process.returncode or 0, out.decode(), err.decode()


def webhook_env(telegram: Telegram, redis_server: RedisServer, port: int) -> dict[str, str]:
    redis_url, _ = database(redis_server, 18)
    return {
        "REDIS_URL": redis_url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "BOT_MODE": "webhook",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_MAX_CONNECTIONS": "7",
    }


async def test_without_a_secret_webhook_mode_stops_with_one_line(
    telegram: Telegram, redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {**webhook_env(telegram, redis_server, free_port()), "WEBHOOK_SECRET": ""}
    code, _, err = await run_bot(env, tmp_path)
    assert (code, err.strip()) == (
        1, "configuration error: WEBHOOK_SECRET is required when BOT_MODE=webhook (see .env.example)",
    )  # fmt: skip


async def test_a_wrong_token_stops_webhook_mode_with_one_line(
    telegram: Telegram, redis_server: RedisServer, tmp_path: Path
) -> None:
    wrong = "987654321:WRONG-token-the-emulator-does-not-know_01234"
    env = {**webhook_env(telegram, redis_server, free_port()), "TELEGRAM_BOT_TOKEN": wrong}
    code, _, err = await run_bot(env, tmp_path)
    assert code == 1
    assert err.strip().startswith("telegram error:"), err
    assert "\n" not in err.strip()
    assert wrong not in err


async def test_webhook_set_serve_info_delete(
    telegram: Telegram, redis_server: RedisServer, tmp_path: Path
) -> None:
    port = free_port()
    env = webhook_env(telegram, redis_server, port)
    await ChatClient(telegram.state, 9301).send("/help")  # waits in the queue for the webhook
    replica = CapturedProcess([sys.executable, "-m", "bot"], tmp_path, env, own_group=False)
    try:
        code, out, err = await run_bot(env, tmp_path, "webhook", "set")  # while the replica starts
        assert code == 0, err
        webhook = telegram.state.webhook
        assert webhook is not None
        assert (webhook.url, webhook.secret, webhook.max_connections) == (env["WEBHOOK_URL"], SECRET, 7)
        dispatcher = make_container(env["REDIS_URL"], telegram.base_url).resolve(Dispatcher)
        assert webhook.allowed_updates == dispatcher.resolve_used_update_types()
        reply = await async_wait_for(lambda: telegram.state.bot_messages(9301), 60, "the /help reply")
        assert "/ping" in reply[0].text
        await refused_without_the_secret(f"http://127.0.0.1:{port}")
        code, info, err = await run_bot(env, tmp_path, "webhook", "info")
        assert code == 0, err
        shown = json.loads(info)
        assert (shown["url"], shown["max_connections"], shown["pending_update_count"]) == (
            env["WEBHOOK_URL"], 7, 0,
        )  # fmt: skip
        replica.process.send_signal(signal.SIGTERM)
        deleted, stopped = await asyncio.gather(
            run_bot(env, tmp_path, "webhook", "delete"), asyncio.to_thread(replica.process.wait, 30)
        )
        assert (deleted[0], stopped) == (0, 0), deleted
    finally:
        if replica.process.poll() is None:
            replica.process.kill()
    assert telegram.state.webhook is None
    output = replica.output() + out + info + deleted[1]
    for secret in (SECRET, WRONG, TEST_TOKEN):
        assert secret not in output
    refused = events(replica.output(), "webhook_unauthorized")
    assert [line["secret"] for line in refused] == ["wrong", "missing"]
    assert '"event": "webhook_stopped"' in replica.output()


async def refused_without_the_secret(base: str) -> None:
    """401 for a wrong and a missing secret; the health routes need none."""
    async with aiohttp.ClientSession() as session:
        update = {"update_id": 1, "message": {}}
        assert await post_update(session, base + "/telegram/webhook", update, WRONG) == 401
        assert await post_update(session, base + "/telegram/webhook", update, None) == 401
        for route in ("/healthz", "/readyz"):
            async with session.get(base + route) as answer:
                assert answer.status == 200, route
