"""A beat SIGKILLed in the middle of publishing a claimed batch loses no run: its restart claims the
batch again once the lease has run out, publishes every run for the same fire time and advances each
schedule once. (The runs the dead beat did publish go out twice; the worker's ledger key per schedule
and fire time starts only one of each: tests/tasks/schedules/test_runs.py.) Database 23."""

import os
import signal
from datetime import UTC, datetime, timedelta

import pytest
import redis
from redis.asyncio import Redis

from core.schedules.codec import to_ms
from core.schedules.model import NewSchedule, ScheduleSpec
from core.schedules.store import ScheduleStore
from core.settings import SchedulesSettings
from tests.support.databases import database
from tests.support.fires import published, runs_of
from tests.support.processes import CeleryBeat, RedisServer
from tests.support.waiting import async_wait_for

pytestmark = pytest.mark.faults
RUNS = 3000


def advanced(client: redis.Redis, ids: list[str], due: datetime) -> bool:
    with client.pipeline(transaction=False) as pipe:
        for schedule_id in ids:
            pipe.hget(f"schedules:s:{schedule_id}", "due")
        answers = pipe.execute()
    return all(int(answer) > to_ms(due) for answer in answers)


async def test_a_beat_killed_mid_batch_loses_no_run(
    redis_server: RedisServer, project_env: dict[str, str]
) -> None:
    url, client = database(redis_server, 23)
    due = datetime.now(UTC) - timedelta(seconds=1)
    store = ScheduleStore(Redis.from_url(url), SchedulesSettings())
    entries = [
        NewSchedule(chat_id=i, spec=ScheduleSpec.every(3600, "1h"), task="ping", first_run=due)
        for i in range(RUNS)
    ]
    ids = [schedule.id for schedule in await store.add_many(entries, due)]
    env = {
        **project_env,
        "REDIS_URL": url,
        "NOTIFICATIONS_ENABLED": "false",
        "SCHEDULES_BATCH": str(RUNS),  # one claim for all,
        "SCHEDULES_FIRE_CHUNK": "1",  # published one by one: seconds to kill it in
        "SCHEDULES_LEASE": "3",
    }
    victim = CeleryBeat(env)
    try:
        await async_wait_for(lambda: client.llen("celery") >= 50, 60, "the batch being published")
        os.killpg(victim.process.pid, signal.SIGKILL)
        victim.process.wait(10)
        sent_before = client.llen("celery")
    finally:
        victim.stop()
    assert sent_before < RUNS, "killed mid-batch"
    assert not advanced(client, ids[:1], due), "nothing advanced: the batch was still being published"
    restarted = CeleryBeat(env)
    try:
        await async_wait_for(lambda: advanced(client, ids, due), 60, "the restarted beat to take over")
    finally:
        restarted.stop()
    runs = runs_of(published(client))
    assert set(runs) == {(schedule_id, to_ms(due)) for schedule_id in ids}, (
        "every run published, same fire time"
    )
    assert len(runs) - RUNS <= sent_before, "only what the dead beat had published goes out twice"
    assert {int(client.hget(f"schedules:s:{i}", "due") or 0) for i in ids} == {
        to_ms(due + timedelta(hours=1))
    }
    client.flushdb()
