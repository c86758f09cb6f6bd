"""The broadcast store's compare-and-set transitions, completion and edit slot, on the suite's Redis
(database 29), and /stats' counters (their windows, their cost)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from core.broadcasts.store import BroadcastStore, State
from core.stats import Metric, StatsCounters
from tests.support.databases import database
from tests.support.processes import RedisServer


@asynccontextmanager
async def redis_of(server: RedisServer) -> AsyncIterator[Redis]:
    url, _ = database(server, 29)
    client = Redis.from_url(url)
    try:
        yield client
    finally:
        await client.aclose()


async def test_each_transition_happens_once_and_only_from_its_states(redis_server: RedisServer) -> None:
    async with redis_of(redis_server) as redis:
        store = BroadcastStore(redis)
        first, second = await store.create(1, 1, 10), await store.create(1, 1, 11)
        assert (first, second) == (1, 2)
        assert not await store.move(first, State.STOPPING, State.RUNNING), "a draft is not running"
        assert await store.move(first, State.RUNNING, State.DRAFT)
        assert not await store.move(first, State.RUNNING, State.DRAFT), "a second Send is ignored"
        assert not await store.move(first, State.CANCELLED, State.DRAFT), "nor can it be cancelled now"
        assert await store.active() == [first]
        assert await store.move(first, State.STOPPING, State.RUNNING)
        assert await store.active() == [first], "stopping is still active"
        assert await store.move(first, State.STOPPED, State.STOPPING)
        assert await store.active() == []
        assert await store.move(second, State.CANCELLED, State.DRAFT)
        assert not await store.move(second, State.RUNNING, State.DRAFT)
        assert not await store.move(99, State.RUNNING, State.DRAFT), "an unknown broadcast"


async def test_done_once_every_chat_is_counted_and_not_before_the_total_is_known(
    redis_server: RedisServer,
) -> None:
    async with redis_of(redis_server) as redis:
        store = BroadcastStore(redis)
        broadcast_id = await store.create(1, 1, 10)
        await store.move(broadcast_id, State.RUNNING, State.DRAFT)
        await redis.hincrby(store.counts_key(broadcast_id), "sent", 2)
        assert not await store.complete(broadcast_id), "no total yet"
        await store.set_total(broadcast_id, 4)
        await redis.hincrby(store.counts_key(broadcast_id), "blocked", 1)
        assert not await store.complete(broadcast_id)
        await store.add_failed(broadcast_id, 1)
        assert await store.complete(broadcast_id)
        assert not await store.complete(broadcast_id), "done once"
        broadcast = await store.get(broadcast_id)
        assert broadcast is not None
        assert (broadcast.state, broadcast.counted, broadcast.total) == (State.DONE, 4, 4)


async def test_the_edit_slot_lets_one_edit_through_per_interval(redis_server: RedisServer) -> None:
    async with redis_of(redis_server) as redis:
        store = BroadcastStore(redis)
        assert await store.take_edit_slot(1, 3.0) == 0.0
        wait = await store.take_edit_slot(1, 3.0)
        assert 2.5 < wait <= 3.0
        await store.rearm_edit_slot(1, 3.0)
        assert await store.take_edit_slot(1, 3.0) > 2.5


async def test_counters_sum_the_last_hour_by_minute_and_the_last_day_by_hour(
    redis_server: RedisServer,
) -> None:
    async with redis_of(redis_server) as redis:
        stats, now = StatsCounters(redis), 1_800_000_000.0
        await stats.add(Metric.MESSAGES_SENT, 5, now=now)
        await stats.add(Metric.MESSAGES_SENT, 1, now=now - 59 * 60)  # within the hour
        await stats.add(Metric.MESSAGES_SENT, 10, now=now - 3 * 3600)  # within the day only
        await stats.add(Metric.FLOOD_WAITS, now=now)
        await stats.add(Metric.TASKS_FAILED, 7, now=now - 25 * 3600)  # neither
        window = await stats.window(now=now)
        assert window.hour[Metric.MESSAGES_SENT] == 6
        assert window.day[Metric.MESSAGES_SENT] == 16
        assert window.hour[Metric.FLOOD_WAITS] == window.day[Metric.FLOOD_WAITS] == 1
        assert window.day[Metric.TASKS_FAILED] == 0
        keys = await redis.keys("stats:*")
        ttls = [await redis.ttl(key) for key in keys]
        assert all(0 < ttl <= 26 * 3600 for ttl in ttls), "every bucket expires"
