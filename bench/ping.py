"""/ping end to end, against its two halves measured in the same run on the same Redis and worker.

1. Raw Celery: a stock Celery app calls the project's `ping` task (`delay().get()`, and a burst).
2. A bare aiogram echo bot answering /ping with "pong", long-polling its own emulator (no Celery).
3. The project's bot from the container, long-polling another emulator, with the real worker.

The three are measured interleaved (one round trip of each in turn, then burst rounds in turn), so a
busy neighbour on this 2-core machine slows all of them alike instead of skewing one ratio.
Targets: e2e p50 / (raw Celery p50 + echo p50) <= 1.15, bot burst / raw Celery burst >= 0.8.
"""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import Message
from redis.asyncio import Redis

from bench._cpu import NeighbourMeter
from bench._support import (
    Burst,
    BurstRounds,
    Latency,
    burst,
    emulator,
    plain_celery,
    quiet_logging,
    redis_and_worker,
    round_trip,
)
from tests.support.containers import make_container
from tests.support.polling import dispatcher_polling
from tests.support.stamped import StampedEmulatorState
from tests.support.telegram import TEST_TOKEN

WARMUP = 30
SEQUENTIAL = 300
BURST_ROUNDS = 3
RAW_BURST = 2000
BOT_BURST = range(10_000, 11_000)  # one /ping from each of 1,000 chats
SEQUENTIAL_CHAT = 1
PONG = re.compile(r"pong — \d+ ms")
LATENCY_TARGET = 1.15
BURST_TARGET = 0.8
NOISY_SHARE = 0.05


@dataclass(frozen=True)
class Subject:
    """One system under test, driven the same way as the others."""

    name: str
    unit: str
    round_trip: Callable[[], Awaitable[float]]
    burst: Callable[[], Awaitable[Burst]]


@dataclass(frozen=True)
class Figures:
    subject: Subject
    latency: Latency
    bursts: BurstRounds


class RawCelery:
    """The stock Celery app, called from one dedicated thread (its client blocks; the loop idles)."""

    def __init__(self, redis_url: str) -> None:
        self._app = plain_celery(redis_url)
        self._ping = self._app.signature("ping")
        self._thread = ThreadPoolExecutor(1, "raw-celery")

    def subject(self) -> Subject:
        return Subject("raw Celery delay().get()", "tasks", self.round_trip, self.burst)

    async def round_trip(self) -> float:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._timed_call)

    async def burst(self) -> Burst:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._burst)

    def close(self) -> None:
        self._thread.shutdown()
        self._app.close()

    def _timed_call(self) -> float:
        started = time.perf_counter()
        self._ping.delay().get(timeout=10)
        return (time.perf_counter() - started) * 1e3

    def _burst(self) -> Burst:
        started = time.perf_counter()
        results = [self._ping.delay() for _ in range(RAW_BURST)]
        ok = sum(result.get(timeout=60).get("pong") is True for result in results)
        return Burst(RAW_BURST, time.perf_counter() - started, ok)


def echo_dispatcher() -> Dispatcher:
    async def pong(message: Message) -> None:
        await message.answer("pong")

    dispatcher = Dispatcher()
    dispatcher.message.register(pong, Command("ping"))
    return dispatcher


def bot_subject(name: str, state: StampedEmulatorState, is_ok: Callable[[str], bool]) -> Subject:
    return Subject(
        name,
        "updates",
        partial(round_trip, state, SEQUENTIAL_CHAT, "/ping"),
        partial(burst, state, BOT_BURST, "/ping", is_ok),
    )


@asynccontextmanager
async def echo_bot() -> AsyncIterator[Subject]:
    async with emulator() as (state, url):
        bot = Bot(TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
        async with dispatcher_polling(echo_dispatcher(), bot, state):
            yield bot_subject("bare aiogram echo bot", state, lambda text: text == "pong")


@asynccontextmanager
async def project_bot(redis_url: str) -> AsyncIterator[Subject]:
    async with emulator() as (state, url):
        container = make_container(redis_url, url, task_timeout=10)
        try:
            async with dispatcher_polling(container.resolve(Dispatcher), container.resolve(Bot), state):
                yield bot_subject("project bot /ping", state, lambda text: PONG.fullmatch(text) is not None)
        finally:
            await container.resolve(Redis).aclose()


async def latencies(subjects: list[Subject]) -> list[Latency]:
    """Round trips taken in turn (raw, echo, bot, raw, ...); the first WARMUP of each are dropped."""
    samples: list[list[float]] = [[] for _ in subjects]
    for _ in range(WARMUP + SEQUENTIAL):
        for subject, taken in zip(subjects, samples, strict=True):
            taken.append(await subject.round_trip())
    return [Latency.of(taken[WARMUP:]) for taken in samples]


async def burst_rounds(subjects: list[Subject]) -> list[BurstRounds]:
    rounds: list[list[Burst]] = [[] for _ in subjects]
    for number in range(1, BURST_ROUNDS + 1):
        print(f"  burst round {number}/{BURST_ROUNDS} ...", flush=True)
        for subject, taken in zip(subjects, rounds, strict=True):
            taken.append(await subject.burst())
    return [BurstRounds(tuple(taken)) for taken in rounds]


async def measure(redis_url: str) -> list[Figures]:
    async with AsyncExitStack() as stack:
        raw = RawCelery(redis_url)
        stack.callback(raw.close)
        echo = await stack.enter_async_context(echo_bot())
        project = await stack.enter_async_context(project_bot(redis_url))
        subjects = [raw.subject(), echo, project]
        print(f"  {WARMUP} + {SEQUENTIAL} round trips of each, in turn ...", flush=True)
        latency = await latencies(subjects)
        bursts = await burst_rounds(subjects)
    return [Figures(*figures) for figures in zip(subjects, latency, bursts, strict=True)]


def report(raw: Figures, echo: Figures, project: Figures, neighbours: float | None) -> str:
    lines = [
        neighbours_line(neighbours),
        f"latency: {SEQUENTIAL} sequential round trips each, interleaved, after {WARMUP} warm-up",
        f"burst: {RAW_BURST} tasks / {len(BOT_BURST)} chats at once; median rate of {BURST_ROUNDS} rounds",
        "",
        f"{'':26}{'p50 ms':>8}{'p99 ms':>8}{'burst/s':>9}{'min-max':>11}   burst replies",
    ]
    lines += [figures_line(figures) for figures in (raw, echo, project)]
    latency_ratio = project.latency.p50 / (raw.latency.p50 + echo.latency.p50)
    burst_ratio = project.bursts.rate / raw.bursts.rate
    lines.append("")
    lines.append(ratio_line("e2e p50 / (raw p50 + echo p50)", latency_ratio, "<=", LATENCY_TARGET))
    lines.append(ratio_line("bot burst / raw Celery burst", burst_ratio, ">=", BURST_TARGET))
    return "\n".join(lines)


def figures_line(figures: Figures) -> str:
    latency, bursts = figures.latency, figures.bursts
    low, high = bursts.spread
    other = bursts.count - bursts.ok
    return (
        f"{figures.subject.name:26}{latency.p50:8.2f}{latency.p99:8.2f}{bursts.rate:9.0f}"
        f"{f'{low:.0f}-{high:.0f}':>11}   {bursts.ok} ok, {other} other {figures.subject.unit}"
    )


def neighbours_line(share: float | None) -> str:
    if share is None:
        return "other processes' CPU use during the run: unknown (no /proc/stat)"
    warning = "  - noisy: rerun on a quiet machine" if share > NOISY_SHARE else ""
    return f"other processes used {share:.0%} of the machine's CPU during the run{warning}"


def ratio_line(name: str, value: float, relation: str, target: float) -> str:
    met = value <= target if relation == "<=" else value >= target
    return f"{name:34}{value:6.2f}   target {relation} {target:<6}{'met' if met else 'NOT met'}"


def main() -> None:
    neighbours = NeighbourMeter()
    quiet_logging()
    print("starting redis-server and one Celery worker (prefork, 2 processes) ...", flush=True)
    with redis_and_worker() as redis:
        raw, echo, project = asyncio.run(measure(redis.url))
    print(report(raw, echo, project, neighbours.share()), flush=True)
