"""/ping over real sockets: emulator → aiogram polling → registry → Redis → worker → sendMessage."""

import re

import pytest

from bot.commands import help_text
from bot.controllers.errors import BUSY, NOT_RESPONDING
from devtools.ports import free_port
from tests.support.chat import ChatClient
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.polling import polling as _polling
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")
PONG = re.compile(r"pong — \d+ ms")


async def test_ping_answers_pong_with_round_trip(telegram: Telegram, running_bot: object) -> None:
    reply = await ChatClient(telegram.state, 1001).reply_to("/ping")
    assert PONG.fullmatch(reply.text), reply.text


async def test_ping_with_arguments_explains_usage(telegram: Telegram, running_bot: object) -> None:
    reply = await ChatClient(telegram.state, 1002).reply_to("/ping now please")
    assert reply.text == "/ping takes no arguments. Send just: /ping"


async def test_many_chats_ping_at_once(telegram: Telegram, running_bot: object) -> None:
    chats = [ChatClient(telegram.state, 2000 + n) for n in range(50)]
    for chat in chats:
        await chat.send("/ping")

    def all_answered() -> bool:
        return all(telegram.state.bot_messages(chat.chat_id) for chat in chats)

    await async_wait_for(all_answered, 20, "a reply in every chat")
    answered = [[m.text for m in telegram.state.bot_messages(chat.chat_id)] for chat in chats]
    assert all(len(texts) == 1 and PONG.fullmatch(texts[0]) for texts in answered), answered


async def test_no_worker_gives_a_clear_timeout_reply(redis_server: RedisServer, telegram: Telegram) -> None:
    url, _ = database(redis_server, 9)  # a queue no worker consumes
    container = make_container(url, telegram.base_url, task_timeout=1)
    async with _polling(container, telegram.state):
        reply = await ChatClient(telegram.state, 1003).reply_to("/ping")
    assert reply.text == NOT_RESPONDING


async def test_unreachable_redis_gives_busy_reply(telegram: Telegram) -> None:
    container = make_container(f"redis://127.0.0.1:{free_port()}/0", telegram.base_url, dispatch_timeout=2)
    async with _polling(container, telegram.state):
        chat = ChatClient(telegram.state, 1004)
        assert (await chat.reply_to("/ping")).text == BUSY
        assert (await chat.reply_to("/help")).text == help_text()


async def test_hung_redis_gives_busy_reply_then_recovers(
    telegram: Telegram, celery_worker: CeleryWorker
) -> None:
    hung = RedisServer()
    container = make_container(hung.url, telegram.base_url, dispatch_timeout=1.5)
    try:
        async with _polling(container, telegram.state):
            chat = ChatClient(telegram.state, 1005)
            hung.pause()
            assert (await chat.reply_to("/ping", timeout=8)).text == BUSY
            assert (await chat.reply_to("/help")).text == help_text()
    finally:
        hung.stop()
