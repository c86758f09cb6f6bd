"""The admission script on a real Redis (database 14): rates, the in-flight lock, one notice, the queue."""

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.throttling import RateLimit, Throttle, Verdict
from tests.support.databases import database
from tests.support.processes import RedisServer

LIMIT = RateLimit(calls=10, period=60.0)


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    url, _ = database(redis_server, 14)
    client = Redis.from_url(url)
    yield client
    await client.aclose()


async def test_one_in_flight_then_released(redis: Redis) -> None:
    throttle = Throttle(redis, lock_ms=60_000, max_depth=10)
    first = await throttle.admit("ping:1:1", LIMIT, None, "a")
    second = await throttle.admit("ping:1:1", LIMIT, None, "b")
    assert (first.verdict, second.verdict) == (Verdict.ADMITTED, Verdict.THROTTLED_NOTIFY)
    assert first.lock_key is not None
    await throttle.release(first.lock_key, "b")  # not the holder: the lock stays
    assert (await throttle.admit("ping:1:1", LIMIT, None, "c")).verdict is Verdict.THROTTLED_SILENT
    await throttle.release(first.lock_key, "a")
    assert (await throttle.admit("ping:1:1", LIMIT, None, "d")).verdict is Verdict.ADMITTED


async def test_the_rate_counts_per_subject_and_the_notice_comes_once(redis: Redis) -> None:
    throttle = Throttle(redis, lock_ms=60_000, max_depth=10)
    free = RateLimit(calls=3, period=60.0, one_in_flight=False)
    verdicts = [(await throttle.admit("status:1:1", free, None, str(n))).verdict for n in range(6)]
    assert verdicts == [Verdict.ADMITTED] * 3 + [Verdict.THROTTLED_NOTIFY] + [Verdict.THROTTLED_SILENT] * 2
    assert (await throttle.admit("status:2:1", free, None, "x")).verdict is Verdict.ADMITTED


async def test_a_queue_deeper_than_allowed_is_busy(redis: Redis) -> None:
    throttle = Throttle(redis, lock_ms=60_000, max_depth=2)
    await redis.rpush("queue", "t1", "t2")
    assert (await throttle.admit("ping:1:1", None, "queue", "a")).verdict is Verdict.ADMITTED
    await redis.rpush("queue", "t3")
    assert (await throttle.admit("ping:1:1", LIMIT, "queue", "b")).verdict is Verdict.BUSY
    assert await redis.get("front-door:ping:1:1:calls") is None  # a busy answer takes no quota


async def test_a_deep_queue_is_told_once_per_flood_and_a_redelivered_update_keeps_its_lock(
    redis: Redis,
) -> None:
    throttle = Throttle(redis, lock_ms=60_000, max_depth=0)
    await redis.rpush("deep", "t1")
    verdicts = [(await throttle.admit("ping:9", LIMIT, "deep", str(n))).verdict for n in range(3)]
    assert verdicts == [Verdict.BUSY, Verdict.THROTTLED_SILENT, Verdict.THROTTLED_SILENT]
    await redis.delete("deep", "front-door:ping:9:notice")
    first = await throttle.admit("ping:9", LIMIT, "deep", "update-1")
    assert first.verdict is Verdict.ADMITTED
    again = await throttle.admit("ping:9", LIMIT, "deep", "update-1")  # the same update, fetched again
    assert again.verdict is Verdict.ADMITTED
    assert (await throttle.admit("ping:9", LIMIT, "deep", "update-2")).verdict is Verdict.THROTTLED_NOTIFY
