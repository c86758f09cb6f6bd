"""celery-redbeat as the schedules benchmark runs it: its app, seeding, an idle tick, its time zones.

`celery -A bench._sched_redbeat_app beat -S redbeat.RedBeatScheduler` runs the beat. Each schedule is a
`RedBeatSchedulerEntry` of a one-day interval whose last run was a day before its due time, stored as
`RedBeatSchedulerEntry.save` stores it (definition and meta hash, score in the schedule ZSET), a
pipeline per thousand entries. (The score is written as the due time: redbeat computes it as
`last_run_at + remaining`, right only for an entry saved at its last run, which is how beat saves it.)
"""

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from celery import Celery
from celery.schedules import schedule
from redbeat.decoder import RedBeatJSONEncoder
from redbeat.schedulers import (
    RedBeatScheduler,
    RedBeatSchedulerEntry,
    acquire_distributed_beat_lock,
    get_redis,
)

from tasks.schedule import ZonedCrontab

TASK = "bench.scheduled"
DAY = timedelta(days=1)
BATCH = 1_000
QUEUES = ("celery",)


def redbeat_app(url: str, lock_timeout: int, lock_key: str = "redbeat::lock") -> Celery:
    app = Celery("redbeat-bench", broker=url, set_as_current=False)
    app.conf.update(
        redbeat_redis_url=url, redbeat_lock_timeout=lock_timeout, redbeat_lock_key=lock_key,
        timezone="UTC", task_serializer="json", accept_content=["json"],
    )  # fmt: skip
    return app


def entry(app: Celery, name: str, due: datetime) -> RedBeatSchedulerEntry:
    found = RedBeatSchedulerEntry(name, TASK, schedule(run_every=DAY), args=[name], app=app)
    found.last_run_at = due - DAY
    return found


def seed(url: str, schedules: Sequence[tuple[str, datetime]]) -> None:
    """Every (name, due) an entry, stored as `RedBeatSchedulerEntry.save` does."""
    app = redbeat_app(url, 60)
    client = get_redis(app)
    for start in range(0, len(schedules), BATCH):
        with client.pipeline(transaction=False) as pipe:
            for name, due in schedules[start : start + BATCH]:
                _save(pipe, app, entry(app, name, due), due)
            pipe.execute()


def _save(pipe: Any, app: Celery, found: RedBeatSchedulerEntry, due: datetime) -> None:
    definition = {
        "name": found.name, "task": found.task, "args": found.args, "kwargs": found.kwargs,
        "options": found.options, "schedule": found.schedule, "enabled": found.enabled,
    }  # fmt: skip
    pipe.hset(found.key, "definition", json.dumps(definition, cls=RedBeatJSONEncoder))
    pipe.hsetnx(found.key, "meta", json.dumps({"last_run_at": found.last_run_at}, cls=RedBeatJSONEncoder))
    schedule_key = app.redbeat_conf.schedule_key  # type: ignore[attr-defined]  # set by redbeat
    pipe.zadd(schedule_key, {found.key: int(due.timestamp())})


def fires(message: dict[str, Any]) -> list[str]:
    """The schedules one published message fires: redbeat publishes one message per entry."""
    return [str(message["args"][0])]


def idle_ticks(url: str, count: int) -> list[float]:
    """Milliseconds of `RedBeatScheduler.tick` with nothing due, holding a lock of its own as beat
    does (a tick extends it first), in this process."""
    app = redbeat_app(url, 60, lock_key="redbeat::probe-lock")
    scheduler = RedBeatScheduler(app, max_interval=1)
    acquire_distributed_beat_lock(sender=SimpleNamespace(scheduler=scheduler))
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        scheduler.tick()
        spent.append((time.perf_counter() - started) * 1e3)
    scheduler.close()
    return spent


def zone_check(url: str) -> str:
    """What a crontab for 09:00 Europe/Berlin becomes once redbeat has stored and loaded it."""
    app = redbeat_app(url, 60)
    berlin = ZonedCrontab("0 9 * * *", ZoneInfo("Europe/Berlin"))
    now = datetime.now(UTC)
    stored = RedBeatSchedulerEntry("zone-check", TASK, berlin, app=app)
    stored.last_run_at = now
    stored.save()
    loaded = RedBeatSchedulerEntry.from_key(stored.key, app=app)
    wanted = _minute(now + berlin.remaining_estimate(now))
    got = _minute(now + loaded.schedule.remaining_estimate(now))
    stored.delete()
    return (
        f"a crontab '0 9 * * *' for Europe/Berlin is due {wanted:%H:%M} UTC; stored and loaded by"
        f" redbeat it is a {type(loaded.schedule).__name__} in {loaded.schedule.tz}, due {got:%H:%M} UTC"
        " (its JSON keeps the five fields, not the zone: one zone per app)"
    )


def _minute(at: datetime) -> datetime:
    """`remaining_estimate` counts from its own now: round off the few microseconds in between."""
    return (at + timedelta(seconds=30)).replace(second=0, microsecond=0)
