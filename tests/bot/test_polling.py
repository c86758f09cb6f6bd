"""Polling goes on past an update aiogram cannot parse (logged, skipped), and asks Telegram only for the
update types the bot's handlers use."""

import re

import punq
import pytest
import structlog
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from tests.support.chat import ChatClient
from tests.support.polling import polling
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")
PONG = re.compile(r"pong — \d+ ms")
POISON = {"message": {"message_id": "not a number", "date": 0, "chat": {"id": 3001}}}  # no chat type


class AllowedUpdates(BaseRequestMiddleware):
    """Records the `allowed_updates` of every getUpdates the bot makes."""

    def __init__(self) -> None:
        self.seen: list[list[str] | None] = []

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            self.seen.append(method.allowed_updates)
        return await make_request(bot, method)


async def test_a_poison_update_is_logged_and_skipped_and_polling_goes_on(
    container: punq.Container, telegram: Telegram
) -> None:
    chat = ChatClient(telegram.state, 3001)
    with structlog.testing.capture_logs() as logged:
        async with polling(container, telegram.state):
            poison_id = await telegram.state.inject_update(POISON)
            assert PONG.fullmatch((await chat.reply_to("/ping")).text)
            second_id = await telegram.state.inject_update(POISON)  # and one amid good ones
            await chat.send("/help")
            await chat.send("/ping")
            replies = lambda: len(telegram.state.bot_messages(3001)) == 3  # noqa: E731
            await async_wait_for(replies, 15, "the replies to /help and /ping")
    skipped = [line for line in logged if line["event"] == "update_skipped"]
    assert [line["update_id"] for line in skipped] == [poison_id, second_id]
    assert all(
        line["log_level"] == "error" and line["first"].startswith("message.message_id: ") for line in skipped
    ), skipped
    assert sorted(m.text.split()[0] for m in telegram.state.bot_messages(3001)) == [
        "Commands:",
        "pong",
        "pong",
    ]


async def test_polling_asks_only_for_the_update_types_the_handlers_use(
    container: punq.Container, telegram: Telegram
) -> None:
    recorder = AllowedUpdates()
    container.resolve(Bot).session.middleware(recorder)
    async with polling(container, telegram.state):
        await ChatClient(telegram.state, 3002).reply_to("/help")
    assert recorder.seen
    assert all(allowed == ["callback_query", "message"] for allowed in recorder.seen)  # buttons: admins
