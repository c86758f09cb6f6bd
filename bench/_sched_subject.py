"""What the schedules benchmark knows of a scheduler under test, and the figures of one run of it."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Seeder = Callable[[str, Sequence[tuple[str, datetime]]], None]


@dataclass(frozen=True)
class Subject:
    """A scheduler under test: how to seed it, run its beat, read its messages and time its tick."""

    name: str
    seed: Seeder
    beat: Callable[[str, dict[str, str]], tuple[list[str], dict[str, str]]]  # (url, extra) -> cmd, env
    queues: tuple[str, ...]
    fires: Callable[[dict[str, Any]], list[str]]  # schedule keys a message fires
    idle_ticks: Callable[[str, int], list[float]]  # (url, count) -> ms, run in a spawned process


@dataclass
class Run:
    subject: str
    total: int
    due: int
    beats: int
    seed_seconds: float = 0.0
    idle_tick_ms: list[float] = field(default_factory=list)
    lateness: list[float] = field(default_factory=list)  # seconds after T, one per fire published
    fired: int = 0
    duplicates: int = 0
    messages: int = 0
    rss_settled_kb: int = 0
    rss_firing_kb: list[int] = field(default_factory=list)
    rss_after_kb: int = 0
    beats_alive: int = 0
    exits: list[str] = field(default_factory=list)  # the last line of each beat that exited
    beat_cpu: float = 0.0  # CPU seconds of the beat process(es) from settled to the end
    commands: int = 0  # Redis commands served meanwhile, the watcher's own left out
