"""The limiters the limiter benchmark compares, each behind the same `Sender` face, counting round trips."""

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from core.limiter import TelegramRateLimiter
from core.settings import DeliverySettings

LIMIT = 300
Contender = Callable[[str, str], "Sender"]


class Sender(Protocol):
    @property
    def trips(self) -> int:
        """Round trips to Redis so far."""
        ...

    async def acquire(self, chat_id: int) -> None: ...


class CountingLimiter(TelegramRateLimiter):
    trips = 0

    async def try_acquire(self, chat_id: int, is_group: bool) -> float:
        self.trips += 1
        return await super().try_acquire(chat_id, is_group)


class GcraSender:
    def __init__(self, url: str, prefix: str) -> None:
        settings = DeliverySettings(global_per_second=LIMIT, chat_per_second=1, group_per_minute=20)
        self._limiter = CountingLimiter(Redis.from_url(url), settings, prefix)

    @property
    def trips(self) -> int:
        return self._limiter.trips

    async def acquire(self, chat_id: int) -> None:
        await self._limiter.acquire(chat_id, is_group=False)


class MovingWindowSender:
    """`limits`' exact sliding window, L per second; when full, sleep until its oldest entry leaves."""

    def __init__(self, url: str, prefix: str) -> None:
        storage = RedisStorage(f"async+{url}", implementation="redispy", key_prefix=prefix)
        self._limiter, self._item = MovingWindowRateLimiter(storage), RateLimitItemPerSecond(LIMIT, 1)
        self.trips = 0

    async def acquire(self, chat_id: int) -> None:
        self.trips += 1
        while not await self._limiter.hit(self._item, "global"):
            reset = (await self._limiter.get_window_stats(self._item, "global")).reset_time
            self.trips += 2
            await asyncio.sleep(max(0.0, reset - time.time()))


CONTENDERS: dict[str, Contender] = {"GCRA Lua (ours)": GcraSender, "limits MovingWindow": MovingWindowSender}
