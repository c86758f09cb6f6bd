"""Deliveries through a Bot API that answers badly for a while (an HTML 502 page from a proxy, cut-off
JSON, a 500, dropped connections), then recovers: every chat gets the tick exactly once. And a chunk
that gives up hands its chats over, so running its tick again finishes it."""

from typing import Any

import pytest
import redis

from devtools.emulator.breakdowns import Breakdown
from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.logs import events
from tests.support.notifications import fan_out, received, subscribe_chats
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready

pytestmark = pytest.mark.faults
CHATS = list(range(8200, 8220))
# 4 kinds x 15 = 60 = 3 attempts for each of the 20 chats: the chunk's whole first run fails (with
# backoff), the Celery retry sends them all.
BROKEN_ANSWERS_EACH = 15


def final_report(worker: CeleryWorker, tick: str) -> dict[str, Any] | None:
    """The chunk report of `tick` that left nothing to retry."""
    reports = [line for line in events(worker.log(), "chunk_delivered") if line["tick"] == tick]
    return next((line for line in reports if line["retry"] == 0), None)


async def test_broken_answers_then_recovery_deliver_each_chat_once(
    telegram: Telegram, registry: TasksRegistry, subscribers_redis: redis.Redis, celery_worker: CeleryWorker
) -> None:
    subscribe_chats(subscribers_redis, CHATS, state=telegram.state)
    for kind in Breakdown:  # one after the other: 15 HTML 502 pages, 15 cut-off JSON bodies, ...
        telegram.faults.break_next(kind, BROKEN_ANSWERS_EACH)

    await fan_out(registry, "broken")
    await async_wait_for(lambda: final_report(celery_worker, "broken"), 40, "the chunk to finish")
    assert received(telegram.state) == dict.fromkeys(CHATS, 1)
    assert telegram.faults.broken == dict.fromkeys(Breakdown, BROKEN_ANSWERS_EACH)
    log = celery_worker.log()
    [retry] = [line for line in events(log, "delivery_retry_scheduled") if line["tick"] == "broken"]
    assert sorted(retry["chat_ids"]) == CHATS
    assert not [line for line in events(log, "delivery_gave_up") if line["tick"] == "broken"]


async def test_given_up_chats_are_sent_when_the_tick_runs_again(
    telegram: Telegram, redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 5)
    chats = list(range(8300, 8310))
    subscribe_chats(client, chats, state=telegram.state)
    env = {**project_env, "REDIS_URL": url, "DELIVERY_MAX_RETRIES": "0", "DELIVERY_CONCURRENCY": "1"}
    worker = CeleryWorker(env, concurrency=1, name="giveup")
    try:
        await wait_ready(worker)
        registry = make_container(url, telegram.base_url).resolve(TasksRegistry)
        telegram.faults.break_next(Breakdown.HTML_502, 3)  # the first chat's three attempts

        await fan_out(registry, "given-up")
        [gave_up] = await async_wait_for(lambda: events(worker.log(), "delivery_gave_up"), 30, "a give-up")
        assert len(gave_up["chat_ids"]) == 1
        assert set(received(telegram.state)) == set(chats) - set(gave_up["chat_ids"])

        again = await fan_out(registry, "given-up")  # the operator runs the tick again
        assert again["duplicate"] is False, "a given-up chunk releases its tick"
        await async_wait_for(lambda: len(received(telegram.state)) == len(chats), 30, "the given-up chat")
        await async_wait_for(lambda: len(events(worker.log(), "chunk_delivered")) == 2, 10, "both chunks")
    finally:
        worker.stop()
    assert received(telegram.state) == dict.fromkeys(chats, 1)
