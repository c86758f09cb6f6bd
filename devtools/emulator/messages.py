"""Chats and the messages in them, and how each looks as a Bot API object (aiogram's `Chat`, `Message`)."""

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from devtools.emulator.media import Media, MediaKind, placeholder

__all__ = ["Chat", "ChatMessage", "ChatType", "Media", "MediaKind", "command_entities", "placeholder"]

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
    """A message of any kind: text (`text`), photo or document (`media`, `caption`), service (`service`,
    e.g. `{"new_chat_members": [...]}`). `entities` belong to the text, or to the caption of a media."""

    message_id: int
    chat_id: int
    text: str
    from_bot: bool
    date: int
    parse_mode: str | None = None
    entities: list[dict[str, Any]] | None = None
    caption: str | None = None
    media: Media | None = None
    service: dict[str, Any] | None = None
    reply_markup: dict[str, Any] | None = None  # an inline keyboard, as sent
    reply_to: int | None = None  # the id of the message this one answers
    sender_id: int | None = None  # a person's user id; None: the chat's usual person
    edit_times: list[float] = field(default_factory=list)  # time.time() of each edit, in order

    @property
    def edited(self) -> bool:
        return bool(self.edit_times)

    @property
    def kind(self) -> str:
        return "service" if self.service else self.media.kind if self.media else "text"

    def content_to_api(self) -> dict[str, Any]:
        """The message's own fields (what `copyMessage` copies), without the envelope."""
        if self.service:
            return dict(self.service)
        if self.media is None:
            return {"text": self.text, **({"entities": self.entities} if self.entities else {})}
        body = self.media.to_api()
        if self.caption:
            body["caption"] = self.caption
            if self.entities:
                body["caption_entities"] = self.entities
        return body

    def to_api(
        self, chat: dict[str, Any], sender: dict[str, Any], reply_to: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The Message object, given its chat, sender and (if a reply) the message it answers."""
        body = {"message_id": self.message_id, "date": self.date, "chat": chat, "from": sender}
        body |= self.content_to_api()
        if self.buttons():
            body["reply_markup"] = self.reply_markup
        if self.edit_times:
            body["edit_date"] = int(self.edit_times[-1])
        if reply_to is not None:
            body["reply_to_message"] = reply_to
        return body

    def edit(self, text: str | None, parse_mode: str | None, **content: Any) -> None:
        """The text (a media's caption; None: kept) and `content` (e.g. `reply_markup`) replaced."""
        if text is not None:
            self.parse_mode = parse_mode
            if self.media is not None:
                self.caption = text
            else:
                self.text = text
        for name, value in content.items():
            setattr(self, name, value)
        self.edit_times.append(time.time())

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def to_client(self) -> dict[str, Any]:
        """What the chat page shows."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "text": self.text,
            "from_bot": self.from_bot,
            "date": self.date,
            "parse_mode": self.parse_mode,
            "edited": self.edited,
            "kind": self.kind,
            "caption": self.caption,
            "entities": self.entities,
            "file_name": self.media.file_name if self.media else None,
            "service": sorted(self.service) if self.service else None,
            "reply_markup": self.reply_markup,
            "reply_to": self.reply_to,
        }


def command_entities(text: str) -> list[dict[str, Any]] | None:
    """A leading `/command`'s entity, its length in UTF-16 units as Telegram counts them."""
    if not text.startswith("/"):
        return None
    length = len(text.split(maxsplit=1)[0].encode("utf-16-le", "surrogatepass")) // 2
    return [{"type": "bot_command", "offset": 0, "length": length}]
