"""The emulator delivers by webhook as Telegram does, seen through a real aiogram Bot: the secret
header, retries until a 2xx, one chat's updates in order, getWebhookInfo, and 409 for getUpdates."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiohttp import web

from devtools.ports import free_port
from tests.support.chat import ChatClient
from tests.support.telegram import Telegram, emulated_bot
from tests.support.waiting import async_wait_for

SECRET = "emulator-webhook_secret"


class Receiver:
    """A webhook that answers 500 to its first `failures` requests, then 200; records what it got."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.accepted: list[tuple[int | None, str]] = []  # (chat id, text)
        self.secrets: set[str | None] = set()

    async def handle(self, request: web.Request) -> web.Response:
        update: dict[str, Any] = await request.json()
        self.secrets.add(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500)
        message = update.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            self.accepted.append((message["chat"]["id"], message["text"]))
        else:
            self.accepted.append((None, repr(update)))  # of no known shape: a poison update
        return web.json_response({})


@asynccontextmanager
async def listening(receiver: Receiver) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


async def test_updates_arrive_with_the_secret_retried_and_in_order_per_chat(telegram: Telegram) -> None:
    receiver = Receiver(failures=3)
    async with listening(receiver) as url, emulated_bot(telegram) as bot:
        assert await bot.set_webhook(url=url, secret_token=SECRET, max_connections=4)
        first, second = ChatClient(telegram.state, 7001), ChatClient(telegram.state, 7002)
        for n in range(3):
            await first.send(f"a{n}")
            await second.send(f"b{n}")
        await async_wait_for(lambda: len(receiver.accepted) == 6, 15, "six deliveries")
        info = await bot.get_webhook_info()
    assert receiver.secrets == {SECRET}
    assert [text for chat, text in receiver.accepted if chat == 7001] == ["a0", "a1", "a2"]
    assert [text for chat, text in receiver.accepted if chat == 7002] == ["b0", "b1", "b2"]
    assert (info.url, info.pending_update_count, info.max_connections) == (url, 0, 4)
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None


async def test_an_update_of_no_known_shape_does_not_stop_the_delivery(telegram: Telegram) -> None:
    receiver = Receiver(failures=0)
    async with listening(receiver) as url, emulated_bot(telegram) as bot:
        assert await bot.set_webhook(url=url, secret_token=SECRET)
        await telegram.state.inject_update({"message": "not a message"})
        await ChatClient(telegram.state, 7003).send("after")
        await async_wait_for(lambda: len(receiver.accepted) == 2, 15, "both deliveries")
        assert await bot.delete_webhook()  # the delivery loop is alive: it stops cleanly
    assert (7003, "after") in receiver.accepted


async def test_get_updates_is_a_conflict_while_a_webhook_is_set(telegram: Telegram) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/hook"
    async with emulated_bot(telegram) as bot:
        await bot.set_webhook(url=unreachable, secret_token=SECRET)
        await ChatClient(telegram.state, 7003).send("/help")
        webhook = telegram.state.webhook
        assert webhook is not None
        await async_wait_for(lambda: webhook.last_error_message, 10, "a failed delivery")
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1
        assert info.last_error_message == "Connection failed: ClientConnectorError"
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        assert await bot.delete_webhook()
        [update] = await bot.get_updates()  # nothing lost: back in the queue for getUpdates
        assert update.message is not None
        assert update.message.text == "/help"
        assert (await bot.get_webhook_info()).url == ""


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"secret_token": "with space"}, "secret token contains unallowed characters"),
        ({"max_connections": 101}, "max_connections must be between 1 and 100"),
        ({"url": "ftp://example.org/hook"}, "invalid webhook URL specified"),
    ],
)
async def test_a_bad_webhook_is_a_400(telegram: Telegram, arguments: dict[str, Any], error: str) -> None:
    async with emulated_bot(telegram) as bot:
        with pytest.raises(TelegramBadRequest, match=error):
            await bot.set_webhook(**{"url": "http://127.0.0.1:1/hook", **arguments})
    assert telegram.state.webhook is None
