"""The front door end to end: real Redis, the session's worker, the emulator and polling Dispatchers."""

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import redis

from bot.commands import CHATTER_LIMIT, help_text
from bot.controllers.errors import BUSY
from bot.front_door import SLOW_DOWN
from bot.throttling import KEY_PREFIX
from core.subscriptions import SUBSCRIBERS_KEY
from devtools.emulator.state import EmulatorState
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.front_door import bounded_polling
from tests.support.processes import RedisServer
from tests.support.telegram import TEST_TOKEN, Telegram, serving
from tests.support.waiting import async_wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")
PONG = re.compile(r"pong — \d+ ms")
PING_CALLS = f"{KEY_PREFIX}:PingCommandController.ping:{{user}}:calls"
BURST_FIRST_CHAT = 700_000
COMMANDS: dict[str, Callable[[str], bool]] = {
    "/ping": lambda text: PONG.fullmatch(text) is not None,
    "/subscribe": lambda text: text.startswith("Subscribed. "),
    "/status": lambda text: text.startswith("This chat is not subscribed."),
    "/help": lambda text: text == help_text(),
}


def replies(state: EmulatorState, chat_id: int) -> list[str]:
    return [message.text for message in state.bot_messages(chat_id)]


async def test_a_burst_of_5000_mixed_updates_gets_5000_correct_replies(
    redis_server: RedisServer, telegram: Telegram
) -> None:
    chats = range(BURST_FIRST_CHAT, BURST_FIRST_CHAT + 5000)
    commands = list(COMMANDS)
    sent = {chat: commands[n % len(commands)] for n, chat in enumerate(chats)}
    container = make_container(redis_server.url, telegram.base_url, task_timeout=30)
    try:
        async with bounded_polling(container, telegram.state):
            for chat, command in sent.items():
                await telegram.state.user_says(chat, command)
            await async_wait_for(
                lambda: all(telegram.state.bot_messages(chat) for chat in chats), 90, "a reply in every chat"
            )
        wrong = {chat: replies(telegram.state, chat) for chat in chats}
        wrong = {
            chat: texts
            for chat, texts in wrong.items()
            if len(texts) != 1 or not COMMANDS[sent[chat]](texts[0])
        }
        assert wrong == {}
    finally:
        redis_server.client.hdel(SUBSCRIBERS_KEY, *map(str, chats))


async def test_one_flooding_user_gets_one_notice_and_a_handful_of_tasks(
    redis_server: RedisServer, telegram: Telegram
) -> None:
    flooder, other = 710_001, 710_002
    container = make_container(redis_server.url, telegram.base_url, task_timeout=10)
    calls_key = PING_CALLS.format(user=flooder)  # a private chat's id is its person's
    async with bounded_polling(container, telegram.state):
        for _ in range(300):
            await telegram.state.user_says(flooder, "/ping")
        await telegram.state.user_says(other, "/ping")
        await async_wait_for(lambda: replies(telegram.state, other), 15, "the other user's pong")
        await async_wait_for(
            lambda: int(redis_server.client.get(calls_key) or 0) == 300, 30, "all 300 admissions"
        )
        lock = calls_key.replace(":calls", ":in-flight")
        await async_wait_for(lambda: not redis_server.client.exists(lock), 15, "the last admitted ping done")
    flood = Counter("pong" if PONG.fullmatch(text) else text for text in replies(telegram.state, flooder))
    assert flood[SLOW_DOWN] == 1
    assert 1 <= flood["pong"] <= 3
    assert set(flood) == {"pong", SLOW_DOWN}
    assert PONG.fullmatch(replies(telegram.state, other)[0])


async def test_chatter_without_a_task_is_throttled_too(redis_server: RedisServer, telegram: Telegram) -> None:
    """/help, /start, usage lines and unknown commands share one limit per user: no 429 for the workers."""
    flooder = 715_001
    container = make_container(redis_server.url, telegram.base_url, task_timeout=10)
    chatter = ["/help", "/start", "/nonsense", "/ping now", "hello"] * 10
    async with bounded_polling(container, telegram.state):
        for text in chatter:
            await telegram.state.user_says(flooder, text)
        calls_key = f"{KEY_PREFIX}:chatter:{flooder}:calls"
        await async_wait_for(lambda: int(redis_server.client.get(calls_key) or 0) == 50, 30, "50 admissions")
    answered = replies(telegram.state, flooder)
    assert answered.count(SLOW_DOWN) == 1, answered
    assert len(answered) == 1 + CHATTER_LIMIT.calls, answered  # the 50 come well within one 10 s window


async def test_two_replicas_share_the_throttle_through_redis(redis_server: RedisServer) -> None:
    chat = 720_001
    first, second = EmulatorState(TEST_TOKEN), EmulatorState(TEST_TOKEN)
    async with serving(first) as first_url, serving(second) as second_url:
        replicas = [make_container(redis_server.url, url, task_timeout=10) for url in (first_url, second_url)]
        async with bounded_polling(replicas[0], first), bounded_polling(replicas[1], second):
            for _ in range(10):
                await first.user_says(chat, "/ping")
                await second.user_says(chat, "/ping")
            calls_key = PING_CALLS.format(user=chat)
            await async_wait_for(
                lambda: int(redis_server.client.get(calls_key) or 0) == 20, 30, "20 admissions"
            )
            lock = calls_key.replace(":calls", ":in-flight")
            await async_wait_for(lambda: not redis_server.client.exists(lock), 15, "the admitted pings done")
    both = replies(first, chat) + replies(second, chat)
    assert both.count(SLOW_DOWN) == 1, both
    assert 1 <= sum(PONG.fullmatch(text) is not None for text in both) <= 3, both


async def test_one_user_is_throttled_across_the_groups_they_write_in(
    redis_server: RedisServer, telegram: Telegram
) -> None:
    """Per (user, command), whatever the chat: the sandbox's person floods two groups at once."""
    groups = [-730_001, -730_002]
    for group in groups:
        telegram.state.add_chat(group, "group")
    container = make_container(redis_server.url, telegram.base_url, task_timeout=10)
    calls_key = PING_CALLS.format(user=telegram.state.user_id)
    async with bounded_polling(container, telegram.state):
        for _ in range(10):
            for group in groups:
                await telegram.state.user_says(group, "/ping")
        await async_wait_for(lambda: int(redis_server.client.get(calls_key) or 0) == 20, 30, "20 admissions")
        lock = calls_key.replace(":calls", ":in-flight")
        await async_wait_for(lambda: not redis_server.client.exists(lock), 15, "the admitted pings done")
    both = [text for group in groups for text in replies(telegram.state, group)]
    assert both.count(SLOW_DOWN) == 1, both
    assert 1 <= sum(PONG.fullmatch(text) is not None for text in both) <= 3, both


async def test_a_deep_queue_gets_busy_at_once_and_tasks_expire(
    redis_server: RedisServer, telegram: Telegram
) -> None:
    url, client = database(redis_server, 14)  # no worker consumes this database's queue
    # The four queued pings wait out the task timeout (NOT_RESPONDING) before polling stops: keep it short.
    container = make_container(url, telegram.base_url, task_timeout=6, queue_max_depth=3)
    async with bounded_polling(container, telegram.state):
        for chat in (730_001, 730_002, 730_003, 730_004):
            await telegram.state.user_says(chat, "/ping")
        await async_wait_for(lambda: client.llen("celery") == 4, 10, "four pings queued")
        expires_in = queued_expiry(client) - datetime.now(UTC)
        await telegram.state.user_says(730_005, "/ping")
        await async_wait_for(
            lambda: replies(telegram.state, 730_005), 3, "an answer well before the task timeout"
        )
    assert replies(telegram.state, 730_005) == [BUSY]
    assert client.llen("celery") == 4
    assert timedelta(0) < expires_in <= timedelta(seconds=6)  # BOT_TASK_TIMEOUT: a stale /ping is not run


def queued_expiry(client: "redis.Redis") -> datetime:
    """The `expires` header of the newest queued task."""
    envelope = json.loads(client.lindex("celery", 0))  # type: ignore[arg-type]
    return datetime.fromisoformat(envelope["headers"]["expires"])
