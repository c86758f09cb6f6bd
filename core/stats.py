"""Counters for /stats: O(1) per event, read for the last hour and the last day with one MGET.

Each event increments two buckets, its minute's and its hour's (`INCRBY` + `EXPIRE`, one pipelined round
trip). The last hour is the sum of the 60 minute buckets, the last day of the 24 hour buckets (each read
as one MGET over every metric): the hour is exact to the minute, the day to the hour.
"""

import time
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis

PREFIX = "stats"
MINUTE_TTL = 2 * 3600
HOUR_TTL = 26 * 3600


class Metric(StrEnum):
    MESSAGES_SENT = "messages_sent"
    MESSAGES_FAILED = "messages_failed"
    FLOOD_WAITS = "flood_waits"  # 429 answers
    TASKS_SUCCEEDED = "tasks_succeeded"
    TASKS_FAILED = "tasks_failed"


@dataclass(frozen=True, slots=True)
class Window:
    """Per metric, the counts of the last hour and of the last day."""

    hour: dict[Metric, int]
    day: dict[Metric, int]


class StatsCounters:
    def __init__(self, redis: Redis, prefix: str = PREFIX) -> None:
        self._redis = redis
        self._prefix = prefix

    async def add(self, metric: Metric, count: int = 1, now: float | None = None) -> None:
        minute = int((time.time() if now is None else now) // 60)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incrby(self._key("m", metric, minute), count)
            pipe.expire(self._key("m", metric, minute), MINUTE_TTL)
            pipe.incrby(self._key("h", metric, minute // 60), count)
            pipe.expire(self._key("h", metric, minute // 60), HOUR_TTL)
            await pipe.execute()

    async def window(self, now: float | None = None) -> Window:
        minute = int((time.time() if now is None else now) // 60)
        hour = await self._sums("m", [minute - i for i in range(60)])
        day = await self._sums("h", [minute // 60 - i for i in range(24)])
        return Window(hour, day)

    async def _sums(self, unit: str, buckets: list[int]) -> dict[Metric, int]:
        keys = [self._key(unit, metric, bucket) for metric in Metric for bucket in buckets]
        values = await self._redis.mget(keys)
        sums = dict.fromkeys(Metric, 0)
        for index, value in enumerate(values):
            sums[list(Metric)[index // len(buckets)]] += int(value or 0)
        return sums

    def _key(self, unit: str, metric: Metric, bucket: int) -> str:
        return f"{self._prefix}:{unit}:{metric}:{bucket}"
