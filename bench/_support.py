"""What the ping benchmark stands on: throwaway processes, a timestamping emulator and load drivers.

Latencies are observed from the emulator's side: the clock starts just before `user_says` queues the
update and stops when `bot_says` records the reply, so every bot is measured the same way.
"""

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from celery import Celery

from core.logging import configure_logging
from core.redaction import SecretRedactor
from core.settings import LogSettings
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.stamped import StampedEmulatorState
from tests.support.telegram import TEST_TOKEN, serving
from tests.support.workers import wait_answering

REPLY_TIMEOUT = 30.0


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
            probe = plain_celery(redis.url)
            try:
                wait_answering(worker, probe.signature("ping").delay, 60)
            finally:
                probe.close()
            yield redis
        finally:
            worker.stop()
    finally:
        redis.stop()


@asynccontextmanager
async def emulator() -> AsyncIterator[tuple[StampedEmulatorState, str]]:
    state = StampedEmulatorState(TEST_TOKEN)
    async with serving(state) as base_url:
        yield state, base_url


async def round_trip(state: StampedEmulatorState, chat_id: int, text: str) -> float:
    """Milliseconds from the update queued to the bot's reply recorded."""
    reply = state.expect_reply(chat_id)
    started = time.monotonic()
    await state.user_says(chat_id, text)
    replied_at, _ = await asyncio.wait_for(reply, REPLY_TIMEOUT)
    return (replied_at - started) * 1e3


async def burst(
    state: StampedEmulatorState, chat_ids: range, text: str, is_ok: Callable[[str], bool]
) -> Burst:
    """One message in each chat at once; timed from the first update queued to the last reply recorded."""
    for chat_id in chat_ids:
        state.add_chat(chat_id)
    replies = [state.expect_reply(chat_id) for chat_id in chat_ids]
    started = time.monotonic()
    for chat_id in chat_ids:
        await state.user_says(chat_id, text)
    done = await asyncio.wait_for(asyncio.gather(*replies), REPLY_TIMEOUT)
    finished = max(replied_at for replied_at, _ in done)
    return Burst(len(done), finished - started, sum(is_ok(reply) for _, reply in done))
