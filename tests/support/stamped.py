"""An emulator state that notes when each bot message arrived, for the benchmarks' rates and latencies."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from devtools.emulator.state import ChatMessage, EmulatorState

Reply = tuple[float, str]  # (time.monotonic() when the emulator accepted it, its text)


@dataclass
class StampedEmulatorState(EmulatorState):
    """The emulator, plus the monotonic time of every message it accepted from the bot, and per chat a
    future resolved with the bot's next reply there."""

    stamps: list[float] = field(default_factory=list)
    _awaited: dict[int, "asyncio.Future[Reply]"] = field(default_factory=dict)

    def expect_reply(self, chat_id: int) -> "asyncio.Future[Reply]":
        """A future for the bot's next message in `chat_id` (call it before the update is sent)."""
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._awaited[chat_id] = future
        return future

    async def bot_says(self, chat_id: int, text: str, parse_mode: str | None, **content: Any) -> ChatMessage:
        accepted_at = time.monotonic()
        self.stamps.append(accepted_at)
        message = await super().bot_says(chat_id, text, parse_mode, **content)
        future = self._awaited.pop(chat_id, None)
        if future is not None and not future.done():
            future.set_result((accepted_at, text))
        return message
