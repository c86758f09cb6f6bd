"""Delivery guarantees with their own workers and beats: limits across processes, no duplicates from
two beats, nothing lost when a worker child is SIGKILLed mid-chunk. Each test uses its own Redis
database so the session worker does not take its tasks."""

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from devtools.emulator.flood import FloodLimits
from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.notifications import fan_out, received, subscribe_chats
from tests.support.processes import CeleryBeat, CeleryProcess, CeleryWorker, RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready


@contextmanager
def running(*processes: CeleryProcess) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.stop()


def env_for(project_env: dict[str, str], url: str, **extra: str) -> dict[str, str]:
    return {**project_env, "REDIS_URL": url, "DELIVERY_GLOBAL_PER_SECOND": "30", **extra}


async def test_two_workers_hold_telegrams_limits_together(
    telegram: Telegram, redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 2)
    privates, groups = list(range(7000, 7100)), [-7001, -7002, -7003]
    subscribe_chats(client, privates, groups, state=telegram.state)
    telegram.faults.enforce_flood_limits(FloodLimits())  # Telegram's: 30/s, 1/s per chat, 20/min per group
    env = env_for(project_env, url, DELIVERY_CHUNK_SIZE="10")
    workers = CeleryWorker(env, name="limit1"), CeleryWorker(env, name="limit2")
    with running(*workers):
        await wait_ready(*workers)
        registry = make_container(url, telegram.base_url).resolve(TasksRegistry)
        await fan_out(registry, "limits")
        await async_wait_for(lambda: len(received(telegram.state)) == 103, 30, "all 103 chats to receive")
        assert all("chunk_delivered" in w.log() for w in workers), "both workers should share the load"
    assert telegram.faults.counts.get(429, 0) == 0
    assert set(received(telegram.state).values()) == {1}


async def test_two_beats_send_each_tick_once(
    telegram: Telegram, redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 3)
    chats = list(range(7200, 7220))
    subscribe_chats(client, chats, state=telegram.state)
    env = env_for(project_env, url, NOTIFICATIONS_SCHEDULE="2")
    worker = CeleryWorker(env, concurrency=2, name="beats")
    beats = CeleryBeat(env), CeleryBeat(env)
    with running(worker, *beats):
        await wait_ready(worker)
        await async_wait_for(
            lambda: min(received(telegram.state).values(), default=0) >= 3, 40, "three ticks"
        )
        beat_logs = [beat.log() for beat in beats]
        for beat in beats:
            beat.stop()

        def settled() -> bool:
            ticks = len(client.keys("notifications:tick:health:*"))
            return client.llen("celery") == 0 and set(received(telegram.state).values()) == {ticks}

        await async_wait_for(settled, 20, "the last fan-out to finish")
    ticks = client.keys("notifications:tick:health:*")
    assert len(ticks) >= 3
    assert received(telegram.state) == dict.fromkeys(chats, len(ticks))
    assert all("Sending due task health-notification" in log for log in beat_logs)


async def test_sigkilled_worker_child_loses_no_message(
    telegram: Telegram, redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 4)
    chats = list(range(7300, 7360))
    subscribe_chats(client, chats, state=telegram.state)
    telegram.faults.send_delay = 0.2
    env = env_for(project_env, url, DELIVERY_CONCURRENCY="4", DELIVERY_GLOBAL_PER_SECOND="300")
    worker = CeleryWorker(env, concurrency=1, name="victim")
    with running(worker):
        await wait_ready(worker)
        registry = make_container(url, telegram.base_url).resolve(TasksRegistry)
        await fan_out(registry, "kill")
        await async_wait_for(lambda: len(received(telegram.state)) >= 12, 20, "the chunk under way")
        [child] = worker.children()
        os.kill(child, signal.SIGKILL)
        await async_wait_for(
            lambda: len(received(telegram.state)) == len(chats), 40, "the redelivered chunk to finish"
        )
        assert child not in worker.children()
    counts = received(telegram.state)
    duplicates = sum(counts.values()) - len(chats)
    assert duplicates <= 4, f"only sends in flight at the kill may repeat, got {duplicates}"
