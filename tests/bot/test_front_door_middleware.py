"""The front-door middleware alone: the real Dispatcher fed updates (`feed_update`), a mocked Bot
session, a TaskCaller stand-in and a scripted Throttle (the Lua script has its own tests on Redis)."""

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.types import Chat, Message, MessageEntity, Update, User
from pydantic import SecretStr
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.celery_client.caller import TaskCaller
from bot.commands import CHATTER_LIMIT, help_text
from bot.controllers.errors import BUSY
from bot.controllers.ping import PING_LIMIT
from bot.front_door import SLOW_DOWN
from bot.throttling import Admission, RateLimit, Throttle, Verdict
from core.settings import RedisSettings, TelegramSettings
from ioc.bot import build_bot_container
from tests.support.mocked_bot import MockedBot
from tests.support.telegram import TEST_TOKEN

LOCK = "front-door:test:in-flight"


class ScriptedThrottle(Throttle):
    """Answers every admission with `verdict` (or raises `error`) and records what it was asked."""

    def __init__(self, verdict: Verdict = Verdict.ADMITTED, error: Exception | None = None) -> None:
        self.verdict, self.error = verdict, error
        self.asked: list[tuple[str, RateLimit | None, str | None, str]] = []
        self.released: list[tuple[str, str]] = []

    async def admit(self, subject: str, limit: RateLimit | None, queue: str | None, token: str) -> Admission:
        self.asked.append((subject, limit, queue, token))
        if self.error is not None:
            raise self.error
        return Admission(self.verdict, LOCK if self.verdict is Verdict.ADMITTED else None)

    async def release(self, lock_key: str, token: str) -> None:
        self.released.append((lock_key, token))


class CountingCaller:
    def __init__(self) -> None:
        self.calls = 0

    async def call(self, task: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return {"pong": True}


def update(text: str, sender_chat: Chat | None = None) -> Update:
    message = Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=7, type="private"),
        from_user=User(id=42, is_bot=False, first_name="Test"), text=text, sender_chat=sender_chat,
        entities=[MessageEntity(type="bot_command", offset=0, length=len(text.split(maxsplit=1)[0]))],
    )  # fmt: skip
    return Update(update_id=31, message=message)


async def replies(
    text: str, throttle: ScriptedThrottle, caller: CountingCaller, sender_chat: Chat | None = None
) -> list[str]:
    container = build_bot_container()
    container.register(RedisSettings, instance=RedisSettings(url=SecretStr("redis://127.0.0.1:1/0")))
    container.register(TelegramSettings, instance=TelegramSettings(bot_token=SecretStr(TEST_TOKEN)))
    container.register(TaskCaller, instance=caller)
    container.register(Throttle, instance=throttle)
    dispatcher: Dispatcher = container.resolve(Dispatcher)
    bot = MockedBot()
    await dispatcher.feed_update(bot, update(text, sender_chat))
    return [sent for _, sent in bot.session.delivered]


async def test_an_admitted_ping_runs_and_releases_its_lock() -> None:
    throttle, caller = ScriptedThrottle(), CountingCaller()
    [reply] = await replies("/ping", throttle, caller)
    assert reply.startswith("pong — ")
    assert caller.calls == 1
    assert throttle.asked == [("PingCommandController.ping:42", PING_LIMIT, "celery", "31")]
    assert throttle.released == [(LOCK, "31")]


@pytest.mark.parametrize(
    ("verdict", "answer"),
    [(Verdict.THROTTLED_NOTIFY, [SLOW_DOWN]), (Verdict.THROTTLED_SILENT, []), (Verdict.BUSY, [BUSY])],
)
async def test_a_refused_ping_runs_nothing(verdict: Verdict, answer: list[str]) -> None:
    throttle, caller = ScriptedThrottle(verdict), CountingCaller()
    assert await replies("/ping", throttle, caller) == answer
    assert caller.calls == 0
    assert throttle.released == []


async def test_redis_failing_at_the_door_gets_the_busy_reply() -> None:
    throttle, caller = ScriptedThrottle(error=RedisConnectionError("down")), CountingCaller()
    assert await replies("/ping", throttle, caller) == [BUSY]
    assert caller.calls == 0


async def test_redis_failing_at_the_door_still_lets_help_through() -> None:
    """/help needs no Redis: its limit fails open (CHATTER_LIMIT.fail_open)."""
    throttle = ScriptedThrottle(error=RedisConnectionError("down"))
    assert await replies("/help", throttle, CountingCaller()) == [help_text()]


async def test_limited_commands_without_a_task_are_not_queue_guarded() -> None:
    throttle = ScriptedThrottle(Verdict.THROTTLED_NOTIFY)
    assert await replies("/status", throttle, CountingCaller()) == [SLOW_DOWN]
    [(subject, limit, queue, _)] = throttle.asked
    assert (subject, queue) == ("SubscriptionCommandController.status:42", None)
    assert limit is not None


@pytest.mark.parametrize("text", ["/help", "/start", "/help me", "/nonsense", "hello"])
async def test_chatter_shares_one_limit_per_user_and_no_queue_guard(text: str) -> None:
    throttle = ScriptedThrottle()
    await replies(text, throttle, CountingCaller())
    [(subject, limit, queue, _)] = throttle.asked
    assert (subject, limit, queue) == ("chatter:42", CHATTER_LIMIT, None)


async def test_an_anonymous_admin_is_throttled_as_the_chat_it_posts_as() -> None:
    """Anonymous group admins all share one stand-in user id: the chat they post as is who they are."""
    throttle = ScriptedThrottle()
    await replies("/ping", throttle, CountingCaller(), sender_chat=Chat(id=-100_555, type="supergroup"))
    assert [asked[0] for asked in throttle.asked] == ["PingCommandController.ping:-100555"]
