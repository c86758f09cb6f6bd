"""One run of a scheduler under test: seed, time an idle tick, start beat(s), watch the due set fire.

The schedules due together are seeded last, due at T a little later than everything else can be ready:
the beat is started in its own process and left to settle (idle CPU) before T, else the run is void.
Nobody consumes the queue while the beat fires; the run ends once the queue, having grown, stopped
growing for QUIET s (redbeat loads every due entry before it publishes the first), or every beat exited.
"""

import multiprocessing
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import redis

from bench._cpu import cpu_seconds
from bench._processes import settle, start
from bench._sched_subject import Run, Subject
from bench._sched_watch import QueueWatch, RssWatch, rss_kb, watching
from tests.support.processes import CapturedProcess
from tests.support.waiting import wait_for

LATER = timedelta(hours=2)  # the schedules not due in the run: spread over the hour after this
READY_MARGIN = 25.0  # seconds for the tick probe, the beat's start and settling, beyond the seeding
QUIET = 10.0
FIRE_TIMEOUT = 900.0
IDLE_TICKS = 300


def names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{n}" for n in range(count)]


def seed_all(subject: Subject, url: str, total: int, due: int) -> tuple[datetime, float]:
    """The `total - due` later schedules, then the `due` ones at T; returns T and the seeding time."""
    now = datetime.now(UTC)
    later = [(name, now + LATER + timedelta(seconds=n % 3600))
             for n, name in enumerate(names("l", total - due))]  # fmt: skip
    started = time.perf_counter()
    subject.seed(url, later)
    per_schedule = (time.perf_counter() - started) / max(1, len(later))
    margin = per_schedule * due * 2 + READY_MARGIN
    at = datetime.fromtimestamp(int(time.time() + margin) + 1, UTC)
    started_due = time.perf_counter()
    subject.seed(url, [(name, at) for name in names("d", due)])
    seeded = per_schedule * len(later) + time.perf_counter() - started_due
    return at, seeded


def probe_idle(subject: Subject, url: str) -> list[float]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply_async(subject.idle_ticks, (url, IDLE_TICKS)).get(timeout=300)


def run(subject: Subject, server_url: str, total: int, due: int, beats: int = 1,
        extra: dict[str, str] | None = None) -> Run:  # fmt: skip
    client = redis.Redis.from_url(server_url)
    client.flushall()
    figures = Run(subject.name, total, due, beats)
    at, figures.seed_seconds = seed_all(subject, server_url, total, due)
    print(f"  {subject.name}: seeded {total:,} in {figures.seed_seconds:.1f} s, due at {at:%H:%M:%S}")
    if beats == 1:
        figures.idle_tick_ms = probe_idle(subject, server_url)
    watch = QueueWatch(client, subject.queues)
    with ExitStack() as stack:
        processes = [start(*subject.beat(server_url, extra or {}), stack) for _ in range(beats)]
        settle(*(p.process.pid for p in processes))
        _check_ready(processes, at)
        _fire(figures, watch, processes, at)
    _count(figures, subject, watch, at)
    ended = time.time() - at.timestamp()
    print(f"  {subject.name}: {figures.fired:,} fired; the run ended {ended:.0f} s after the due time")
    client.flushall()
    client.close()
    return figures


def _fire(figures: Run, watch: QueueWatch, processes: Sequence[CapturedProcess], at: datetime) -> None:
    """Watches the beats fire; their memory, CPU and Redis commands meanwhile."""
    pids = [p.process.pid for p in processes]
    figures.rss_settled_kb = rss_kb(pids[0]) or 0
    rss, cpu, commands = RssWatch(pids[0]), sum(map(cpu_seconds, pids)), _commands(watch.client)
    with watching(watch, rss):
        _wait_fired(watch, processes, at)
    figures.beat_cpu = sum(map(cpu_seconds, pids)) - cpu
    figures.commands = _commands(watch.client) - commands
    figures.rss_firing_kb = rss.between(at.timestamp(), time.time())
    figures.rss_after_kb = rss.samples[-1][1] if rss.samples else 0
    figures.beats_alive = sum(1 for p in processes if p.process.poll() is None)
    figures.exits = [p.lines[-1] for p in processes if p.process.poll() is not None and p.lines]


def _commands(client: redis.Redis) -> int:
    """Redis commands served so far, less the watcher's own (LLEN, LRANGE) and INFO."""
    stats: dict[str, dict[str, int]] = client.info("commandstats")
    mine = ("cmdstat_llen", "cmdstat_lrange", "cmdstat_info")
    return sum(int(value["calls"]) for key, value in stats.items() if key not in mine)


def _check_ready(processes: Sequence[CapturedProcess], at: datetime) -> None:
    if time.time() > at.timestamp() - 1:
        raise RuntimeError(f"the beat was not ready before the due time (READY_MARGIN: {READY_MARGIN} s)")
    for process in processes:
        if process.process.poll() is not None:
            raise RuntimeError(f"a beat exited before the due time:\n{process.output()}")


def _wait_fired(watch: QueueWatch, processes: Sequence[CapturedProcess], at: datetime) -> None:
    """Until the queue, having grown since T, has not grown for QUIET s (or every beat has exited)."""

    def quiet() -> bool:
        if all(p.process.poll() is not None for p in processes):
            return True
        grown = len(watch.samples) > 1 and watch.samples[-1][0] > at.timestamp()
        return grown and time.time() > watch.samples[-1][0] + QUIET

    wait_for(quiet, FIRE_TIMEOUT + (at.timestamp() - time.time()), "the due schedules to be published")


def _count(figures: Run, subject: Subject, watch: QueueWatch, at: datetime) -> None:
    published, seen = watch.published_at(), set()
    messages = watch.messages()
    for message, when in zip(messages, published, strict=False):
        keys = subject.fires(message)
        figures.messages += 1 if keys else 0
        for key in keys:
            if key in seen:
                figures.duplicates += 1
                continue
            seen.add(key)
            figures.lateness.append(when - at.timestamp())
    figures.fired = len(seen)
