"""Unit-testing handlers as aiogram's own tests do: the bot's real Dispatcher (from its container) fed
updates with `feed_update`, a Bot whose session records what it would send, and a TaskCaller stand-in.

`replies_to` gives the texts as sent; `seen_replies_to` sends with the bot's HTML parse mode and gives
what a reader sees, refusing broken markup as Telegram does (a 400 the handler must not cause).
"""

import json
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, MessageEntity, Update, User
from pydantic import SecretStr

from bot.celery_client.caller import TaskCaller
from bot.throttling import Throttle
from core.settings import AdminSettings, RedisSettings, TelegramSettings
from devtools.emulator.faults import ApiError
from devtools.emulator.validation import visible_text
from ioc.bot import build_bot_container
from tests.support.front_door import AdmitAll
from tests.support.mocked_bot import TOKEN, MockedBot, MockedSession
from tests.support.telegram import TEST_TOKEN


class StubCaller:
    """Answers every call with `result`, or raises `error`; counts the calls (and the sends)."""

    def __init__(self, result: Any = None, error: Exception | None = None) -> None:
        self.result, self.error, self.calls = result, error, 0

    async def call(self, task: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.result

    async def send(self, task: Any, args: tuple[Any, ...], *, expires: float) -> None:
        await self.call(task, *args)


def update(text: str, chat_id: int = 7, chat_type: str = "private") -> Update:
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    entities = [MessageEntity(type="bot_command", offset=0, length=len(command))] if command else None
    message = Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=chat_id, type=chat_type),
        from_user=User(id=42, is_bot=False, first_name="Test"), text=text, entities=entities,
    )  # fmt: skip
    return Update(update_id=1, message=message)


def dispatcher_with(caller: StubCaller, admins: AdminSettings | None = None) -> Dispatcher:
    container = build_bot_container()
    if admins is not None:
        container.register(AdminSettings, instance=admins)
    container.register(RedisSettings, instance=RedisSettings(url=SecretStr("redis://127.0.0.1:1/0")))
    container.register(TelegramSettings, instance=TelegramSettings(bot_token=SecretStr(TEST_TOKEN)))
    container.register(TaskCaller, instance=caller)
    container.register(Throttle, instance=AdmitAll())  # the front door has its own tests
    dispatcher: Dispatcher = container.resolve(Dispatcher)
    return dispatcher


async def replies_to(text: str, caller: StubCaller | None = None, chat_type: str = "private") -> list[str]:
    """The texts the bot sends in answer to `text` (a message in chat 7)."""
    bot = MockedBot()
    await dispatcher_with(caller or StubCaller()).feed_update(bot, update(text, chat_type=chat_type))
    return [sent for _, sent in bot.session.delivered]


class SeeingSession(MockedSession):
    """Also records each message as its reader sees it, parsed as Telegram parses it."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if isinstance(method, SendMessage):
            mode = method.parse_mode
            parse_mode = bot.default[mode.name] if isinstance(mode, Default) else mode
            try:
                self.seen.append(visible_text(method.text, parse_mode))
            except ApiError as refused:  # what Telegram answers: aiogram raises TelegramBadRequest
                self.check_response(bot, method, refused.code, json.dumps(refused.to_api()))
        return await super().make_request(bot, method, timeout)


async def seen_replies_to(
    text: str, caller: StubCaller | None = None, chat_type: str = "private"
) -> list[str]:
    """What the reader sees of the bot's answers to `text`, the bot sending HTML as in production."""
    session = SeeingSession()
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    await dispatcher_with(caller or StubCaller()).feed_update(bot, update(text, chat_type=chat_type))
    return session.seen
