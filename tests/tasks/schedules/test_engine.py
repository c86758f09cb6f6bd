"""The engine's steps with an injected clock on a real redis-server (database 22), publishing to its
broker list without a worker: batches and chunks, a run missed by an outage fires once, a dead beat's
claim is taken over after the lease with the same fire time, and two claimers never share a run."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
import redis
from redis.asyncio import Redis

from core.schedules.codec import ScheduleKeys, to_ms
from core.schedules.model import NewSchedule, ScheduleSpec
from core.schedules.store import ScheduleStore
from core.settings import SchedulesSettings
from tasks.registry import TasksRegistry
from tasks.schedules.claims import ClaimBook
from tasks.schedules.engine import ScheduleEngine
from tests.support.containers import make_container
from tests.support.databases import database
from tests.support.fires import published, runs_of
from tests.support.processes import RedisServer

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
EVERY_MINUTE = ScheduleSpec.every(60, "1m")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(redis_server: RedisServer) -> Iterator[tuple[str, redis.Redis]]:
    url, client = database(redis_server, 22)
    yield url, client
    client.flushdb()
    client.close()


def engine(url: str, client: redis.Redis, clock: Clock, **settings: Any) -> ScheduleEngine:
    registry = make_container(url, "http://127.0.0.1:1").resolve(TasksRegistry)
    return ScheduleEngine(client, registry, SchedulesSettings(**settings), clock=clock)


async def seed(url: str, count: int, first_run: datetime) -> list[str]:
    client = Redis.from_url(url)
    store = ScheduleStore(client, SchedulesSettings())
    entries = [
        NewSchedule(chat_id=i, spec=EVERY_MINUTE, task="ping", first_run=first_run) for i in range(count)
    ]
    added = await store.add_many(entries, first_run)
    await client.aclose()
    return [schedule.id for schedule in added]


async def test_due_runs_go_out_in_batches_and_chunks(db: tuple[str, redis.Redis]) -> None:
    url, client = db
    ids = await seed(url, 250, NOW)
    await seed(url, 10, NOW + timedelta(seconds=30))  # not due yet
    clock = Clock()
    the_engine = engine(url, client, clock, batch=100, fire_chunk=30, poll_interval=5)
    assert [the_engine.tick() for _ in range(3)] == [0.0, 0.0, 5.0]  # 100, 100, 50 (then the poll)
    messages = published(client)
    assert [len(m["runs"]) for m in messages] == [30, 30, 30, 10] * 2 + [30, 20]
    assert sorted(runs_of(messages)) == sorted((i, to_ms(NOW)) for i in ids)
    assert {m["task"] for m in messages} == {"schedules.fire"}
    assert all(m["expires"] for m in messages)
    clock.now = NOW + timedelta(seconds=1)
    assert the_engine.tick() == 5.0  # nothing due: the next run is 29 s away, the poll is sooner
    assert len(published(client)) == 10
    entries = cast(list[tuple[bytes, float]], client.zrange("schedules:due", 0, -1, withscores=True))
    scores = {int(score) for _, score in entries}
    assert scores == {to_ms(NOW + timedelta(seconds=30)), to_ms(NOW + timedelta(seconds=60))}


async def test_a_run_missed_by_an_outage_fires_once_and_moves_on(db: tuple[str, redis.Redis]) -> None:
    url, client = db
    [schedule_id] = await seed(url, 1, NOW - timedelta(hours=3))  # 180 runs missed
    clock = Clock()
    the_engine = engine(url, client, clock, grace=60, poll_interval=1)
    the_engine.tick()
    the_engine.tick()
    assert runs_of(published(client)) == [(schedule_id, to_ms(NOW - timedelta(hours=3)))]
    assert client.hget(f"schedules:s:{schedule_id}", "due") == str(to_ms(NOW + timedelta(minutes=1))).encode()


async def test_a_dead_beats_claim_is_taken_over_after_the_lease(db: tuple[str, redis.Redis]) -> None:
    url, client = db
    ids = await seed(url, 20, NOW)
    dead_claims, _ = ClaimBook(client, ScheduleKeys()).claim(to_ms(NOW), 30_000, 500)  # then SIGKILL
    assert len(dead_claims) == 20
    clock = Clock()
    survivor = engine(url, client, clock, lease=30, poll_interval=1)
    survivor.tick()
    assert published(client) == [], "leased runs wait for the lease"
    clock.now = NOW + timedelta(seconds=31)
    survivor.tick()
    assert sorted(runs_of(published(client))) == sorted((i, to_ms(NOW)) for i in ids), "same fire times"
    due = {int(client.hget(f"schedules:s:{i}", "due") or 0) for i in ids}
    assert due == {to_ms(NOW + timedelta(minutes=1))}, "advanced once, on the grid"


async def test_concurrent_claimers_never_share_a_run(db: tuple[str, redis.Redis]) -> None:
    url, _ = db
    ids = await seed(url, 3000, NOW)
    taken: list[list[str]] = [[], [], []]

    def claimer(into: list[str]) -> None:
        book = ClaimBook(redis.Redis.from_url(url), ScheduleKeys())
        while claims := book.claim(to_ms(NOW), 30_000, 50)[0]:
            into.extend(claim.schedule.id for claim in claims)

    threads = [threading.Thread(target=claimer, args=(into,)) for into in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(i for claimed in taken for i in claimed) == sorted(ids), "each run claimed once"


async def test_a_cancelled_schedule_is_dropped_at_claim(db: tuple[str, redis.Redis]) -> None:
    url, client = db
    [kept, cancelled] = await seed(url, 2, NOW)
    client.delete(f"schedules:s:{cancelled}")  # as if cancelled between two reads: ZSET entry left over
    engine(url, client, Clock()).tick()
    assert runs_of(published(client)) == [(kept, to_ms(NOW))]
    assert client.zscore("schedules:due", cancelled) is None


async def test_a_timezone_change_during_a_claim_wins_over_the_advance(db: tuple[str, redis.Redis]) -> None:
    url, client = db
    store = ScheduleStore(Redis.from_url(url), SchedulesSettings())
    added = await store.add(5, "private", ScheduleSpec.daily(9, 0), "ping", (), 1, NOW - timedelta(days=1))
    assert added.schedule is not None
    assert added.first_run == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # due an hour before NOW
    book = ClaimBook(client, ScheduleKeys())
    [claim], _ = book.claim(to_ms(NOW), 30_000, 10)
    await store.set_timezone(5, ZoneInfo("Europe/Berlin"), NOW)  # while the run is being published
    assert book.advance([(claim.schedule.id, claim.due_ms, to_ms(NOW + timedelta(days=1)))]) == 0
    [(_, next_run)] = await store.list_chat(5)
    assert next_run == datetime(2026, 1, 6, 8, 0, tzinfo=UTC), "09:00 Berlin, as /timezone set it"
    assert client.zscore("schedules:due", claim.schedule.id) == to_ms(next_run)


def test_a_tick_while_redis_is_away_waits_and_keeps_beat_alive() -> None:
    away = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    the_engine = engine("redis://127.0.0.1:1/0", away, Clock(), poll_interval=0.7)
    assert the_engine.tick() == 0.7


async def test_a_zone_this_beat_does_not_know_falls_back_to_the_default(db: tuple[str, redis.Redis]) -> None:
    url, client = db
    [schedule_id] = await seed(url, 1, NOW)
    client.hset("schedules:tz", "0", "Mars/Olympus_Mons")  # chat 0's zone, unknown to this tz database
    engine(url, client, Clock(), grace=60).tick()  # raised before: beat stopped, at every restart too
    assert runs_of(published(client)) == [(schedule_id, to_ms(NOW))]
    assert client.hget(f"schedules:s:{schedule_id}", "due") == str(to_ms(NOW + timedelta(minutes=1))).encode()
