"""The project's schedules engine as the schedules benchmark runs it: seeding through the store's bulk
API, its beat (`celery -A tasks.beat beat`), its published fires and an idle tick.

Every schedule is `/every 1d ping` in a chat of its own (SCHEDULES_MAX_PER_CHAT applies per chat), its
first run set to the due time (`NewSchedule.first_run`), added by `ScheduleStore.add_many`.
"""

import asyncio
import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from kombu.utils.imports import symbol_by_name
from redis.asyncio import Redis

from core.schedules.model import NewSchedule, ScheduleSpec
from core.schedules.store import ScheduleStore
from core.settings import SchedulesSettings
from tasks.names import TaskName
from tests.support.telegram import TEST_TOKEN

DAY = 86_400
TASK = "ping"
CHAT_BASE = {"l": 10_000_000, "d": 20_000_000}  # name prefix: later or due (see bench/_sched_run.py)
UNUSED_API = "http://127.0.0.1:9"  # beat never reaches Telegram
QUEUES = ("celery",)


def chat_of(name: str) -> int:
    return CHAT_BASE[name[0]] + int(name[1:])


def seed(url: str, schedules: Sequence[tuple[str, datetime]]) -> None:
    asyncio.run(_seed(url, schedules))


async def _seed(url: str, schedules: Sequence[tuple[str, datetime]]) -> None:
    client = Redis.from_url(url)
    try:
        store = ScheduleStore(client, SchedulesSettings())
        spec = ScheduleSpec.every(DAY, "1d")
        entries = [NewSchedule(chat_of(name), spec, TASK, first_run=due) for name, due in schedules]
        added = await store.add_many(entries, datetime.now(UTC))
        if len(added) != len(entries):
            raise RuntimeError(f"the store added {len(added)} of {len(entries)} schedules")
    finally:
        await client.aclose()


def beat_env(url: str, extra: dict[str, str]) -> dict[str, str]:
    return {"REDIS_URL": url, "TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": UNUSED_API, **extra}


def state_dir() -> str:
    """A directory for a beat's schedule file (the static entries'), removed when this process ends."""
    state = tempfile.mkdtemp(prefix="bench-beat-")
    atexit.register(shutil.rmtree, state, ignore_errors=True)
    return state


def beat_command(url: str, extra: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The project's beat, as deployed."""
    state = state_dir()
    command = ["-m", "celery", "-A", "tasks.beat", "beat", "--max-interval", "1", "-l", "WARNING",
               "-s", f"{state}/celerybeat-schedule"]  # fmt: skip
    return command, beat_env(url, extra)


def fires(message: dict[str, Any]) -> list[str]:
    """The runs (schedule x fire time) one `schedules.fire` chunk carries."""
    if message["task"] != TaskName.SCHEDULES_FIRE:
        return []
    return [f"{run['schedule_id']}@{run['due_ms']}" for run in message["args"][0]]


def idle_ticks(url: str, count: int) -> list[float]:
    """Milliseconds of the beat's scheduler tick (its static entries and one engine step) with nothing
    due, built as `celery -A tasks.beat beat` builds it, in this (spawned) process."""
    os.environ.update(beat_env(url, {"LOG_LEVEL": "WARNING"}))
    from ioc.beat import beat_app, build_beat_container  # noqa: PLC0415  # reads the environment set above
    from ioc.common import celery_process_app  # noqa: PLC0415

    app = celery_process_app(build_beat_container(), beat_app)
    state = state_dir()
    scheduler = symbol_by_name(app.conf.beat_scheduler)(
        app=app, schedule_filename=f"{state}/celerybeat-schedule", max_interval=1
    )
    scheduler.tick()  # the static entry's first run, if due, is not an idle tick
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        scheduler.tick()
        spent.append((time.perf_counter() - started) * 1e3)
    scheduler.close()
    shutil.rmtree(state, ignore_errors=True)  # a pool process may end without running atexit
    return spent
