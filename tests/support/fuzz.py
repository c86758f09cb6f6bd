"""A deterministic corpus of odd updates, as raw Bot API JSON: commands known and unknown, markup, long
and empty text, lone surrogates, emoji, right-to-left text, entities, captions without text, edits,
channel posts, groups. The same seed gives the same corpus."""

import random
from typing import Any

from bot.commands import MENU
from devtools.emulator.state import ChatType

PIECES = [
    "<b>", "</b>", "<b>bold</b>", "<x>", "<", ">", "&", "&amp;", "&lt;", "&#0;", "&nbsp;", '"', "'",
    '<a href="javascript:x">', "<tg-spoiler>", "\ud800", "\udfff", "\ud83d", "😀", "👩‍👩‍👧", "🇺🇳",
    "\u202e", "\u200f", "مرحبا", "שלום", "\u0301", "\u200b", "\x00", "\x1b[31m", "\t", "\n", " ", "　",
    "%3A", "%s", "{}", "\\", "`code`", "*bold*", "_it_", "@sandbox_bot", "@other_bot", "null", "é" * 3,
]  # fmt: skip
COMMANDS = [*(spec.name for spec in MENU), "start", "x", "frobnicate", "PING", "", "ping@sandbox_bot"]
CHATS: list[tuple[int, ChatType]] = [
    (5001, "private"),
    (5002, "private"),
    (-5003, "group"),
    (-1005004, "supergroup"),
]


class Corpus:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._message_ids = iter(range(1, 10**9))

    def updates(self, count: int) -> list[dict[str, Any]]:
        return [{"update_id": n, **self._update()} for n in range(1, count + 1)]

    def _update(self) -> dict[str, Any]:
        kind = self._random.choices(["message", "edited_message", "channel_post"], weights=[90, 6, 4])[0]
        chat: tuple[int, str] = self._random.choice(CHATS)
        if kind == "channel_post":
            chat = (-1005005, "channel")
        return {kind: self._message(*chat)}

    def _message(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        chat["first_name" if chat_type == "private" else "title"] = self._text(self._random.randint(0, 12))
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": 1_700_000_000, "chat": chat}
        if chat_type != "channel":
            message["from"] = {"id": abs(chat_id), "is_bot": False, "first_name": self._text(3) or "?"}
        shape = self._random.choice(["command", "command", "text", "caption", "sticker", "long", "empty"])
        if shape == "caption":
            message["photo"] = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]
            message["caption"] = self._text(self._random.randint(0, 20))
        elif shape == "sticker":
            message["sticker"] = {
                "file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1,
                "is_animated": False, "is_video": False,
            }  # fmt: skip
        else:
            message.update(self._text_message(shape))
        return message

    def _text_message(self, shape: str) -> dict[str, Any]:
        if shape == "empty":
            return {"text": self._random.choice(["", " ", "\n", "/"])}
        body = self._long() if shape == "long" else self._text(self._random.randint(0, 30))
        if shape == "text":
            return {"text": body, "entities": self._entities(body)}
        command = "/" + self._random.choice(COMMANDS) + self._text(self._random.choice([0, 0, 1, 3]))
        if shape == "long":
            command = "/" + body  # a command of thousands of characters
        text = command + self._random.choice(["", " ", "\n"]) + body
        entity = {"type": "bot_command", "offset": 0, "length": _utf16(command.split(maxsplit=1)[0] or "/")}
        return {"text": text, "entities": [entity]}

    def _text(self, pieces: int) -> str:
        return "".join(self._random.choice(PIECES) for _ in range(pieces))

    def _long(self) -> str:
        """Around Telegram's 4,096-character limit, either side of it."""
        target, text = self._random.randint(4000, 4200), ""
        while len(text) < target:
            text += self._text(50)
        return text[:target]

    def _entities(self, text: str) -> list[dict[str, Any]]:
        size = _utf16(text)
        if size < 2:
            return []
        offset = self._random.randrange(size - 1)
        kind = self._random.choice(["bold", "italic", "code", "spoiler", "url", "mention"])
        return [{"type": kind, "offset": offset, "length": self._random.randint(1, size - offset)}]


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
