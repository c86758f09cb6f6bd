"""What the ping benchmark stands on: throwaway processes, a timestamping emulator and load drivers.

Latencies are observed from the emulator's side: the clock starts just before `user_says` queues the
update and stops when `bot_says` records the reply, so every bot is measured the same way.
"""

import asyncio
import os
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError

from core.logging import configure_logging
from core.redaction import SecretRedactor
from core.settings import LogSettings
from devtools.emulator.server import start_emulator
from devtools.emulator.state import ChatMessage, EmulatorState
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.telegram import TEST_TOKEN
from tests.support.waiting import wait_for

REPLY_TIMEOUT = 30.0
Reply = tuple[float, str]


@dataclass(frozen=True)
class Latency:
    p50: float
    p99: float
    count: int

    @classmethod
    def of(cls, samples_ms: list[float]) -> "Latency":
        cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
        return cls(cuts[49], cuts[98], len(samples_ms))


@dataclass(frozen=True)
class Burst:
    count: int
    seconds: float
    ok: int

    @property
    def rate(self) -> float:
        return self.count / self.seconds


@dataclass(frozen=True)
class BurstRounds:
    """The same burst repeated: its median rate, the spread, and every reply counted."""

    rounds: tuple[Burst, ...]

    @property
    def rate(self) -> float:
        return statistics.median(burst.rate for burst in self.rounds)

    @property
    def spread(self) -> tuple[float, float]:
        rates = [burst.rate for burst in self.rounds]
        return min(rates), max(rates)

    @property
    def count(self) -> int:
        return sum(burst.count for burst in self.rounds)

    @property
    def ok(self) -> int:
        return sum(burst.ok for burst in self.rounds)


@dataclass
class TimedEmulatorState(EmulatorState):
    """The emulator, plus a future per chat resolved with (perf_counter, text) by the bot's next reply."""

    _awaited: dict[int, "asyncio.Future[Reply]"] = field(default_factory=dict)

    def expect_reply(self, chat_id: int) -> "asyncio.Future[Reply]":
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._awaited[chat_id] = future
        return future

    async def bot_says(self, chat_id: int, text: str, parse_mode: str | None) -> ChatMessage:
        replied_at = time.perf_counter()
        message = await super().bot_says(chat_id, text, parse_mode)
        future = self._awaited.pop(chat_id, None)
        if future is not None and not future.done():
            future.set_result((replied_at, text))
        return message


class NeighbourMeter:
    """The share of the machine other processes used while the bench ran (Linux), to flag noisy runs.

    Machine CPU time from /proc/stat, less this process's and its waited-for children's (the worker,
    its pool processes and redis-server count once they are stopped)."""

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self._machine, self._own = _machine_cpu(), _own_cpu()

    def share(self) -> float | None:
        machine = _machine_cpu()
        if machine is None or self._machine is None:
            return None
        others = (machine - self._machine) - (_own_cpu() - self._own)
        capacity = (time.perf_counter() - self._started) * (os.cpu_count() or 1)
        return max(0.0, others / capacity)


def _machine_cpu() -> float | None:
    try:
        with open("/proc/stat") as stat:
            user, nice, system, _idle, _iowait, irq, softirq, steal = stat.readline().split()[1:9]
    except (OSError, ValueError):
        return None
    busy = sum(int(ticks) for ticks in (user, nice, system, irq, softirq, steal))
    return busy / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def quiet_logging() -> None:
    """The project's log set-up at WARNING: the same processors, without a line per update."""
    configure_logging(LogSettings(level="WARNING", format="console"), SecretRedactor([TEST_TOKEN]))


def plain_celery(redis_url: str) -> Celery:
    """A stock Celery app: default Redis result backend, JSON; no project code on the producer side."""
    app = Celery("raw-baseline", broker=redis_url, backend=redis_url, set_as_current=False)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    return app


# /ping never reaches Telegram from a worker, but a worker's settings need a token and a server:
# give it a loopback address where nothing listens.
WORKER_ENV = {"TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9"}


@contextmanager
def redis_and_worker() -> Iterator[RedisServer]:
    """A throwaway redis-server and one project worker (prefork, 2 processes), stopped on any exit."""
    redis = RedisServer()
    try:
        worker = CeleryWorker({**WORKER_ENV, "REDIS_URL": redis.url}, concurrency=2, name="bench")
        try:
            _wait_until_answering(redis.url, worker)
            yield redis
        finally:
            worker.stop()
    finally:
        redis.stop()


def _wait_until_answering(redis_url: str, worker: CeleryWorker) -> None:
    probe = plain_celery(redis_url)
    try:
        wait_for(lambda: _answers(probe, worker), 60, "the Celery worker to answer ping")
    finally:
        probe.close()


def _answers(probe: Celery, worker: CeleryWorker) -> bool:
    if worker.process.poll() is not None:
        raise RuntimeError(f"the worker exited:\n{worker.log()}")
    try:
        return bool(probe.signature("ping").delay().get(timeout=1))
    except CeleryTimeoutError:
        return False


@asynccontextmanager
async def emulator() -> AsyncIterator[tuple[TimedEmulatorState, str]]:
    state = TimedEmulatorState(TEST_TOKEN)
    running = await start_emulator(state)
    try:
        yield state, running.base_url
    finally:
        await running.stop()


async def round_trip(state: TimedEmulatorState, chat_id: int, text: str) -> float:
    """Milliseconds from the update queued to the bot's reply recorded."""
    reply = state.expect_reply(chat_id)
    started = time.perf_counter()
    await state.user_says(chat_id, text)
    replied_at, _ = await asyncio.wait_for(reply, REPLY_TIMEOUT)
    return (replied_at - started) * 1e3


async def burst(state: TimedEmulatorState, chat_ids: range, text: str, is_ok: Callable[[str], bool]) -> Burst:
    """One message in each chat at once; timed from the first update queued to the last reply recorded."""
    for chat_id in chat_ids:
        state.add_chat(chat_id)
    replies = [state.expect_reply(chat_id) for chat_id in chat_ids]
    started = time.perf_counter()
    for chat_id in chat_ids:
        await state.user_says(chat_id, text)
    done = await asyncio.wait_for(asyncio.gather(*replies), REPLY_TIMEOUT)
    finished = max(replied_at for replied_at, _ in done)
    return Burst(len(done), finished - started, sum(is_ok(reply) for _, reply in done))
