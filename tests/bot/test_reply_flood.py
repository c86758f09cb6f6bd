"""Replies under Telegram's flood limits: the emulator enforces 1 message/s per chat, and a burst of /ping
costs about one refused request per chat, not two per update; no error reply follows a 429."""

import re
from datetime import UTC, datetime

import punq
import pytest
import structlog
from aiogram import Dispatcher
from aiogram.types import Chat, Message, MessageEntity, Update, User
from redis.asyncio import Redis

from bot.celery_client.caller import TaskCaller
from bot.commands import help_text
from bot.reply_limits import ReplyLimits
from bot.throttling import Throttle
from core.limiter import TelegramRateLimiter
from core.settings import DeliverySettings
from devtools.emulator.flood import FloodLimits
from tests.support.chat import ChatClient
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.front_door import AdmitAll
from tests.support.mocked_bot import ApiError, MockedBot
from tests.support.polling import polling
from tests.support.processes import RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for

TOO_MANY = ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
PONG = re.compile(r"pong — \d+ ms")
CHATS, PER_CHAT, MAX_WAIT = 5, 60, 3.0


@pytest.mark.usefixtures("celery_worker")
async def test_a_burst_of_pings_costs_one_refusal_per_chat_and_no_error_reply(
    container: punq.Container, telegram: Telegram
) -> None:
    telegram.faults.enforce_flood_limits(FloodLimits(global_per_second=None, group_per_minute=None))
    container.register(DeliverySettings, instance=DeliverySettings(global_per_second=1000))
    container.register(
        Throttle, instance=AdmitAll()
    )  # every /ping reaches a reply (throttling: test_front_door)
    container.register(
        ReplyLimits, factory=lambda: ReplyLimits(container.resolve(TelegramRateLimiter), MAX_WAIT)
    )
    chats = [ChatClient(telegram.state, 6000 + n) for n in range(CHATS)]
    with structlog.testing.capture_logs() as logged:
        async with polling(container, telegram.state):
            for _ in range(PER_CHAT):
                for chat in chats:
                    await chat.send("/ping")

            def settled() -> bool:
                held_back = [line for line in logged if line["event"] == "reply_flood_limited"]
                answered = sum(len(telegram.state.bot_messages(chat.chat_id)) for chat in chats)
                return answered + len(held_back) == CHATS * PER_CHAT

            await async_wait_for(settled, 60, "every /ping answered or held back")
    replies = [m.text for chat in chats for m in telegram.state.bot_messages(chat.chat_id)]
    assert all(PONG.fullmatch(text) for text in replies), {t for t in replies if not PONG.fullmatch(t)}
    assert len(replies) >= CHATS * MAX_WAIT  # about one a second in each chat while a reply may wait
    assert telegram.faults.counts.get(429, 0) <= 2 * CHATS, telegram.faults.counts
    assert not [line for line in logged if line["event"] == "update_failed"]


def help_update(chat_id: int) -> Update:
    message = Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=chat_id, type="private"),
        from_user=User(id=1, is_bot=False, first_name="T"), text="/help",
        entities=[MessageEntity(type="bot_command", offset=0, length=5)],
    )  # fmt: skip
    return Update(update_id=1, message=message)


@pytest.mark.parametrize(
    ("answers", "delivered"), [((TOO_MANY,), 1), ((TOO_MANY, TOO_MANY), 0)], ids=["then-accepted", "twice"]
)
async def test_a_reply_answered_429_waits_its_retry_after_once_and_no_error_reply_follows(
    redis_server: RedisServer, answers: tuple[ApiError, ...], delivered: int
) -> None:
    url, _ = database(redis_server, 13)
    container = make_container(url, "http://127.0.0.1:1")
    container.register(TaskCaller, instance=None)
    limiter = TelegramRateLimiter(Redis.from_url(url), DeliverySettings(), key_prefix="test:replies")
    bot = MockedBot()
    bot.session.middleware(ReplyLimits(limiter))
    bot.session.prepare(77, *answers)
    with structlog.testing.capture_logs() as logged:
        await container.resolve(Dispatcher).feed_update(bot, help_update(77))
    first, second = bot.session.requests_to(77)  # the refused reply once more; no error reply
    assert first.text == second.text == help_text()
    assert second.at - first.at >= 0.95  # the shared pause: retry_after (1 s) on the Redis clock
    assert len(bot.session.delivered) == delivered
    events = [line["event"] for line in logged]
    assert events.count("reply_flood_wait") == len(answers)
    assert events.count("reply_flood_limited") == 1 - delivered
    assert "update_failed" not in events
