"""What the broadcast benchmark runs in its own processes: the enqueue of a broadcast (RSS sampled while
it runs) and one delivery (a broadcast, or the notifications' fan-out as the baseline) against the
emulator enforcing Telegram's limits, with two real workers."""

import asyncio
import resource
import threading
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import redis

from bench._cpu import cpu_seconds
from bench._metering import STALL, favoured
from bench._notifications_support import (
    UNUSED_API,
    StampedTelegram,
    reset_peak_rss,
    running_workers,
    serving_emulator,
    settle,
    worker_env,
)
from core.broadcasts.store import BroadcastStore, State
from core.logging import configure_logging
from core.redaction import SecretRedactor
from core.settings import LogSettings
from devtools.emulator.flood import FloodLimits
from tasks.broadcasts.fan_out import BroadcastFanOut
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.registry import TasksRegistry
from tests.support.broadcasts import copies, running_broadcast
from tests.support.containers import make_container, make_worker_container
from tests.support.notifications import fan_out, received, subscribe_chats
from tests.support.processes import CeleryWorker
from tests.support.telegram import TEST_TOKEN
from tests.support.timing import max_in_window
from tests.support.waiting import async_wait_for
from tests.support.workers import wait_ready

FIRST_CHAT = 2_000_000
ADMIN = 77
PAGE = 4096
EMULATOR_NICENESS = -10  # as the notifications bench: Telegram does not share our CPU
SETTLED_CPU = 0.05  # a worker has settled once it uses less than this share of a core
RUN_TIMEOUT = 180.0


@dataclass(frozen=True)
class EnqueueFigures:
    chats: int
    chunks: int
    seconds: float
    rss_kb: int
    peak_growth_kb: int
    sampled_growth_kb: int  # highest RSS sampled during the enqueue, less the RSS before it


def _rss_kb() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE // 1024


class RssSampler:
    """Samples this process's RSS every 10 ms in a thread while the block runs."""

    def __init__(self) -> None:
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.samples.append(_rss_kb())

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def _running(store: BroadcastStore) -> int:
    broadcast_id = await store.create(ADMIN, ADMIN, 1)
    await store.move(broadcast_id, State.RUNNING, State.DRAFT)
    return broadcast_id


def enqueue_in_process(redis_url: str) -> EnqueueFigures:
    """`BroadcastFanOut.publish` as `broadcasts.start` runs it, in a fresh (spawned) process, against a
    database no worker consumes."""
    configure_logging(LogSettings(level="WARNING"), SecretRedactor([TEST_TOKEN]))
    container = make_worker_container(redis_url, UNUSED_API)
    fan_out_, event_loop = container.resolve(BroadcastFanOut), container.resolve(WorkerEventLoop)
    deliver = container.resolve(TasksRegistry).broadcast_deliver
    event_loop.start()
    broadcast_id = event_loop.run(_running(container.resolve(BroadcastStore)))  # connects the client
    deliver.apply_async((0, []))  # connects the producer
    before, rss_before = reset_peak_rss(), _rss_kb()
    with RssSampler() as sampler:
        started = time.perf_counter()
        chats, chunks = fan_out_.publish(deliver, broadcast_id)
        seconds = time.perf_counter() - started
    event_loop.close()
    peak_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    sampled = max(sampler.samples, default=rss_before) - rss_before
    return EnqueueFigures(chats, chunks, seconds, before, peak_growth, sampled)


@dataclass(frozen=True)
class DeliveryFigures:
    kind: str
    chats: int
    limit: float
    sent: int
    seconds: float
    max_1s: int
    rejected: int
    duplicates: int
    lost: int
    edit_gaps: list[float]  # seconds between the panel's edits (a broadcast's only)
    settled_in: float
    rejected_after_stall: int  # 429s within 0.1 s after the emulator's loop woke up > STALL late

    @property
    def ratio(self) -> float:
        return (self.sent - 1) / self.seconds / self.limit if self.seconds > 0 else 0.0


async def _settled(workers: list[CeleryWorker], timeout: float = 60.0) -> float:
    """Until every worker process (main and children) uses under SETTLED_CPU of a core for 1 s."""
    started = time.monotonic()

    def pids() -> list[int]:
        return [pid for w in workers for pid in (w.process.pid, *w.children())]

    while time.monotonic() - started < timeout:
        before = sum(cpu_seconds(pid) for pid in pids())
        await asyncio.sleep(1.0)
        if sum(cpu_seconds(pid) for pid in pids()) - before < SETTLED_CPU * len(pids()):
            break
    return time.monotonic() - started


def delivery_in_process(redis_url: str, kind: str, chats: int, limit: float) -> DeliveryFigures:
    configure_logging(LogSettings(level="WARNING"), SecretRedactor([TEST_TOKEN]))
    return asyncio.run(_delivery(redis_url, kind, chats, limit))


async def _delivery(redis_url: str, kind: str, chats: int, limit: float) -> DeliveryFigures:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    limits = FloodLimits(global_per_second=limit, chat_per_second=1, group_per_minute=20)
    chat_ids = range(FIRST_CHAT, FIRST_CHAT + chats)
    async with serving_emulator(limits) as telegram:
        state = telegram.state
        subscribe_chats(client, chat_ids, state=state)
        with running_workers(worker_env(redis_url, telegram.base_url, limit), 2, f"bench-{kind}-") as workers:
            await wait_ready(*workers)
            settled_in = await _settled(workers)
            registry = make_container(redis_url, telegram.base_url).resolve(TasksRegistry)
            stalls: list[float] = []
            watcher = asyncio.create_task(_watch_stalls(stalls))
            with favoured(EMULATOR_NICENESS):
                first, counts, gaps = await _run(kind, redis_url, client, telegram, registry, chat_ids)
            watcher.cancel()
    stamps = state.stamps[first:] or [0.0]
    rejections = telegram.faults.rejections
    after_stall = sum(1 for at in rejections if any(0 <= at - woke <= 0.1 for woke in stalls))
    return DeliveryFigures(
        kind, chats, limit, len(stamps), stamps[-1] - stamps[0], max_in_window(stamps), len(rejections),
        sum(1 for n in counts.values() if n > 1), sum(1 for c in chat_ids if counts.get(c, 0) == 0), gaps,
        settled_in, after_stall,
    )  # fmt: skip


async def _watch_stalls(stalls: list[float], tick: float = 0.005) -> None:
    """Notes when the emulator's loop (this one) woke up more than STALL late."""
    while True:
        started = time.monotonic()
        await asyncio.sleep(tick)
        if time.monotonic() - started - tick > STALL:
            stalls.append(time.monotonic())


async def _run(
    kind: str,
    redis_url: str,
    client: redis.Redis,
    telegram: StampedTelegram,
    registry: TasksRegistry,
    chat_ids: range,
) -> tuple[int, dict[int, int], list[float]]:
    """Runs one delivery; returns the index of its first stamp, the messages per chat, the edit gaps."""
    state = telegram.state
    if kind != "broadcast":
        await fan_out(registry, "bench-baseline")
        await settle(client, state)
        return 0, dict(received(state)), []
    broadcast_id = await running_broadcast(redis_url, state, ADMIN, "Bench")
    first = len(state.stamps)
    registry.broadcast_start.delay(broadcast_id)
    panel = state.bot_messages(ADMIN)[-1]
    await async_wait_for(lambda: "done" in panel.text, RUN_TIMEOUT, "the broadcast's summary")
    gaps = [later - earlier for earlier, later in pairwise(panel.edit_times)]
    return first, dict(copies(state, "Bench", set(chat_ids))), gaps
