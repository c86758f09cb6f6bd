"""Two broadcasts started at once share the workers' limiter: both reach every chat once, and Telegram's
limits (the emulator's) refuse nothing. Slow (two workers, 4 s of sending): under the `faults` marker."""

import asyncio

import pytest

from devtools.emulator.flood import FloodLimits
from tasks.registry import TasksRegistry
from tests.support.broadcasts import copies, running_broadcast
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.notifications import subscribe_chats
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready

ADMINS = (9900, 9901)
CHATS = set(range(10_000, 10_060))


@pytest.mark.faults
async def test_two_broadcasts_at_once_share_the_limits(
    telegram: Telegram, redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 29)
    state = telegram.state
    subscribe_chats(client, sorted(CHATS), state=state)
    telegram.faults.enforce_flood_limits(FloodLimits())  # 30/s, 1/s per chat
    env = {**project_env, "REDIS_URL": url, "DELIVERY_GLOBAL_PER_SECOND": "30"}
    workers = [CeleryWorker(env, concurrency=2, name=f"pair{n}") for n in range(2)]
    try:
        await wait_ready(*workers)
        registry = make_container(url, telegram.base_url).resolve(TasksRegistry)
        ids = [await running_broadcast(url, state, admin, f"News {admin}") for admin in ADMINS]
        for broadcast_id in ids:
            registry.broadcast_start.delay(broadcast_id)
        panels = [state.bot_messages(admin)[-1] for admin in ADMINS]
        await async_wait_for(lambda: all("done" in p.text for p in panels), 40, "both summaries")
    finally:
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in workers))
    for admin in ADMINS:
        assert copies(state, f"News {admin}", CHATS) == dict.fromkeys(CHATS, 1)
    assert telegram.faults.counts.get(429, 0) == 0, "together within Telegram's limits"
