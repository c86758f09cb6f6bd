"""Delivery guarantees with their own workers and beats: limits across processes, no duplicates from
two beats, nothing lost when a worker child is SIGKILLed mid-chunk. Each test uses its own Redis
database so the session worker does not take its tasks."""

import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from devtools.emulator.flood import FloodLimits
from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.logs import events, json_lines
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


OUTCOMES = ("sent", "duplicate", "unsubscribed", "migrated", "failed", "retry")  # a chunk's report
TICK_KEY = "notifications:tick:health:"
FAN_OUT_RECEIVED = re.compile(r"Task notifications\.fan_out\[[0-9a-f-]+\] received")  # Celery's line


def env_for(project_env: dict[str, str], url: str, **extra: str) -> dict[str, str]:
    return {**project_env, "REDIS_URL": url, "DELIVERY_GLOBAL_PER_SECOND": "30", **extra}


def chunk_reports(worker: CeleryWorker) -> list[dict[str, int]]:
    return [{key: line[key] for key in OUTCOMES} for line in events(worker.log(), "chunk_delivered")]


def fan_outs_settled(client: redis.Redis, telegram: Telegram) -> bool:
    """No task queued or running, and every chat got one message per claimed tick."""
    if client.llen("celery") or client.hlen("unacked"):
        return False
    return set(received(telegram.state).values()) == {len(claimed_ticks(client))}


def claimed_ticks(client: redis.Redis) -> list[str]:
    """The ticks whose fan-out was claimed, from their guard keys."""
    keys = (key.decode() if isinstance(key, bytes) else key for key in client.keys(f"{TICK_KEY}*"))
    return sorted(key.removeprefix(TICK_KEY) for key in keys)


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
        await async_wait_for(
            lambda: sum(len(chunk_reports(w)) for w in workers) >= 11, 10, "the 11 chunks' reports"
        )
        reports = [chunk_reports(w) for w in workers]
    assert all(reports), "both workers should share the load"
    sent_once = dict.fromkeys(OUTCOMES, 0)
    assert sorted((r for rs in reports for r in rs), key=lambda r: r["sent"]) == [
        {**sent_once, "sent": n} for n in [3] + [10] * 10
    ]
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
        sends = [beat.log().count("Sending due task health-notification") for beat in beats]
        for beat in beats:
            beat.stop()
        await async_wait_for(lambda: fan_outs_settled(client, telegram), 20, "the last fan-out to finish")
        log = worker.log()
    ticks = claimed_ticks(client)
    done, skipped = events(log, "fan_out_done"), events(log, "fan_out_duplicate_skipped")
    assert sorted(line["tick"] for line in done) == ticks, "each tick is fanned out exactly once"
    assert received(telegram.state) == dict.fromkeys(chats, len(ticks))
    assert all(sends), f"both beats should send due tasks, sent {sends}"
    assert skipped, "the other beat's fan-out of a tick should be skipped"
    assert {line["tick"] for line in skipped} <= set(ticks)
    taken = [line for line in json_lines(log) if FAN_OUT_RECEIVED.fullmatch(line["event"])]
    assert len(done) + len(skipped) == len(taken), "every fan-out either claimed its tick or was skipped"


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
    # Which sends were in flight at the kill varies; each of them (DELIVERY_CONCURRENCY at most) may
    # have reached Telegram unconfirmed, and is sent once more by the redelivered chunk.
    repeated = [chat for chat, count in received(telegram.state).items() if count != 1]
    assert len(repeated) <= 4, f"only sends in flight at the kill may repeat, got {repeated}"
    assert all(received(telegram.state)[chat] == 2 for chat in repeated), "a repeat is one more message"
