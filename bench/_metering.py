"""What a notifications run cost: CPU per part, Redis commands, and the stalls of the emulator's loop.

The emulator runs on the bench's own event loop: a stall of that loop bunches up the arrivals it sees,
so its wake-ups are watched while the workers send, and it may run at a higher priority.
"""

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from bench._cpu import busy_cpu_seconds, cpu_seconds
from tests.support.processes import CeleryWorker, RedisServer

STALL = 0.02  # the emulator admits messages up to 20 ms early: a longer stall bunches them


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
