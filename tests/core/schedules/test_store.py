"""The schedule store on a real redis-server (database 20): limits, listing, cancelling, zones, chats
that go away or migrate, and edits racing each other."""

import asyncio
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from core.schedules.model import NewSchedule, ScheduleSpec
from core.schedules.store import ScheduleStore
from core.settings import SchedulesSettings
from tests.support.databases import database
from tests.support.processes import RedisServer

NOW = datetime(2026, 1, 5, 10, 0, 7, tzinfo=UTC)
CHAT = -1001
EVERY = ScheduleSpec.every(1800, "30m")
DAILY = ScheduleSpec.daily(9, 0)


@pytest.fixture
async def store(redis_server: RedisServer) -> AsyncIterator[ScheduleStore]:
    url, sync = database(redis_server, 20)
    sync.close()
    client = Redis.from_url(url)
    yield ScheduleStore(client, SchedulesSettings(max_per_chat=3))
    await client.flushdb()
    await client.aclose()


async def test_add_list_cancel(store: ScheduleStore) -> None:
    daily = await store.add(CHAT, "group", DAILY, "report", (), 7, NOW)
    every = await store.add(CHAT, "group", EVERY, "ping", (), 7, NOW)
    assert every.schedule is not None
    assert daily.schedule is not None
    assert every.refused is None
    assert every.first_run == NOW + timedelta(minutes=30)
    assert daily.first_run == datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    listed = await store.list_chat(CHAT)
    assert listed == [(every.schedule, every.first_run), (daily.schedule, daily.first_run)]
    assert len(every.schedule.id) == 5
    assert every.schedule.id.isalnum()
    assert await store.count() == 2
    assert not await store.cancel(CHAT + 1, every.schedule.id)  # not that chat's
    assert await store.cancel(CHAT, every.schedule.id)
    assert not await store.cancel(CHAT, every.schedule.id)
    assert await store.list_chat(CHAT) == [(daily.schedule, daily.first_run)]
    assert await store.cancel_all(CHAT) == 1
    assert await store.list_chat(CHAT) == []
    assert await store.count() == 0


async def test_too_many_per_chat_even_when_added_at_once(store: ScheduleStore) -> None:
    results = await asyncio.gather(*(store.add(CHAT, "group", EVERY, "ping", (), 1, NOW) for _ in range(8)))
    assert sum(r.schedule is not None for r in results) == 3
    assert {r.refused for r in results if r.schedule is None} == {"too_many"}
    assert len(await store.list_chat(CHAT)) == 3
    assert (await store.add(CHAT + 1, "private", EVERY, "ping", (), 1, NOW)).schedule is not None


async def test_timezone_retimes_daily_and_cron_not_every(store: ScheduleStore) -> None:
    assert await store.timezone(CHAT) == ZoneInfo("UTC")
    daily = (await store.add(CHAT, "group", DAILY, "report", (), 1, NOW)).schedule
    every = (await store.add(CHAT, "group", EVERY, "ping", (), 1, NOW)).schedule
    await store.set_timezone(CHAT, ZoneInfo("Europe/Berlin"), NOW)
    assert await store.timezone(CHAT) == ZoneInfo("Europe/Berlin")
    runs = {schedule.id: run for schedule, run in await store.list_chat(CHAT)}
    assert daily is not None
    assert every is not None
    assert runs[daily.id] == datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # 09:00 Berlin
    assert runs[every.id] == NOW + timedelta(minutes=30)
    added = await store.add(CHAT, "group", ScheduleSpec.cron("0 12 * * *"), "ping", (), 1, NOW)
    assert added.first_run == datetime(2026, 1, 5, 11, 0, tzinfo=UTC)  # new ones use the chat's zone


async def test_forget_and_migrate_chat(store: ScheduleStore) -> None:
    kept = (await store.add(CHAT, "group", EVERY, "ping", (), 1, NOW)).schedule
    await store.set_timezone(CHAT, ZoneInfo("Asia/Tokyo"), NOW)
    assert await store.migrate_chat(CHAT, -100777) == 1
    assert await store.list_chat(CHAT) == []
    [(moved, _)] = await store.list_chat(-100777)
    assert kept is not None
    assert moved.id == kept.id
    assert (moved.chat_id, moved.chat_type) == (-100777, "supergroup")
    assert await store.timezone(-100777) == ZoneInfo("Asia/Tokyo")
    assert await store.forget_chat(-100777) == 1
    assert await store.list_chat(-100777) == []
    assert await store.count() == 0
    assert await store.timezone(-100777) == ZoneInfo("UTC")


async def test_add_many_seeds_in_bulk(store: ScheduleStore) -> None:
    due = NOW + timedelta(minutes=1)
    entries = [NewSchedule(chat_id=i, spec=EVERY, task="ping", first_run=due) for i in range(6000)]
    added = await store.add_many(entries, NOW)
    assert len(added) == 6000 == await store.count()
    assert len({s.id for s in added}) == 6000
    assert await store.list_chat(42) == [(added[42], due)]


async def test_concurrent_edits_leave_the_store_consistent(redis_server: RedisServer) -> None:
    url, sync = database(redis_server, 20)
    client = Redis.from_url(url)
    store = ScheduleStore(client, SchedulesSettings(max_per_chat=50))
    ids = [
        r.schedule.id
        for r in [await store.add(CHAT, "group", EVERY, "ping", (), 1, NOW) for _ in range(20)]
        if r.schedule
    ]
    edits: list[Coroutine[Any, Any, object]] = [store.cancel(CHAT, i) for i in ids[:10]]
    edits += [store.add(CHAT, "group", DAILY, "report", (), 1, NOW) for _ in range(10)]
    edits += [store.set_timezone(CHAT, ZoneInfo("Asia/Tokyo"), NOW), store.list_chat(CHAT)]
    await asyncio.gather(*edits)
    listed = await store.list_chat(CHAT)
    assert len(listed) == 20 == await store.count()
    assert {schedule.id for schedule, _ in listed}.isdisjoint(ids[:10])
    members = {member.decode() for member in cast(list[bytes], sync.zrange("schedules:due", 0, -1))}
    assert members == {schedule.id for schedule, _ in listed}
    tokyo_nine = datetime(2026, 1, 6, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo, whichever came first
    assert {run for schedule, run in listed if schedule.task == "report"} == {tokyo_nine}
    await client.flushdb()
    await client.aclose()
    sync.close()
