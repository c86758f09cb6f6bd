"""The queue of updates the bot reads (getUpdates, or the emulator's webhook delivery), and the one
condition that wakes whoever waits for news (long polls, the chat page's event stream)."""

import asyncio
import itertools
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

CLOSE_CHECK = 0.25


@dataclass
class UpdateQueue:
    bot_polling: bool = field(
        default_factory=bool, init=False
    )  # a getUpdates has arrived (the page's status)
    _updates: list[dict[str, Any]] = field(default_factory=list, init=False)
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1), init=False)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition, init=False)
    _closing: bool = field(default_factory=bool, init=False)

    async def inject_update(self, payload: dict[str, Any]) -> int:
        """A test hook: queue an update as given, raw (even one no client can parse); returns its id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        await self._notify()
        return update_id

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

    async def changed(self) -> None:
        """Wakes whoever waits for news (the page's event stream) after a change made from outside."""
        await self._notify()

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
