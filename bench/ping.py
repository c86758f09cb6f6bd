"""/ping as deployed, against its two halves measured in the same run on the same Redis and worker.

Every part in a process of its own, as in production: redis-server, one Celery worker (prefork, 2),
the project's bot (`python -m bot`) and a bare aiogram echo bot (`python -m bench._echo_bot`), each
long-polling its own emulator process; raw Celery (`delay().get()`) runs in this driver process. All are
started and settled (idle CPU) before anything is timed. The three are measured interleaved (one round
trip of each in turn, then burst rounds in turn), so a busy neighbour slows all of them alike.
Bot CPU per update is read from /proc/<pid>/stat of the bot process.
"""

import asyncio
import os
from contextlib import ExitStack

import aiohttp

from bench._cpu import NeighbourMeter
from bench._flood import Flood, flood
from bench._ping_report import Figures, Run, report
from bench._ping_subjects import RawCelery, RemoteBot, Subject, is_echo_pong, is_project_pong
from bench._processes import BotUnderTest, bot_under_test, profiled, settle
from bench._support import Burst, BurstRounds, Latency, quiet_logging, redis_and_worker

WARMUP = 30
SEQUENTIAL = 300
BURST_ROUNDS = 3


async def latencies(subjects: list[Subject]) -> tuple[list[Latency], list[float]]:
    """Round trips in turn (raw, echo, bot, raw, ...) after WARMUP each; and CPU seconds per round trip."""
    for number in range(WARMUP):
        for subject in subjects:
            await subject.round_trip(number)
    samples: list[list[float]] = [[] for _ in subjects]
    cpu = [subject.cpu() for subject in subjects]
    for number in range(WARMUP, WARMUP + SEQUENTIAL):
        for subject, taken in zip(subjects, samples, strict=True):
            taken.append(await subject.round_trip(number))
    per_update = [(s.cpu() - before) / SEQUENTIAL for s, before in zip(subjects, cpu, strict=True)]
    return [Latency.of(taken) for taken in samples], per_update


async def burst_rounds(subjects: list[Subject]) -> tuple[list[BurstRounds], list[float]]:
    """Each subject's burst in turn, BURST_ROUNDS times; and CPU seconds per update of the bursts."""
    rounds: list[list[Burst]] = [[] for _ in subjects]
    cpu = [subject.cpu() for subject in subjects]
    for number in range(BURST_ROUNDS):
        print(f"  burst round {number + 1}/{BURST_ROUNDS} ...", flush=True)
        for subject, taken in zip(subjects, rounds, strict=True):
            taken.append(await subject.burst(number))
    bursts = [BurstRounds(tuple(taken)) for taken in rounds]
    per_update = [(s.cpu() - before) / b.count for s, b, before in zip(subjects, bursts, cpu, strict=True)]
    return bursts, per_update


async def polling(bot: RemoteBot, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while not await bot.polling():
            await asyncio.sleep(0.1)


async def measure(raw: RawCelery, bots: list[RemoteBot]) -> list[Figures]:
    for bot in bots:
        await polling(bot)
    subjects = [raw.subject(), *(bot.subject() for bot in bots)]
    print(f"  {WARMUP} + {SEQUENTIAL} round trips of each, in turn ...", flush=True)
    latency, sequential_cpu = await latencies(subjects)
    bursts, burst_cpu = await burst_rounds(subjects)
    return [
        Figures(*parts) for parts in zip(subjects, latency, bursts, sequential_cpu, burst_cpu, strict=True)
    ]


async def drive(raw: RawCelery, echo: BotUnderTest, project: BotUnderTest) -> tuple[list[Figures], Flood]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        bots = [RemoteBot(session, echo, is_echo_pong), RemoteBot(session, project, is_project_pong)]
        figures = await measure(raw, bots)
        print("  flood: one user, 300 /ping in 3 s ...", flush=True)
        return figures, await flood(bots[1], figures[2].latency.p50)


def main() -> None:
    neighbours = NeighbourMeter()
    quiet_logging()
    print(
        "starting redis-server, a Celery worker (prefork, 2), the echo bot, the bot and emulators ...",
        flush=True,
    )
    with redis_and_worker() as redis, ExitStack() as stack:
        echo = stack.enter_context(bot_under_test("bare aiogram echo bot", "bench._echo_bot", {}))
        tuning = {key: value for key, value in os.environ.items() if key.startswith("BOT_")}
        env = {"REDIS_URL": redis.url, "BOT_TASK_TIMEOUT": "30", **tuning}
        project = stack.enter_context(bot_under_test("project bot /ping", "bot", env))
        print("  letting them settle (idle CPU) ...", flush=True)
        settle(*echo.pids, *project.pids)
        raw = RawCelery(redis.url)
        stack.callback(raw.close)
        with profiled(project.pid, os.environ.get("BENCH_PROFILE")):
            (raw_figures, echo_figures, project_figures), flooded = asyncio.run(drive(raw, echo, project))
    run = Run(
        raw_figures, echo_figures, project_figures, neighbours.share(), SEQUENTIAL, WARMUP, BURST_ROUNDS
    )
    print(report(run), *flooded.lines(), sep="\n", flush=True)
