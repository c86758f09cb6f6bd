"""The arguments of /every, /daily, /cron, /cancel and /timezone, read by pure functions.

A refusal is an `InputError` whose text is one line, plain (the controller escapes it): what is wrong,
then the right form. The task and its arguments are checked with the registry's schedulable
declarations (`tasks/schedulable.py`): any mapping of names to objects with a `summary` and a `parse_args`.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice, pairwise, takewhile
from typing import Any, Protocol

from cronsim import CronSim

from bot.commands import CRON, DAILY, EVERY
from bot.texts import clean
from core.schedules.model import InvalidCronError, ScheduleSpec

INTERVAL = re.compile(r"(\d{1,7})([smhd])")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_INTERVAL = 366 * 86400
TIME = re.compile(r"(\d{1,2}):(\d\d)")
CRON_FIELDS = 5
MINUTE = 60
GAP_SAMPLE = 1500
EVERY_EXAMPLE = "/every 30m ping"
DAILY_EXAMPLE = "/daily 09:00 report"
CRON_EXAMPLE = "/cron 0 9 * * 1-5 report"


class InputError(ValueError):
    """Bad input: `str(error)` is the one line the user is told."""


class TaskDeclaration(Protocol):
    """What the commands need of a schedulable task's declaration (tasks/schedulable.py)."""

    @property
    def summary(self) -> str: ...

    @property
    def parse_args(self) -> Callable[[list[str]], tuple[Any, ...]]: ...


Tasks = Mapping[str, TaskDeclaration]


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    spec: ScheduleSpec
    task: str
    args: tuple[str, ...]


def usage(usage_line: str, example: str) -> str:
    return f"Usage: {usage_line}, e.g. {example}"


def parse_every(text: str | None, tasks: Tasks, min_interval: int) -> ScheduleRequest:
    """`/every <N><s|m|h|d> <task> [args]`, at least `min_interval` seconds apart."""
    words = (text or "").split()
    form = usage(EVERY.usage, EVERY_EXAMPLE)
    if len(words) < 2:
        raise InputError(form)
    interval = INTERVAL.fullmatch(words[0])
    if interval is None:
        raise InputError(f"“{clean(words[0])}” is not an interval: write a number and s, m, h or d. {form}")
    seconds = int(interval[1]) * UNIT_SECONDS[interval[2]]
    if seconds < min_interval:
        raise InputError(
            f"Every {words[0]} is too often: the shortest interval here is {describe(min_interval)}. {form}"
        )
    if seconds > MAX_INTERVAL:
        raise InputError(f"Every {words[0]} is too long: the longest interval is 366d. {form}")
    task, args = _task(words[1:], tasks, form)
    return ScheduleRequest(ScheduleSpec.every(seconds, words[0]), task, args)


def parse_daily(text: str | None, tasks: Tasks) -> ScheduleRequest:
    """`/daily <HH:MM> <task> [args]`, in the chat's time zone."""
    words = (text or "").split()
    form = usage(DAILY.usage, DAILY_EXAMPLE)
    if len(words) < 2:
        raise InputError(form)
    time = TIME.fullmatch(words[0])
    hour, minute = (int(time[1]), int(time[2])) if time else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InputError(f"“{clean(words[0])}” is not a time of day: write HH:MM, 00:00 to 23:59. {form}")
    task, args = _task(words[1:], tasks, form)
    return ScheduleRequest(ScheduleSpec.daily(hour, minute), task, args)


def parse_cron(text: str | None, tasks: Tasks, min_interval: int = 60) -> ScheduleRequest:
    """`/cron <minute> <hour> <day-of-month> <month> <day-of-week> <task> [args]`, its runs at least
    `min_interval` seconds apart (any cron is, up to 60)."""
    words = (text or "").split()
    form = usage(CRON.usage, CRON_EXAMPLE)
    if len(words) <= CRON_FIELDS:
        raise InputError(form)
    try:
        spec = ScheduleSpec.cron(" ".join(words[:CRON_FIELDS]))
    except InvalidCronError as exc:
        raise InputError(f"{_sentence(str(exc))}. {form}") from exc
    if min_interval > MINUTE and (gap := shortest_gap(spec.text)) < min_interval:
        raise InputError(
            f"“{spec.text}” runs as often as every {describe(gap)}: the shortest interval here is "
            f"{describe(min_interval)}. {form}"
        )
    task, args = _task(words[CRON_FIELDS:], tasks, form)
    return ScheduleRequest(spec, task, args)


def shortest_gap(expression: str) -> int:
    """Seconds between the two closest runs of a valid cron expression: every matching day has the same
    times, so a week and a day of runs (at most GAP_SAMPLE of them) shows every kind of gap."""
    start = datetime(2026, 1, 1)  # naive: wall-clock times, as cron reads them
    runs = list(
        takewhile(lambda run: run < start + timedelta(days=8), islice(CronSim(expression, start), GAP_SAMPLE))
    )
    return min((int((b - a).total_seconds()) for a, b in pairwise(runs)), default=MAX_INTERVAL)


def _sentence(text: str) -> str:
    return clean(text[:1].upper() + text[1:], 120)


def _task(words: list[str], tasks: Tasks, form: str) -> tuple[str, tuple[str, ...]]:
    """The task's name and its arguments as written, checked with its declaration's `parse_args`."""
    name, args = words[0].lower(), words[1:]
    if name not in tasks:
        known = ", ".join(f"{name} ({clean(tasks[name].summary)})" for name in sorted(tasks))
        raise InputError(f"Unknown task “{clean(words[0])}”. Schedulable tasks: {known}. {form}")
    try:
        tasks[name].parse_args(args)
    except ValueError as exc:
        raise InputError(f"{clean(str(exc), 120)}. {form}") from exc
    return name, tuple(args)


def describe(seconds: int) -> str:
    """An interval the way /every takes it: the largest unit that divides it (90 → 90s, 3600 → 1h)."""
    for unit, size in sorted(UNIT_SECONDS.items(), key=lambda item: -item[1]):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
