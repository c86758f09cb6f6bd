"""A broadcast survives its workers: a pool child SIGKILLed mid-chunk, then every worker restarted, and
each chat still gets the message once (a send in flight at the kill may repeat: Telegram has no
idempotency key), counted once, with one final summary."""

import asyncio
import os
import signal

import pytest

from tasks.registry import TasksRegistry
from tests.support.broadcasts import copies, running_broadcast
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.notifications import subscribe_chats
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready

ADMIN = 9500
CHATS = set(range(9600, 9750))
CONCURRENCY = 4


@pytest.mark.faults
async def test_a_killed_and_restarted_worker_loses_and_repeats_nothing(
    telegram: Telegram, redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 28)
    state = telegram.state
    subscribe_chats(client, sorted(CHATS), state=state)
    telegram.faults.send_delay = 0.1  # 4 sends in flight, 40 per second: the kill lands mid-chunk
    env = {
        **project_env,
        "REDIS_URL": url,
        "DELIVERY_CONCURRENCY": str(CONCURRENCY),
        "DELIVERY_CHUNK_SIZE": "50",
    }

    def sent() -> int:
        return len(copies(state, "Resume", CHATS))

    worker = CeleryWorker(env, concurrency=1, name="victim")
    try:
        await wait_ready(worker)
        broadcast_id = await running_broadcast(url, state, ADMIN, "Resume")
        make_container(url, telegram.base_url).resolve(TasksRegistry).broadcast_start.delay(broadcast_id)
        await async_wait_for(lambda: sent() >= 30, 20, "the first chunk under way")
        [child] = worker.children()
        os.kill(child, signal.SIGKILL)
        await async_wait_for(lambda: sent() >= 80, 30, "the redelivered chunk, then the next ones")
        # every worker gone (a warm shutdown: in a thread, the emulator runs on this loop), a new one
        await asyncio.to_thread(worker.stop)
        worker = CeleryWorker(env, concurrency=1, name="successor")
        await async_wait_for(lambda: sent() == len(CHATS), 60, "every chat to receive it")
        panel = state.bot_messages(ADMIN)[-1]
        await async_wait_for(lambda: "done" in panel.text, 20, "the final summary")
    finally:
        await asyncio.to_thread(worker.stop)
    received = copies(state, "Resume", CHATS)
    repeated = [chat for chat, count in received.items() if count != 1]
    assert len(repeated) <= CONCURRENCY, f"only sends in flight at the kill may repeat, got {repeated}"
    assert f"Sent {len(CHATS)} · Failed 0 · Blocked 0 of {len(CHATS)} chats" in panel.text
    assert client.hget(f"broadcasts:{broadcast_id}", "sent") == str(len(CHATS)).encode(), "counted once"
