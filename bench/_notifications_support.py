"""What the notifications benchmark stands on: a timestamping emulator, throwaway workers, settling,
CPU accounting and the in-process fan-out measurement.

The emulator runs on the bench's own event loop, so nothing here blocks that loop for long while
the workers send: waits poll cheap conditions, Celery results are awaited in a thread.
"""

import asyncio
import os
import resource
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import redis
from redis.typing import EncodableT, FieldT

from core.logging import configure_logging
from core.redaction import SecretRedactor
from core.settings import LogSettings
from core.subscriptions import SUBSCRIBERS_KEY, SubscriptionStore
from devtools.emulator.faults import Faults
from devtools.emulator.flood import FloodLimits
from devtools.emulator.server import start_emulator
from devtools.emulator.state import ChatMessage, EmulatorState
from tasks.delivery.gateway import TelegramGateway
from tasks.notifications.broadcast import Broadcaster
from tasks.registry import TasksRegistry
from tests.support.containers import make_container
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import TEST_TOKEN
from tests.support.waiting import async_wait_for

STALL = 0.02  # the emulator admits messages up to 20 ms early: a longer stall bunches them
QUIET = 2.0  # a run has settled once the queues are empty and no message came for this long
SETTLE_TIMEOUT = 120.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
UNUSED_API = "http://127.0.0.1:9"  # the in-process fan-out never reaches Telegram
PASSED_THROUGH = ("DELIVERY_CHUNK_SIZE", "DELIVERY_CONCURRENCY")  # from the bench's env to the workers


@dataclass
class StampedEmulatorState(EmulatorState):
    """The emulator, plus the monotonic time of every message it accepted from the bot."""

    stamps: list[float] = field(default_factory=list)

    async def bot_says(self, chat_id: int, text: str, parse_mode: str | None) -> ChatMessage:
        self.stamps.append(time.monotonic())
        return await super().bot_says(chat_id, text, parse_mode)


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
class Telegram:
    state: StampedEmulatorState
    faults: StampedFaults
    base_url: str


@asynccontextmanager
async def serving_emulator(limits: FloodLimits, chat_ids: Sequence[int]) -> AsyncIterator[Telegram]:
    """The emulator on this loop, enforcing `limits`, knowing `chat_ids` as private chats."""
    state, faults = StampedEmulatorState(TEST_TOKEN), StampedFaults()
    faults.enforce_flood_limits(limits)
    for chat_id in chat_ids:
        state.add_chat(chat_id, "private")
    emulator = await start_emulator(state, faults)
    try:
        yield Telegram(state, faults, emulator.base_url)
    finally:
        await emulator.stop()


def database(server: RedisServer, db: int) -> tuple[str, redis.Redis]:
    """An emptied database of the throwaway server: its URL and a client."""
    url = server.url.rsplit("/", 1)[0] + f"/{db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    return url, client


def subscribe(client: redis.Redis, chat_ids: Sequence[int], batch: int = 10_000) -> None:
    """Subscribes `chat_ids` as private chats, `batch` fields per HSET in one pipeline."""
    with client.pipeline(transaction=False) as pipe:
        for start in range(0, len(chat_ids), batch):
            mapping: dict[FieldT, EncodableT] = {
                str(chat_id): "private" for chat_id in chat_ids[start : start + batch]
            }
            pipe.hset(SUBSCRIBERS_KEY, mapping=mapping)
        pipe.execute()


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


async def wait_ready(workers: Sequence[CeleryWorker], timeout: float = 60) -> None:
    def ready(worker: CeleryWorker) -> bool:
        if worker.process.poll() is not None:
            raise RuntimeError(f"a worker exited:\n{worker.log()}")
        return "ready." in worker.log()

    await async_wait_for(lambda: all(ready(w) for w in workers), timeout, "the workers to be ready")


async def settle(client: redis.Redis, state: StampedEmulatorState) -> None:
    """Until the queue and the unacknowledged set are empty and no message came for `QUIET` s."""

    def settled() -> bool:
        last = state.stamps[-1] if state.stamps else 0.0
        if time.monotonic() - last < QUIET:
            return False
        return client.llen("celery") == 0 and client.hlen("unacked") == 0

    await async_wait_for(settled, SETTLE_TIMEOUT, "the deliveries to settle")


def max_in_window(stamps: Sequence[float], window: float = 1.0) -> int:
    """The most messages accepted within any `window` seconds."""
    most, first = 0, 0
    for last, stamp in enumerate(stamps):
        while stamp - stamps[first] > window:
            first += 1
        most = max(most, last - first + 1)
    return most


def bot_messages_per_chat(state: EmulatorState) -> Counter[int]:
    return Counter(m.chat_id for messages in state.messages.values() for m in messages if m.from_bot)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0.0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine spent busy so far (every core, every process)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS  # less idle and iowait


@dataclass
class RunMeter:
    """What a run cost, from `start` to `stop`: CPU seconds of the bench process (the emulator), the
    workers' prefork children (the senders) and main processes, redis-server and everything else
    on the machine; Redis commands by name; when and how late this loop (the emulator's) woke up
    from short sleeps; the niceness it ran at."""

    workers: Sequence[CeleryWorker]
    server: RedisServer
    cpu: dict[str, float] = field(default_factory=dict)
    commands: Counter[str] = field(default_factory=Counter)
    wakeups: list[tuple[float, float]] = field(default_factory=list)  # (woke at, late by)
    niceness: int | None = None

    def _cpu(self) -> dict[str, float]:
        children = [pid for worker in self.workers for pid in worker.children()]
        ours = {
            "emulator": time.process_time(),
            "worker children": sum(cpu_seconds(pid) for pid in children),
            "worker mains": sum(cpu_seconds(worker.process.pid) for worker in self.workers),
            "redis": cpu_seconds(self.server.process.pid),
        }
        return {**ours, "others": busy_cpu_seconds() - sum(ours.values())}  # +- a tick per process

    def _commands(self) -> Counter[str]:
        stats = self.server.client.info("commandstats")
        return Counter({key.removeprefix("cmdstat_"): int(value["calls"]) for key, value in stats.items()})

    def start(self) -> None:
        self.cpu, self.commands = self._cpu(), self._commands()

    def stop(self) -> None:
        self.cpu = {key: max(0.0, value - self.cpu[key]) for key, value in self._cpu().items()}
        self.commands = self._commands() - self.commands

    async def watch_loop(self, tick: float = 0.005) -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(tick)
            woke = time.monotonic()
            self.wakeups.append((woke, woke - started - tick))

    def lateness_between(self, first: float, last: float) -> list[float]:
        """How late each wake-up of the emulator's loop was, between two monotonic times."""
        return [late for woke, late in self.wakeups if first <= woke <= last]

    def rejected_after_stall(self, rejections: Sequence[float], within: float = 0.1) -> int:
        """429s answered within `within` s after the loop woke up more than `STALL` late."""
        stalls = [woke for woke, late in self.wakeups if late > STALL]
        return sum(1 for at in rejections if any(0 <= at - woke <= within for woke in stalls))


@contextmanager
def favoured(niceness: int) -> Iterator[bool]:
    """Runs the block with this thread (the emulator's loop) at `niceness`, restored after; yields
    whether that was allowed (lowering it needs root). Threads and processes started inside inherit it."""
    before = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
    except PermissionError:
        yield False
        return
    try:
        yield True
    finally:
        os.setpriority(os.PRIO_PROCESS, 0, before)


@asynccontextmanager
async def metered(
    workers: Sequence[CeleryWorker], server: RedisServer, niceness: int
) -> AsyncIterator[RunMeter]:
    """Meters the block, run with the emulator's loop at `niceness` if allowed."""
    meter = RunMeter(workers, server)
    with favoured(niceness) as allowed:
        meter.niceness = niceness if allowed else None
        meter.start()
        watcher = asyncio.create_task(meter.watch_loop())
        try:
            yield meter
        finally:
            watcher.cancel()
            meter.stop()


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


def fan_out_in_process(redis_url: str, tick: str) -> FanOutFigures:
    """`Broadcaster.broadcast` as the fan-out task runs it, in a fresh (spawned) process with its own
    gateway, the text given (the task renders a health report first, with a 1 s control ping)."""
    configure_logging(LogSettings(level="WARNING"), SecretRedactor([TEST_TOKEN]))
    container = make_container(redis_url, UNUSED_API)
    broadcaster, gateway = container.resolve(Broadcaster), container.resolve(TelegramGateway)
    deliver = container.resolve(TasksRegistry).deliver
    gateway.start()
    gateway.run(container.resolve(SubscriptionStore).page(0, 10))  # connects the async client
    deliver.apply_async(("warm-up", "", []))  # connects the producer; nobody consumes this database
    before = reset_peak_rss()
    started = time.perf_counter()
    report = broadcaster.broadcast(deliver, "bench", tick, owner="bench", render=lambda: "System health")
    seconds = time.perf_counter() - started
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    gateway.close()
    return FanOutFigures(report["chats"], report["chunks"], seconds, before, growth)
