"""Fan-out and delivery through a real worker, real Redis and the emulator's failure modes."""

import pytest
import redis

from core.subscriptions import SUBSCRIBERS_KEY
from devtools.emulator.flood import FloodLimits
from tasks.registry import TasksRegistry
from tests.support.logs import events
from tests.support.notifications import fan_out, received, subscribe_chats
from tests.support.processes import CeleryWorker
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")


async def wait_all_received(telegram: Telegram, chats: list[int], what: str) -> None:
    await async_wait_for(lambda: set(received(telegram.state)) >= set(chats), 30, what)


async def test_each_chat_gets_exactly_one_message_per_tick(
    telegram: Telegram, registry: TasksRegistry, subscribers_redis: redis.Redis
) -> None:
    privates, groups = list(range(5000, 5230)), [-5001, -5002, -5003]
    subscribe_chats(subscribers_redis, privates, groups, state=telegram.state)

    report = await fan_out(registry, "test-once")
    assert report == {"tick": "test-once", "duplicate": False, "chats": 233, "chunks": 3}
    await wait_all_received(telegram, privates + groups, "every chat to get the report")
    assert (await fan_out(registry, "test-once"))["duplicate"] is True

    await fan_out(registry, "test-twice")
    await async_wait_for(
        lambda: set(received(telegram.state).values()) == {2}, 30, "the second tick everywhere"
    )
    assert set(received(telegram.state).values()) == {2}


async def test_blocked_and_vanished_chats_are_unsubscribed(
    telegram: Telegram, registry: TasksRegistry, subscribers_redis: redis.Redis
) -> None:
    subscribe_chats(subscribers_redis, [5301, 5302, 5303], state=telegram.state)
    telegram.faults.blocked.add(5302)
    subscribers_redis.hset(SUBSCRIBERS_KEY, "5399", "private")  # never existed in Telegram: "chat not found"

    await fan_out(registry, "test-blocked")
    await wait_all_received(telegram, [5301, 5303], "the reachable chats")
    await async_wait_for(
        lambda: subscribers_redis.hlen(SUBSCRIBERS_KEY) == 2, 15, "blocked and missing chats to be dropped"
    )
    assert sorted(subscribers_redis.hkeys(SUBSCRIBERS_KEY)) == [b"5301", b"5303"]
    assert telegram.faults.counts[403] == 1


async def test_migrated_group_gets_its_message_at_the_new_id(
    telegram: Telegram, registry: TasksRegistry, subscribers_redis: redis.Redis
) -> None:
    subscribe_chats(subscribers_redis, [5401], [-5402], state=telegram.state)
    telegram.faults.migrations[-5402] = -1005402

    await fan_out(registry, "test-migrate")
    await wait_all_received(telegram, [5401, -1005402], "the migrated supergroup's message")
    assert received(telegram.state) == {5401: 1, -1005402: 1}
    assert subscribers_redis.hget(SUBSCRIBERS_KEY, "-1005402") == b"supergroup"
    assert not subscribers_redis.hexists(SUBSCRIBERS_KEY, "-5402")


async def test_server_errors_are_retried_until_delivered(
    telegram: Telegram, registry: TasksRegistry, subscribers_redis: redis.Redis
) -> None:
    chats = list(range(5500, 5520))
    subscribe_chats(subscribers_redis, chats, state=telegram.state)
    telegram.faults.server_errors = 25

    await fan_out(registry, "test-5xx")
    await wait_all_received(telegram, chats, "every chat despite 502s")
    assert set(received(telegram.state).values()) == {1}
    assert telegram.faults.counts[502] == 25


async def test_flood_wait_pauses_and_loses_nothing(
    telegram: Telegram, registry: TasksRegistry, subscribers_redis: redis.Redis, celery_worker: CeleryWorker
) -> None:
    chats = list(range(5600, 5610))
    subscribe_chats(subscribers_redis, chats, state=telegram.state)
    # Telegram far stricter than the suite's workers (300/s): after a burst of 3, sends get 429
    # retry_after=1, and every worker pauses a whole second each time (whole seconds, as in Telegram).
    telegram.faults.enforce_flood_limits(FloodLimits(global_per_second=15, slack=0))

    await fan_out(registry, "test-429")
    await wait_all_received(telegram, chats, "every chat despite 429s")
    assert set(received(telegram.state).values()) == {1}
    rejected = telegram.faults.counts[429]
    assert rejected >= 1, "ten sends at 300/s against 15/s: the emulator must have refused some"
    assert telegram.state.method_calls["sendMessage"] == len(chats) + rejected
    waits = [line for line in events(celery_worker.log(), "telegram_flood_wait") if line["chat_id"] in chats]
    assert [line["retry_after"] for line in waits] == [1] * rejected, "each 429 is one pause, then a retry"


async def test_worker_processes_start_their_event_loop_after_the_fork(celery_worker: CeleryWorker) -> None:
    def started() -> list[int]:
        return [line["pid"] for line in events(celery_worker.log(), "worker_event_loop_started")]

    children = celery_worker.children()
    assert len(children) == 2
    await async_wait_for(lambda: len(started()) >= len(children), 10, "every child to start its event loop")
    assert sorted(started()) == sorted(children), "one event loop per prefork child, none in the main process"
    assert "Event loop is closed" not in celery_worker.log()
