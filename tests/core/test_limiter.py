"""The shared Telegram limiter against a real redis-server: rates, spacing, pauses, atomicity."""

import asyncio
import itertools
import multiprocessing
import time
import uuid
from collections.abc import AsyncIterator, Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest
from redis.asyncio import Redis

from core.limiter import TelegramRateLimiter
from core.settings import DeliverySettings
from tests.support.processes import RedisServer
from tests.support.timing import max_in_window

TOLERANCE = 0.003  # the limiter's default: the global limit may run this early
JITTER = 0.01  # stamps are taken by the client after the reply, not by Redis at admission


def settings(
    global_per_second: float = 1000, chat_per_second: float = 1000, group_per_minute: float = 60_000
) -> DeliverySettings:
    return DeliverySettings(
        global_per_second=global_per_second,
        chat_per_second=chat_per_second,
        group_per_minute=group_per_minute,
    )


def rate(stamps: list[float]) -> float:
    return (len(stamps) - 1) / (max(stamps) - min(stamps))


def gaps(stamps: list[float]) -> list[float]:
    ordered = sorted(stamps)
    return [later - earlier for earlier, later in itertools.pairwise(ordered)]


def assert_within_global(stamps: list[float], limit: float) -> None:
    """GCRA, burst 1, tolerance τ: any 1 s holds at most ⌊L(1 + τ)⌋ + 1 admissions; +1 for jitter."""
    assert max_in_window(stamps) <= int(limit * (1 + TOLERANCE)) + 2
    assert rate(stamps) >= 0.9 * limit


@pytest.fixture
def prefix() -> str:
    return f"test:limit:{uuid.uuid4().hex}"


@pytest.fixture
async def clients(redis_server: RedisServer) -> AsyncIterator[list[Redis]]:
    """Independent connections, one per would-be process."""
    made = [Redis.from_url(redis_server.url) for _ in range(4)]
    yield made
    for client in made:
        await client.aclose()


@pytest.fixture
def limiters(clients: list[Redis], prefix: str) -> Callable[[DeliverySettings], list[TelegramRateLimiter]]:
    return lambda chosen: [TelegramRateLimiter(client, chosen, prefix) for client in clients]


async def send_until(limiter: TelegramRateLimiter, end: float, chat_ids: range) -> list[float]:
    stamps = []
    for chat_id in chat_ids:
        if time.monotonic() >= end:
            break
        await limiter.acquire(chat_id, is_group=False)
        stamps.append(time.monotonic())
    return stamps


async def test_concurrent_clients_hold_the_global_rate_together(
    limiters: Callable[..., list[TelegramRateLimiter]],
) -> None:
    limit = 100
    end = time.monotonic() + 2.0
    senders = [
        send_until(limiter, end, range(n * 100_000, (n + 1) * 100_000))
        for n, limiter in enumerate(limiters(settings(global_per_second=limit)) * 3)
    ]
    stamps = [stamp for batch in await asyncio.gather(*senders) for stamp in batch]
    assert_within_global(stamps, limit)


def _process_sends(
    url: str, prefix: str, ready: Barrier, results: "Queue[list[float]]", first_chat: int
) -> None:
    """In a spawned OS process: 3 senders, each message to a new chat, for 2 s once both are ready."""

    async def run() -> list[float]:
        client = Redis.from_url(url)
        limiter = TelegramRateLimiter(client, settings(global_per_second=100), prefix)
        await client.ping()
        ready.wait(30)
        end = time.monotonic() + 2.0
        chats = [range(first_chat + n * 100_000, first_chat + (n + 1) * 100_000) for n in range(3)]
        batches = await asyncio.gather(*(send_until(limiter, end, chat) for chat in chats))
        await client.aclose()
        return [stamp for batch in batches for stamp in batch]

    results.put(asyncio.run(run()))


async def test_two_os_processes_hold_the_global_rate_together(redis_server: RedisServer, prefix: str) -> None:
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(target=_process_sends, args=(redis_server.url, prefix, ready, results, n * 1_000_000))
        for n in range(2)
    ]
    for process in processes:
        process.start()
    per_process = [await asyncio.to_thread(results.get, timeout=30) for _ in processes]
    for process in processes:
        process.join(5)
    assert all(len(stamps) > 50 for stamps in per_process), "both processes sent"
    assert_within_global([stamp for stamps in per_process for stamp in stamps], 100)  # monotonic: system-wide


async def test_one_chat_is_spaced_by_its_own_rate(limiters: Callable[..., list[TelegramRateLimiter]]) -> None:
    chat_per_second = 10

    async def send(limiter: TelegramRateLimiter) -> list[float]:
        stamps = []
        for _ in range(4):
            await limiter.acquire(42, is_group=False)
            stamps.append(time.monotonic())
        return stamps

    batches = await asyncio.gather(
        *(send(lim) for lim in limiters(settings(chat_per_second=chat_per_second)))
    )
    spacing = gaps([stamp for batch in batches for stamp in batch])
    assert min(spacing) >= 1 / chat_per_second - JITTER
    assert sum(spacing) / len(spacing) >= 1 / chat_per_second


async def test_a_group_is_held_to_its_per_minute_rate_and_a_private_chat_is_not(
    limiters: Callable[..., list[TelegramRateLimiter]],
) -> None:
    first, second, *_ = limiters(settings(chat_per_second=100, group_per_minute=600))

    async def send(limiter: TelegramRateLimiter, chat_id: int, is_group: bool) -> list[float]:
        stamps = []
        for _ in range(6):
            await limiter.acquire(chat_id, is_group)
            stamps.append(time.monotonic())
        return stamps

    began = time.monotonic()
    group_a, group_b, private = await asyncio.gather(
        send(first, -100, True), send(second, -100, True), send(second, 7, False)
    )
    group = sorted(group_a + group_b)
    assert min(gaps(group)) >= 0.1 - JITTER
    assert max_in_window(group) <= 11
    assert max(private) - began < 0.5, "the private chat went at its own 100/s"


async def test_a_pause_holds_every_limiter_and_is_never_shortened(
    limiters: Callable[..., list[TelegramRateLimiter]],
) -> None:
    first, second, *_ = limiters(settings())
    await first.pause(2)
    await second.pause(0.5)
    assert 1.9 <= await second.paused_for() <= 2.0
    began = time.monotonic()
    waited = await second.acquire(1, is_group=False)
    assert 1.9 <= time.monotonic() - began <= 2.5
    assert 1.9 <= waited <= 2.1
    assert await first.paused_for() == 0


async def test_a_longer_pause_extends_the_shorter(limiters: Callable[..., list[TelegramRateLimiter]]) -> None:
    first, second, *_ = limiters(settings())
    await first.pause(1)
    await second.pause(5)
    assert 4.9 <= await first.paused_for() <= 5.0
    await first.pause(0)
    assert await second.paused_for() > 4.9


async def test_a_denied_check_records_nothing(
    limiters: Callable[..., list[TelegramRateLimiter]], clients: list[Redis], prefix: str
) -> None:
    limiter, *_ = limiters(settings(global_per_second=10, chat_per_second=1))
    await limiter.acquire(1, is_group=False)
    global_tat = await clients[1].get(f"{prefix}:global")
    await clients[1].persist(f"{prefix}:global")  # it would expire at its TAT, 0.1 s from now
    waits = [await limiter.try_acquire(1, is_group=False) for _ in range(20)]
    assert all(0.9 < wait <= 1.0 for wait in waits), "denied by chat 1's own limit"
    assert global_tat is not None
    assert await clients[1].get(f"{prefix}:global") == global_tat
    began = time.monotonic()
    await limiter.acquire(2, is_group=False)
    assert time.monotonic() - began < 0.2, "20 recorded denials would have taken 2 s of the global rate"


async def test_a_paused_check_creates_no_key(
    limiters: Callable[..., list[TelegramRateLimiter]], clients: list[Redis], prefix: str
) -> None:
    limiter, *_ = limiters(settings())
    await limiter.pause(1)
    assert 0.9 < await limiter.try_acquire(5, is_group=True) <= 1.0
    assert [key async for key in clients[0].scan_iter(f"{prefix}:*")] == [f"{prefix}:pause".encode()]


async def test_keys_expire_shortly_after_their_tat(
    limiters: Callable[..., list[TelegramRateLimiter]], clients: list[Redis], prefix: str
) -> None:
    limiter, *_ = limiters(settings(global_per_second=100, chat_per_second=1, group_per_minute=20))
    assert await limiter.try_acquire(-5, is_group=True) == 0
    assert 0 < await clients[0].pttl(f"{prefix}:global") <= 10
    assert 990 < await clients[0].pttl(f"{prefix}:chat:-5") <= 1000
    assert 2990 < await clients[0].pttl(f"{prefix}:group:-5") <= 3000
