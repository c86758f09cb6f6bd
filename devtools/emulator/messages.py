"""Chats and the messages in them, and how each looks as a Bot API object (aiogram's `Chat`, `Message`)."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup"]
MediaKind = Literal["photo", "document"]
PHOTO_SIZE = (640, 480)  # every placeholder photo has one size, as a PhotoSize
_files: Iterator[int] = itertools.count(1)


@dataclass
class Chat:
    id: int
    type: ChatType
    title: str

    def to_api(self) -> dict[str, Any]:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": self.title}
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass(frozen=True)
class Media:
    """A placeholder file: no bytes, a name and a fake (but stable, reusable) file_id."""

    kind: MediaKind
    file_name: str
    file_id: str
    file_unique_id: str

    @classmethod
    def new(cls, kind: MediaKind, file_name: str) -> "Media":
        number = next(_files)
        return cls(kind, file_name, f"emu-{kind}-{number:06d}", f"emu{number:06d}")

    def to_api(self) -> dict[str, Any]:
        if self.kind == "photo":
            width, height = PHOTO_SIZE
            size = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
            return {"photo": [{**size, "width": width, "height": height, "file_size": 1024}]}
        document = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
        }
        return {"document": {**document, "mime_type": "application/octet-stream", "file_size": 1024}}


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
            "file_name": self.media.file_name if self.media else None,
            "service": sorted(self.service) if self.service else None,
            "reply_markup": self.reply_markup,
            "reply_to": self.reply_to,
        }
