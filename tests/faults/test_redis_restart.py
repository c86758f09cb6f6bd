"""Workers across a Redis restart: redis-server stopped (SIGTERM) and started again while a delivery
chunk runs on a prefork worker (-c 2). Its own redis-server, with append-only persistence as in
production, so the queues and the unacked messages survive the restart."""

import asyncio
import time
from collections.abc import Iterator

import pytest

from tasks.contracts import PingResult
from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.logs import events
from tests.support.notifications import fan_out, received, subscribe_chats
from tests.support.processes import CeleryWorker
from tests.support.restartable_redis import RestartableRedis
from tests.support.telegram import Telegram
from tests.support.waiting import async_wait_for
from tests.support.workers import alive, wait_ready

pytestmark = pytest.mark.faults
CONCURRENCY = 2


@pytest.fixture
def server() -> Iterator[RestartableRedis]:
    server = RestartableRedis()
    yield server
    server.stop()


async def test_worker_survives_redis_restart_mid_chunk(
    telegram: Telegram, project_env: dict[str, str], server: RestartableRedis
) -> None:
    chats = list(range(8000, 8030))
    subscribe_chats(server.client, chats, state=telegram.state)
    telegram.faults.send_delay = 0.2
    env = {**project_env, "REDIS_URL": server.url, "DELIVERY_CONCURRENCY": str(CONCURRENCY)}
    worker = CeleryWorker(env, concurrency=2, name="restart")
    try:
        await wait_ready(worker)
        registry = make_container(server.url, telegram.base_url).resolve(TasksRegistry)
        await fan_out(registry, "restart")
        await async_wait_for(lambda: len(received(telegram.state)) >= 4, 20, "the chunk under way")
        server.terminate()
        await async_wait_for(lambda: "Connection to broker lost" in worker.log(), 10, "the worker to notice")
        server.start()
        back = time.monotonic()
        assert (await asyncio_ping(registry))["pong"]
        resumed = time.monotonic() - back
        await async_wait_for(lambda: settled(server, worker), 60, "the interrupted chunk to complete")
        log = worker.log()
    finally:
        worker.stop()
    assert "Unrecoverable error" not in log
    assert resumed <= 10, f"the worker answered {resumed:.1f} s after Redis returned"
    # The sends in flight when Redis went away reached Telegram unconfirmed: the redelivered chunk
    # may send those (DELIVERY_CONCURRENCY at most) once more; every other chat got exactly one.
    repeated = [chat for chat, count in received(telegram.state).items() if count != 1]
    assert len(repeated) <= CONCURRENCY, f"only sends in flight may repeat, got {repeated}"
    assert set(received(telegram.state)) == set(chats)


async def asyncio_ping(registry: TasksRegistry) -> PingResult:
    result = registry.ping.apply_async()
    return await asyncio.to_thread(result.get, timeout=15)


async def test_first_fan_out_after_a_restart_completes(
    telegram: Telegram, project_env: dict[str, str], server: RestartableRedis
) -> None:
    chats = list(range(8100, 8110))
    subscribe_chats(server.client, chats, state=telegram.state)
    env = {**project_env, "REDIS_URL": server.url}
    worker = CeleryWorker(env, concurrency=2, name="stale")
    try:
        await wait_ready(worker)
        registry = make_container(server.url, telegram.base_url).resolve(TasksRegistry)
        await fan_out(registry, "before")  # every pool of the worker holds a connection now
        await async_wait_for(lambda: settled(server, worker), 20, "the first tick to finish")
        server.terminate()
        server.start()
        await fan_out(registry, "after")
        await async_wait_for(lambda: set(received(telegram.state).values()) == {2}, 30, "the tick after")
    finally:
        worker.stop()
    assert received(telegram.state) == dict.fromkeys(chats, 2)


def settled(server: RestartableRedis, worker: CeleryWorker) -> bool:
    """The fan-out and its chunk are done and acknowledged."""
    done = alive(worker) and bool(events(worker.log(), "chunk_delivered"))
    return done and not server.client.llen("celery") and not server.client.hlen("unacked")
