"""The shared Telegram limiter: the GCRA Lua script against the `limits` library, 2 OS processes.

Both contenders hold one global limit of L messages/s in a throwaway redis-server, shared by two
processes of `CONCURRENCY` senders each, every message to a new private chat. The admission times
are then replayed through the emulator's `FloodGate` (Telegram's GCRA, 20 ms slack) to count the
429s that Telegram would have answered.
"""

import asyncio
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from unittest import mock

from redis import Redis as SyncRedis

from bench._limiter_contenders import CONTENDERS, LIMIT, Sender
from devtools.emulator import flood
from tests.support.processes import RedisServer
from tests.support.timing import max_in_window

SECONDS = 3.0
PROCESSES = 2
CONCURRENCY = 4


async def _drive(sender: Sender, ready: Barrier, first_chat: int) -> tuple[list[float], int]:
    stamps: list[float] = []
    ready.wait(60)  # both processes built their clients: start together
    end = time.monotonic() + SECONDS

    async def send(chat_id: int) -> None:
        while time.monotonic() < end:
            await sender.acquire(chat_id)
            stamps.append(time.monotonic())
            chat_id += CONCURRENCY

    await asyncio.gather(*(send(first_chat + n) for n in range(CONCURRENCY)))
    return stamps, sender.trips


def _process(
    name: str, url: str, ready: Barrier, results: "Queue[tuple[list[float], int]]", index: int
) -> None:
    """One OS process of `CONCURRENCY` senders (monotonic is system-wide, so the stamps line up)."""
    sender = CONTENDERS[name](url, f"bench:{name}")
    results.put(asyncio.run(_drive(sender, ready, index * 10_000_000)))


def run_processes(name: str, url: str) -> list[tuple[list[float], int]]:
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(target=_process, args=(name, url, ready, results, i)) for i in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(10)
    return outcomes


@dataclass
class Figures:
    name: str
    rate: float
    max_window: int
    trips: float
    commands: float
    would_429: int


class ReplayClock:
    """Stands in for `time` in the flood module, so that the gate sees the recorded times."""

    now = 0.0

    def monotonic(self) -> float:
        return self.now


def replay_429s(stamps: list[float]) -> int:
    """Telegram's answer to each admission, at its recorded time: how many would have been 429s."""
    gate = flood.FloodGate(
        flood.FloodLimits(
            global_per_second=LIMIT, chat_per_second=None, group_per_minute=None, global_burst=1
        )
    )
    clock = ReplayClock()
    with mock.patch.object(flood, "time", clock):
        for clock.now in stamps:
            gate.retry_after(0, is_group=False)
    return gate.rejected


def redis_commands(client: SyncRedis) -> int:
    stats = client.info("commandstats")
    return sum(int(value["calls"]) for key, value in stats.items() if key != "cmdstat_info")


def measure(name: str, server: RedisServer) -> Figures:
    before = redis_commands(server.client)
    results = run_processes(name, server.url)
    stamps = sorted(stamp for process_stamps, _ in results for stamp in process_stamps)
    trips = sum(process_trips for _, process_trips in results)
    commands = redis_commands(server.client) - before
    return Figures(
        name,
        rate=(len(stamps) - 1) / (stamps[-1] - stamps[0]) / LIMIT,
        max_window=max_in_window(stamps),
        trips=trips / len(stamps),
        commands=commands / len(stamps),
        would_429=replay_429s(stamps),
    )


def main() -> None:
    server = RedisServer()
    try:
        rows = [measure(name, server) for name in CONTENDERS]
    finally:
        server.stop()
    print(f"L = {LIMIT}/s shared by {PROCESSES} processes x {CONCURRENCY} senders, {SECONDS:.0f} s each")
    print("trips: round trips to Redis; cmds: Redis commands, those run inside Lua included")
    print(f"{'limiter':<22}{'rate/L':>8}{'max 1s':>8}{'trips/msg':>11}{'cmds/msg':>10}{'429s':>7}")
    for row in rows:
        print(
            f"{row.name:<22}{row.rate:>8.3f}{row.max_window:>8}{row.trips:>11.2f}"
            f"{row.commands:>10.2f}{row.would_429:>7}"
        )


if __name__ == "__main__":
    main()
