"""/ping end to end, against its two halves measured in the same run on the same Redis and worker.

1. Raw Celery: a stock Celery app calls the project's `ping` task (`delay().get()`, and a burst).
2. A bare aiogram echo bot answering /ping with "pong", long-polling its own emulator (no Celery).
3. The project's bot from the container, long-polling another emulator, with the real worker.

The three are measured interleaved (one round trip of each in turn, then burst rounds in turn), so a
busy neighbour on this 2-core machine slows all of them alike instead of skewing one ratio.
Targets: e2e p50 / (raw Celery p50 + echo p50) <= 1.15, bot burst / raw Celery burst >= 0.8.
"""

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass

from bench._cpu import NeighbourMeter
from bench._ping_subjects import BOT_BURST, RAW_BURST, RawCelery, Subject, echo_bot, project_bot
from bench._support import (
    Burst,
    BurstRounds,
    Latency,
    quiet_logging,
    redis_and_worker,
)

WARMUP = 30
SEQUENTIAL = 300
BURST_ROUNDS = 3
LATENCY_TARGET = 1.15
BURST_TARGET = 0.8
NOISY_SHARE = 0.05


@dataclass(frozen=True)
class Figures:
    subject: Subject
    latency: Latency
    bursts: BurstRounds


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
