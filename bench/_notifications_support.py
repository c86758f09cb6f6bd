"""What the notifications benchmark stands on: a timestamping emulator, throwaway workers, settling
and the in-process fan-out measurement.

The emulator runs on the bench's own event loop, so nothing here blocks that loop for long while
the workers send: waits poll cheap conditions, Celery results are awaited in a thread.
"""

import os
import resource
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import redis

from core.logging import configure_logging
from core.redaction import SecretRedactor
from core.settings import LogSettings
from core.subscriptions import SubscriptionStore
from devtools.emulator.faults import Faults
from devtools.emulator.flood import FloodLimits
from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.notifications.fan_out import FanOut
from tasks.registry import TasksRegistry
from tests.support.containers import make_worker_container
from tests.support.processes import CeleryWorker
from tests.support.stamped import StampedEmulatorState
from tests.support.telegram import TEST_TOKEN, serving
from tests.support.waiting import async_wait_for

QUIET = 2.0  # a run has settled once the queues are empty and no message came for this long
SETTLE_TIMEOUT = 120.0
UNUSED_API = "http://127.0.0.1:9"  # the in-process fan-out never reaches Telegram
PASSED_THROUGH = ("DELIVERY_CHUNK_SIZE", "DELIVERY_CONCURRENCY")  # from the bench's env to the workers


@dataclass
class StampedFaults(Faults):
    """The emulator's faults, plus the monotonic time of every 429 it answered."""

    rejections: list[float] = field(default_factory=list)

    def check_send(self, chat_id: int, is_group: bool) -> None:
        rejected = self.counts.get(429, 0)
        try:
            super().check_send(chat_id, is_group)
        finally:
            if self.counts.get(429, 0) > rejected:
                self.rejections.append(time.monotonic())


@dataclass(frozen=True)
class StampedTelegram:
    state: StampedEmulatorState
    faults: StampedFaults
    base_url: str


@asynccontextmanager
async def serving_emulator(limits: FloodLimits) -> AsyncIterator[StampedTelegram]:
    """The emulator on this loop, enforcing `limits`, stamping what it accepts and refuses."""
    state, faults = StampedEmulatorState(TEST_TOKEN), StampedFaults()
    faults.enforce_flood_limits(limits)
    async with serving(state, faults) as base_url:
        yield StampedTelegram(state, faults, base_url)


def worker_env(redis_url: str, api_url: str, limit: float) -> dict[str, str]:
    passed = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    return {
        "REDIS_URL": redis_url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": api_url,
        "DELIVERY_GLOBAL_PER_SECOND": str(limit),
        **passed,
    }


@contextmanager
def running_workers(env: dict[str, str], count: int, prefix: str) -> Iterator[list[CeleryWorker]]:
    """`count` workers of 2 prefork children each; every one started is stopped on any exit."""
    with ExitStack() as stack:
        workers = []
        for n in range(count):
            worker = CeleryWorker(env, concurrency=2, name=f"{prefix}{n}")
            stack.callback(worker.stop)
            workers.append(worker)
        yield workers


async def settle(client: redis.Redis, state: StampedEmulatorState) -> None:
    """Until the queue and the unacknowledged set are empty and no message came for `QUIET` s."""

    def settled() -> bool:
        last = state.stamps[-1] if state.stamps else 0.0
        if time.monotonic() - last < QUIET:
            return False
        return client.llen("celery") == 0 and client.hlen("unacked") == 0

    await async_wait_for(settled, SETTLE_TIMEOUT, "the deliveries to settle")


@dataclass(frozen=True)
class FanOutFigures:
    chats: int
    chunks: int
    seconds: float
    rss_kb: int
    rss_growth_kb: int


def reset_peak_rss() -> int:
    """Lowers this process's peak RSS to its current RSS (Linux >= 4.0; else leaves it) and returns
    the peak in kB, so that a later peak shows the growth of what runs in between."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class FixedNotification:
    name = "bench"

    def render(self) -> str:
        return "System health"


def fan_out_in_process(redis_url: str, tick: str) -> FanOutFigures:
    """`FanOut.send` as the fan-out task runs it, in a fresh (spawned) process with its own event
    loop, the text given (the task renders a health report first, with a 1 s control ping)."""
    configure_logging(LogSettings(level="WARNING"), SecretRedactor([TEST_TOKEN]))
    container = make_worker_container(redis_url, UNUSED_API)
    fan_out, event_loop = container.resolve(FanOut), container.resolve(WorkerEventLoop)
    deliver = container.resolve(TasksRegistry).deliver
    event_loop.start()
    event_loop.run(container.resolve(SubscriptionStore).page(0, 10))  # connects the async client
    deliver.apply_async(("warm-up", "", []))  # connects the producer; nobody consumes this database
    before = reset_peak_rss()
    started = time.perf_counter()
    report = fan_out.send(deliver, FixedNotification(), tick, owner="bench")
    seconds = time.perf_counter() - started
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    event_loop.close()
    return FanOutFigures(report["chats"], report["chunks"], seconds, before, growth)
