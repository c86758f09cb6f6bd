"""What the emulated Telegram knows: the bot, its chats, the messages in them and pending updates."""

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from devtools.emulator.webhook_delivery import WebhookDelivery

CLOSE_CHECK = 0.25
ChatType = Literal["private", "group", "supergroup"]


@dataclass
class Chat:
    id: int
    type: ChatType
    title: str

    def to_api(self) -> dict[str, Any]:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": self.title}
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class ChatMessage:
    message_id: int
    chat_id: int
    text: str
    from_bot: bool
    date: int
    parse_mode: str | None = None
    edited: bool = False

    def to_client(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "text": self.text,
            "from_bot": self.from_bot,
            "date": self.date,
            "parse_mode": self.parse_mode,
            "edited": self.edited,
        }


@dataclass
class EmulatorState:
    token: str
    bot_id: int = 100000001
    bot_username: str = "sandbox_bot"
    user_id: int = 424242
    chats: dict[int, Chat] = field(default_factory=dict)
    messages: dict[int, list[ChatMessage]] = field(default_factory=dict)
    commands: list[dict[str, str]] = field(default_factory=list)
    method_calls: Counter[str] = field(default_factory=Counter)  # calls per Bot API method: bounded
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    bot_polling: bool = False  # a getUpdates has arrived: the bot polls (the page's "bot starting…" ends)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _closing: bool = False
    webhook: "WebhookDelivery | None" = None  # set by setWebhook (devtools/emulator/webhook.py)

    def reset(self) -> None:
        """Forget every chat, message and update (tests share one running emulator)."""
        self.__dict__.update(EmulatorState(self.token, self.bot_id, self.bot_username).__dict__)

    def add_chat(self, chat_id: int, chat_type: ChatType = "private", title: str = "") -> Chat:
        chat = Chat(chat_id, chat_type, title or f"chat {chat_id}")
        self.chats[chat_id] = chat
        self.messages.setdefault(chat_id, [])
        return chat

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Sandbox",
            "username": self.bot_username,
        }

    def human_user(self, chat_id: int | None = None) -> dict[str, Any]:
        """The person writing: in a private chat, as in Telegram, the chat's id is the person's id (so
        private chats are distinct people); in groups, the sandbox's one person."""
        private = chat_id is not None and chat_id in self.chats and self.chats[chat_id].type == "private"
        return {
            "id": chat_id if private else self.user_id,
            "is_bot": False,
            "first_name": "You",
            "username": "sandbox_user",
        }

    async def user_says(self, chat_id: int, text: str) -> ChatMessage:
        """A person writes `text` in `chat_id`: record it and queue the update for the bot."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        message = self._record(chat.id, text, from_bot=False)
        payload = self.message_to_api(message)
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le", "surrogatepass")) // 2  # Telegram counts UTF-16 units
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self._updates.append({"update_id": next(self._update_ids), "message": payload})
        await self._notify()
        return message

    async def inject_update(self, payload: dict[str, Any]) -> int:
        """A test hook: queue an update as given, raw (even one no client can parse); returns its id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        await self._notify()
        return update_id

    async def bot_says(self, chat_id: int, text: str, parse_mode: str | None) -> ChatMessage:
        message = self._record(chat_id, text, from_bot=True, parse_mode=parse_mode)
        await self._notify()
        return message

    async def bot_edits(self, message: ChatMessage, text: str, parse_mode: str | None) -> None:
        message.text, message.parse_mode, message.edited = text, parse_mode, True
        await self._notify()

    def find_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        found = (m for m in self.messages.get(chat_id, []) if m.message_id == message_id)
        return next(found, None)

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.messages.get(chat_id, []) if m.from_bot]

    def message_to_api(self, message: ChatMessage) -> dict[str, Any]:
        sender = self.bot_user() if message.from_bot else self.human_user(message.chat_id)
        return {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self.chats[message.chat_id].to_api(),
            "from": sender,
            "text": message.text,
        }

    async def take_updates(self, offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        """getUpdates: confirm everything below `offset`, then wait up to `timeout` for news."""
        if not self.bot_polling:
            self.bot_polling = True
            await self._notify()
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + timeout
        while not self._updates and not self._closing:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                break
            with suppress(TimeoutError):  # wakes every CLOSE_CHECK s to notice `close`
                await self.wait_changed(min(left, CLOSE_CHECK))
        return self._updates[:limit]

    def close(self) -> None:
        """The server is stopping: pending getUpdates calls answer within CLOSE_CHECK seconds."""
        self._closing = True

    async def wait_changed(self, timeout: float) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _record(
        self, chat_id: int, text: str, *, from_bot: bool, parse_mode: str | None = None
    ) -> ChatMessage:
        message = ChatMessage(next(self._message_ids), chat_id, text, from_bot, int(time.time()), parse_mode)
        self.messages.setdefault(chat_id, []).append(message)
        return message

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # Webhook delivery (devtools/emulator/webhook_delivery.py) takes updates with `take_updates` too.
    @property
    def closing(self) -> bool:
        return self._closing

    def pending_count(self) -> int:
        return len(self._updates)

    def drop_updates(self) -> None:
        self._updates = []

    def requeue(self, updates: list[dict[str, Any]]) -> None:
        """Updates a webhook took but did not deliver wait for the next reader again, in order."""
        self._updates = sorted([*updates, *self._updates], key=lambda update: int(update["update_id"]))
