"""Unit-testing the schedule commands: the bot's real Dispatcher fed updates (`feed_update`), a session
that also answers `getChatMember` with the statuses a test gives, and the schedule store to use."""

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetChatMember, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, MessageEntity, Update, User
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.throttling import Throttle
from core.schedules.store import ScheduleStore
from core.settings import RedisSettings, SchedulesSettings, TelegramSettings
from core.subscriptions import SubscriptionStore
from ioc.bot import build_bot_container
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.front_door import AdmitAll
from tests.support.mocked_bot import TOKEN, MockedSession
from tests.support.polling import polling
from tests.support.processes import RedisServer
from tests.support.telegram import TEST_TOKEN, Telegram

USER = 42
ANONYMOUS_ADMIN = User(id=1087968824, is_bot=True, first_name="Group", username="GroupAnonymousBot")
_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_send_welcome_messages",
)  # fmt: skip


def member_json(status: str, user_id: int) -> dict[str, Any]:
    """A ChatMember as the Bot API answers it."""
    member: dict[str, Any] = {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "U"}}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False, **dict.fromkeys(_RIGHTS, True))
    elif status == "kicked":
        member["until_date"] = 0
    return member


class MembersSession(MockedSession):
    """Answers getChatMember with `statuses[user_id]` ("member" when not given) and counts the calls."""

    def __init__(self, statuses: dict[int, str] | None = None) -> None:
        super().__init__()
        self.statuses = statuses or {}
        self.member_calls: list[tuple[int, int]] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        asked = method  # narrowed apart: `method` keeps its type for check_response
        if not isinstance(asked, GetChatMember):
            return await super().make_request(bot, method, timeout)
        self.member_calls.append((int(asked.chat_id), asked.user_id))
        status = self.statuses.get(asked.user_id, "member")
        content = json.dumps({"ok": True, "result": member_json(status, asked.user_id)})
        response = self.check_response(bot, method, 200, content)
        assert response.result is not None
        return response.result


def message_update(
    text: str, chat_id: int = 7, chat_type: str = "private", sender_chat: Chat | None = None, user: int = USER
) -> Update:
    """A message in `chat_id`; with `sender_chat`, posted as that chat (an anonymous admin, a channel)."""
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    entities = [MessageEntity(type="bot_command", offset=0, length=len(command))] if command else None
    sender = ANONYMOUS_ADMIN if sender_chat else User(id=user, is_bot=False, first_name="Test")
    message = Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=chat_id, type=chat_type), from_user=sender,
        sender_chat=sender_chat, text=text, entities=entities,
    )  # fmt: skip
    return Update(update_id=1, message=message)


@dataclass
class ScheduleBot:
    """The real Dispatcher with `store`, and a Bot whose session answers getChatMember."""

    store: ScheduleStore
    settings: SchedulesSettings
    session: MembersSession = field(default_factory=MembersSession)
    subscriptions: SubscriptionStore | None = None  # None: no subscription store answers

    def __post_init__(self) -> None:
        container = build_bot_container()
        container.register(RedisSettings, instance=RedisSettings(url=SecretStr("redis://127.0.0.1:1/0")))
        container.register(TelegramSettings, instance=TelegramSettings(bot_token=SecretStr(TEST_TOKEN)))
        container.register(Throttle, instance=AdmitAll())  # the front door has its own tests
        container.register(ScheduleStore, instance=self.store)
        container.register(SchedulesSettings, instance=self.settings)
        if self.subscriptions is not None:
            container.register(SubscriptionStore, instance=self.subscriptions)
        self.dispatcher: Dispatcher = container.resolve(Dispatcher)
        self.bot = Bot(TOKEN, session=self.session)

    async def replies_to(
        self, text: str, chat_id: int = 7, chat_type: str = "private", **how: Any
    ) -> list[str]:
        """What the bot sends in answer (HTML, as sent)."""
        before = len(self.session.delivered)
        await self.dispatcher.feed_update(self.bot, message_update(text, chat_id, chat_type, **how))
        return [sent for _, sent in self.session.delivered[before:]]

    async def reply_to(self, text: str, chat_id: int = 7, chat_type: str = "private", **how: Any) -> str:
        [reply] = await self.replies_to(text, chat_id, chat_type, **how)
        return reply


@asynccontextmanager
async def schedule_bot(
    server: RedisServer, db: int, settings: SchedulesSettings, statuses: dict[int, str] | None = None
) -> AsyncIterator[ScheduleBot]:
    """A ScheduleBot whose store is the real one on database `db` of `server` (emptied first)."""
    url, client = database(server, db)
    client.close()
    redis = Redis.from_url(url)
    try:
        store, subscriptions = ScheduleStore(redis, settings), SubscriptionStore(redis)
        yield ScheduleBot(store, settings, MembersSession(statuses), subscriptions)
    finally:
        await redis.aclose()


SCHEDULED = re.compile(r"Scheduled (\w{5}): (.+)\. First run: (.+)\. Remove it with /cancel \1\.")


@asynccontextmanager
async def polling_schedules_bot(
    redis_server: RedisServer, db: int, telegram: Telegram, **settings: int
) -> AsyncIterator[str]:
    """The real bot long-polling the emulator on database `db` (emptied first); yields its URL."""
    url, client = database(redis_server, db)
    client.close()
    container = make_container(url, telegram.base_url, task_timeout=10)
    container.register(SchedulesSettings, instance=SchedulesSettings(**settings))  # type: ignore[arg-type]
    async with polling(container, telegram.state):
        yield url
