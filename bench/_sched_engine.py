"""The project's schedules engine as the schedules benchmark runs it: seeding through the store's bulk
API, its beat (`celery -A tasks.beat beat`), its published fires and an idle tick.

Every schedule is `/every 1d ping` in a chat of its own (SCHEDULES_MAX_PER_CHAT applies per chat), its
first run set to the due time (`NewSchedule.first_run`), added by `ScheduleStore.add_many`.
"""

import asyncio
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime

from redis.asyncio import Redis

from core.schedules.model import NewSchedule, ScheduleSpec
from core.schedules.store import ScheduleStore
from core.settings import SchedulesSettings
from tests.support.telegram import TEST_TOKEN

DAY = 86_400
TASK = "ping"
CHAT_BASE = {"l": 10_000_000, "d": 20_000_000}  # name prefix: later or due (see bench/_sched_run.py)
UNUSED_API = "http://127.0.0.1:9"  # beat never reaches Telegram


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


def beat_command(url: str, extra: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The project's beat, as deployed; its schedule file (the static entries') in a directory of its own."""
    state = tempfile.mkdtemp(prefix="bench-beat-")
    command = ["-m", "celery", "-A", "tasks.beat", "beat", "--max-interval", "1", "-l", "WARNING",
               "-s", f"{state}/celerybeat-schedule"]  # fmt: skip
    return command, beat_env(url, extra)
