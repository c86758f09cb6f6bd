"""ResultWaiter against a real redis-server: losing its pub/sub connection, missed results, shutdown."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import punq
import pytest
import redis
from celery import Celery, states
from redis.asyncio import Redis

from bot.celery_client import result_waiter as results
from bot.celery_client.result_waiter import ResultWaiter
from core.settings import RedisSettings
from tests.support.containers import make_container
from tests.support.processes import RedisServer
from tests.support.waiting import async_wait_for

DB = 12  # this module's own database: its subscriptions are told apart from other tests' by it
UNUSED_API = "http://127.0.0.1:9"  # the waiter never calls Telegram
TIMEOUT = 5.0
PONG = {"pong": True}


def subscribed_on_server(server: RedisServer) -> list[str]:
    """Client ids of this module's pattern subscriptions, as the server sees them."""
    clients = server.client.client_list(_type="pubsub")
    return [c["id"] for c in clients if c["db"] == str(DB) and c["psub"] == "1"]


def kill(server: RedisServer, client_id: str) -> int:
    return int(server.client.client_kill_filter(_type="pubsub", _id=client_id))


@pytest.fixture
def container(redis_server: RedisServer) -> punq.Container:
    url = redis_server.url.rsplit("/", 1)[0] + f"/{DB}"
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return make_container(url, UNUSED_API)


@asynccontextmanager
async def running(client: Redis, app: Celery, server: RedisServer) -> AsyncIterator[ResultWaiter]:
    waiter = ResultWaiter(client, app)
    waiter.start()
    try:
        await asyncio.wait_for(waiter.subscribed.wait(), TIMEOUT)
        await async_wait_for(lambda: subscribed_on_server(server), TIMEOUT, "the pattern subscription")
        yield waiter
    finally:
        await waiter.stop()
        await client.aclose()


@pytest.fixture
async def waiter(container: punq.Container, redis_server: RedisServer) -> AsyncIterator[ResultWaiter]:
    """The bot's waiter, on the bot's Redis client (which reconnects a lost connection once itself)."""
    async with running(container.resolve(Redis), container.resolve(Celery), redis_server) as started:
        yield started


@pytest.fixture
async def bare_waiter(container: punq.Container, redis_server: RedisServer) -> AsyncIterator[ResultWaiter]:
    """A waiter on a client that does not retry, so a lost connection reaches the waiter's own loop."""
    url = container.resolve(RedisSettings).url.get_secret_value()
    async with running(Redis.from_url(url), container.resolve(Celery), redis_server) as started:
        yield started


async def store_and_await(waiter: ResultWaiter, app: Celery) -> dict[str, Any]:
    """Stores a result as a worker does (the backend PUBLISHes it) and awaits it through the waiter."""
    task_id = waiter.new_task_id()
    future = waiter.expect(task_id)
    app.backend.store_result(task_id, PONG, states.SUCCESS)
    meta = await asyncio.wait_for(future, TIMEOUT)
    assert (meta["task_id"], meta["status"], meta["result"]) == (task_id, states.SUCCESS, PONG)
    return meta


async def test_killed_channel_comes_back_and_results_arrive(
    waiter: ResultWaiter, container: punq.Container, redis_server: RedisServer
) -> None:
    [before] = subscribed_on_server(redis_server)
    assert kill(redis_server, before) == 1
    [after] = await async_wait_for(
        lambda: [i for i in subscribed_on_server(redis_server) if i != before], TIMEOUT, "a new subscription"
    )
    assert after != before
    assert waiter.subscribed.is_set()
    await store_and_await(waiter, container.resolve(Celery))


async def test_lost_channel_clears_subscribed_until_it_is_back(
    bare_waiter: ResultWaiter, container: punq.Container, redis_server: RedisServer
) -> None:
    [before] = subscribed_on_server(redis_server)
    assert kill(redis_server, before) == 1
    await async_wait_for(lambda: not bare_waiter.subscribed.is_set(), TIMEOUT, "subscribed to clear")
    await asyncio.wait_for(bare_waiter.subscribed.wait(), TIMEOUT)
    await async_wait_for(lambda: subscribed_on_server(redis_server), TIMEOUT, "the new subscription")
    await store_and_await(bare_waiter, container.resolve(Celery))


async def test_result_stored_while_down_is_fetched(
    bare_waiter: ResultWaiter,
    container: punq.Container,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(results, "RECONNECT_DELAY", 60.0)  # stays down until stop() cancels it
    [before] = subscribed_on_server(redis_server)
    assert kill(redis_server, before) == 1
    await async_wait_for(lambda: not bare_waiter.subscribed.is_set(), TIMEOUT, "subscribed to clear")
    app, done, running_id = container.resolve(Celery), bare_waiter.new_task_id(), bare_waiter.new_task_id()
    future = bare_waiter.expect(done)
    app.backend.store_result(done, PONG, states.SUCCESS)
    app.backend.store_result(running_id, None, states.STARTED)

    assert subscribed_on_server(redis_server) == []
    meta = await bare_waiter.fetch(done)
    assert meta is not None
    assert (meta["task_id"], meta["status"], meta["result"]) == (done, states.SUCCESS, PONG)
    assert await bare_waiter.fetch(running_id) is None  # not finished
    assert await bare_waiter.fetch(bare_waiter.new_task_id()) is None  # never stored
    assert not future.done()


async def test_stop_cancels_pending_futures_and_unsubscribes(
    waiter: ResultWaiter, redis_server: RedisServer
) -> None:
    first, second = waiter.expect(waiter.new_task_id()), waiter.expect(waiter.new_task_id())
    await waiter.stop()
    assert (first.cancelled(), second.cancelled()) == (True, True)
    await async_wait_for(lambda: not subscribed_on_server(redis_server), TIMEOUT, "the subscription to end")
