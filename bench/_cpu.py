"""CPU time from /proc (Linux): of one process, of the whole machine, and of a run's neighbours."""

import os
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0.0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine spent busy so far (every core, every process); OSError without
    /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS  # less idle and iowait


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
        return busy_cpu_seconds()
    except (OSError, ValueError, IndexError):
        return None


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system
