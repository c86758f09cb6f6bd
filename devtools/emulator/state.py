"""What the emulated Telegram knows: the bot, its chats and messages, members and pending updates; and the
test hooks (a person posts any kind of message, presses a button; a member's status) all tests use."""

import itertools
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from devtools.emulator.members import Members, MemberStatus
from devtools.emulator.messages import Chat, ChatMessage, ChatType, Media, command_entities, placeholder
from devtools.emulator.updates import CLOSE_CHECK, UpdateQueue

if TYPE_CHECKING:
    from devtools.emulator.webhook_delivery import WebhookDelivery

__all__ = ["CLOSE_CHECK", "Chat", "ChatMessage", "ChatType", "EmulatorState", "Media"]


@dataclass
class EmulatorState(UpdateQueue):
    token: str
    bot_id: int = 100000001
    bot_username: str = "sandbox_bot"
    user_id: int = 424242  # the sandbox's person in groups (in a private chat, the chat's id)
    chats: dict[int, Chat] = field(default_factory=dict)
    messages: dict[int, list[ChatMessage]] = field(default_factory=dict)
    members: Members = field(default_factory=Members)
    files: dict[str, Media] = field(default_factory=dict)  # file_id -> placeholder, to send again
    commands: list[dict[str, str]] = field(default_factory=list)
    method_calls: Counter[str] = field(default_factory=Counter)  # calls per Bot API method: bounded
    callback_answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # query id -> answer
    _queries: set[str] = field(default_factory=set)  # the ids of unanswered callback queries
    _query_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    webhook: "WebhookDelivery | None" = None  # set by setWebhook (devtools/emulator/webhook.py)

    def reset(self) -> None:
        """Forget every chat, message and update (tests share one running emulator)."""
        self.__dict__.update(EmulatorState(self.token, self.bot_id, self.bot_username, self.user_id).__dict__)

    def add_chat(
        self, chat_id: int, chat_type: ChatType = "private", title: str = "", creator: int | None = None
    ) -> Chat:
        """A chat; in a group, `creator` (a user id) is its `creator` member."""
        chat = Chat(chat_id, chat_type, title or f"chat {chat_id}")
        self.chats[chat_id] = chat
        self.messages.setdefault(chat_id, [])
        if creator is not None and chat_type != "private":
            self.members.set(chat_id, creator, "creator")
        return chat

    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Sandbox", "username": self.bot_username}

    def person(self, user_id: int) -> dict[str, Any]:
        """A person as a User object: the sandbox's own person (or a private chat's) is "You"."""
        private = user_id in self.chats and self.chats[user_id].type == "private"
        if user_id == self.user_id or private:
            return {"id": user_id, "is_bot": False, "first_name": "You", "username": "sandbox_user"}
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}", "username": f"user{user_id}"}

    def human_user(self, chat_id: int | None = None) -> dict[str, Any]:
        """The person writing: in a private chat, as in Telegram, the chat's id is the person's id (so
        private chats are distinct people); in groups, the sandbox's one person."""
        private = chat_id is not None and chat_id in self.chats and self.chats[chat_id].type == "private"
        return self.person(chat_id if private and chat_id is not None else self.user_id)

    def set_member_status(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        """A test hook (and the page's): what getChatMember answers for `user_id` in `chat_id`."""
        self.members.set(chat_id, user_id, status)

    async def user_says(self, chat_id: int, text: str) -> ChatMessage:
        """A person writes `text` in `chat_id`: record it and queue the update for the bot."""
        return await self.user_posts(chat_id, text)

    async def user_posts(
        self, chat_id: int, text: str = "", *, user_id: int | None = None, **content: Any
    ) -> ChatMessage:
        """A test hook: a person posts a message of any kind and the bot gets its update. `content`:
        ChatMessage's fields: `entities`, `media` (or `photo="cat.jpg"`, `document="a.pdf"`), `caption`,
        `service` (`{"new_chat_members": [...]}`), `reply_to` (a message id). A command gets its entity."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        content = placeholder(content) | {"entities": content.get("entities") or command_entities(text)}
        message = self._record(chat.id, text, from_bot=False, sender_id=user_id, **content)
        if chat.type != "private":
            self.members.saw(chat.id, user_id or self.user_id, message.service)
        if message.media:
            self.files[message.media.file_id] = message.media
        await self.inject_update({"message": self.message_to_api(message)})
        return message

    async def press_button(self, chat_id: int, message_id: int, data: str, user_id: int | None = None) -> str:
        """A test hook (and the page's): a person presses the inline button with callback data `data`
        under the bot's message; the bot gets a `callback_query` update. Returns the query's id."""
        message = self.find_message(chat_id, message_id)
        if message is None or not message.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat_id}")
        if data not in [button.get("callback_data") for button in message.buttons()]:
            raise LookupError(f"message {message_id} has no button with callback data {data!r}")
        query_id = f"{self.bot_id}{next(self._query_ids):08d}"
        self._queries.add(query_id)
        user = self.person(user_id) if user_id is not None else self.human_user(chat_id)
        query = {"id": query_id, "from": user, "message": self.message_to_api(message)}
        await self.inject_update({"callback_query": {**query, "chat_instance": str(chat_id), "data": data}})
        return query_id

    async def answer_callback(self, query_id: str, answer: dict[str, Any]) -> bool:
        """answerCallbackQuery: False if the query is unknown or already answered."""
        if query_id not in self._queries:
            return False
        self._queries.discard(query_id)
        self.callback_answers[query_id] = answer
        await self._notify()
        return True

    async def bot_says(self, chat_id: int, text: str, parse_mode: str | None, **content: Any) -> ChatMessage:
        """The bot's message (`content`: ChatMessage's fields, e.g. `media`, `caption`, `reply_markup`)."""
        message = self._record(chat_id, text, from_bot=True, parse_mode=parse_mode, **content)
        await self._notify()
        return message

    async def bot_edits(
        self, message: ChatMessage, text: str | None, parse_mode: str | None, **content: Any
    ) -> None:
        """An edit (see ChatMessage.edit), noted in `edit_times`."""
        message.edit(text, parse_mode, **content)
        await self._notify()

    def find_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        found = (m for m in self.messages.get(chat_id, []) if m.message_id == message_id)
        return next(found, None)

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.messages.get(chat_id, []) if m.from_bot]

    def message_to_api(self, message: ChatMessage, *, replied: bool = True) -> dict[str, Any]:
        """A Message object; a reply holds the message it answers (one level deep, as Telegram's)."""
        sender = self.bot_user() if message.from_bot else self.human_user(message.chat_id)
        sender = sender if message.sender_id is None else self.person(message.sender_id)
        original = self.find_message(message.chat_id, message.reply_to or 0) if replied else None
        reply = None if original is None else self.message_to_api(original, replied=False)
        return message.to_api(self.chats[message.chat_id].to_api(), sender, reply)

    def _record(self, chat_id: int, text: str, *, from_bot: bool, **content: Any) -> ChatMessage:
        message = ChatMessage(next(self._message_ids), chat_id, text, from_bot, int(time.time()), **content)
        self.messages.setdefault(chat_id, []).append(message)
        return message
