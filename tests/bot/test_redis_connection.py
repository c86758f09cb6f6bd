"""The bot's Redis connection bounds writes by `socket_timeout` as redis-py does, without a Task."""

import time

import pytest
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.redis_connection import TimelyConnection
from tests.support.processes import RedisServer

HUGE = b"x" * (64 * 1024 * 1024)  # more than the socket buffers take: the write itself must wait


def client(url: str, socket_timeout: float) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url, connection_class=TimelyConnection, socket_timeout=socket_timeout
    )
    return Redis(connection_pool=pool)


async def test_commands_go_through_and_keep_their_read_timeout(redis_server: RedisServer) -> None:
    redis = client(redis_server.url, socket_timeout=2.0)
    try:
        assert await redis.ping()
        connection = await redis.connection_pool.get_connection()  # type: ignore[no-untyped-call]
        assert connection.socket_timeout == 2.0
        await redis.connection_pool.release(connection)
    finally:
        await redis.aclose()


async def test_a_write_to_a_hung_server_times_out() -> None:
    hung = RedisServer()
    redis = client(hung.url, socket_timeout=0.5)
    try:
        assert await redis.ping()
        hung.pause()
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError, match="writing"):
            await redis.set("big", HUGE)
        assert time.monotonic() - started < 5
    finally:
        await redis.aclose()
        hung.stop()
