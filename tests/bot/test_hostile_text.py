"""Hostile text: whatever users send, every reply the bot builds is escaped, valid UTF-8 and within
Telegram's limits, so the emulator (which refuses what Telegram refuses) accepts every one of them.

The fuzz corpus goes through the bot's real Dispatcher (its container, Redis database 10 for the
subscriptions) and a real Bot over HTTP to the emulator; each update is JSON-encoded and decoded first,
as it travels from Telegram. Workers are a stand-in answering at once, failing now and then."""

import asyncio
import json
import logging
from itertools import cycle
from typing import Any

import pytest
import structlog
from aiogram import Bot, Dispatcher

from bot.celery_client.caller import (
    BrokerUnavailableError,
    TaskCaller,
    TaskFailedError,
    WorkersNotRespondingError,
)
from bot.throttling import Throttle
from devtools.emulator.validation import visible_text
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.front_door import AdmitAll
from tests.support.fuzz import CHATS, Corpus
from tests.support.processes import RedisServer
from tests.support.telegram import Telegram

SEED, COUNT, AT_ONCE = 13, 2000, 50


class RotatingCaller:
    """Answers a task call with a result or one of the failures the errors controller turns into replies."""

    def __init__(self) -> None:
        self._outcomes = cycle(
            [
                None,
                WorkersNotRespondingError("id"),
                None,
                BrokerUnavailableError("ping"),
                TaskFailedError("x"),
            ]
        )

    async def call(self, task: Any, *args: Any, **kwargs: Any) -> Any:
        outcome = next(self._outcomes)
        if outcome is not None:
            raise outcome
        return {"pong": True, "worker": "w1"}


@pytest.fixture
def fuzz_bot(redis_server: RedisServer, telegram: Telegram) -> tuple[Dispatcher, Bot]:
    url, _ = database(redis_server, 10)
    container = make_container(url, telegram.base_url)
    container.register(TaskCaller, instance=RotatingCaller())
    container.register(Throttle, instance=AdmitAll())  # the corpus's few users would be throttled
    for chat_id, chat_type in CHATS:
        telegram.state.add_chat(chat_id, chat_type)
    return container.resolve(Dispatcher), container.resolve(Bot)


async def feed(dispatcher: Dispatcher, bot: Bot, updates: list[dict[str, Any]]) -> None:
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(update: dict[str, Any]) -> None:
        async with gate:
            await dispatcher.feed_raw_update(bot, json.loads(json.dumps(update)))

    try:
        await asyncio.gather(*(one(update) for update in updates))
    finally:
        await bot.session.close()


async def test_no_update_of_the_fuzz_corpus_fails_and_every_reply_is_accepted(
    fuzz_bot: tuple[Dispatcher, Bot], telegram: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    updates = Corpus(SEED).updates(COUNT)
    with structlog.testing.capture_logs() as logged, caplog.at_level(logging.ERROR):
        await feed(*fuzz_bot, updates)
    failed = [line for line in logged if line["event"] == "update_failed"]
    assert failed == [], failed[:3]
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    sent = [m for chat_id, _ in CHATS for m in telegram.state.bot_messages(chat_id)]
    assert telegram.state.method_calls["sendMessage"] == len(sent), "a reply was refused"
    assert len(sent) > COUNT / 3  # the corpus reaches the handlers, not only the quiet paths
    assert all(visible_text(m.text, m.parse_mode) for m in sent)


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("/x<b>", "Unknown command /x<b>. Send /help to see what I can do."),
        ("/w<b>bold</b>", "Unknown command /w<b>bold</b>. Send /help to see what I can do."),
        ("/a&amp;b", "Unknown command /a&amp;b. Send /help to see what I can do."),
        ("/\ud800x", "Unknown command /\ufffdx. Send /help to see what I can do."),
        ("/" + "y" * 4050, "Unknown command /" + "y" * 62 + "…. Send /help to see what I can do."),
    ],
    ids=["open-tag", "markup", "entity", "lone-surrogate", "4050-chars"],
)
async def test_an_unknown_command_is_quoted_as_written_never_as_markup(
    fuzz_bot: tuple[Dispatcher, Bot], telegram: Telegram, text: str, seen: str
) -> None:
    chat_id = CHATS[0][0]
    entity = {"type": "bot_command", "offset": 0, "length": len(text)}
    message = {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": text}
    await feed(*fuzz_bot, [{"update_id": 1, "message": {**message, "entities": [entity]}}])
    [reply] = telegram.state.bot_messages(chat_id)
    assert visible_text(reply.text, reply.parse_mode) == seen
