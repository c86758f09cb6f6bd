"""Bulk seeding of schedules (benchmarks, imports): ADD scripts in pipelines of SEED_PIPELINE, the same
checks as one `add` (SCHEDULES_MAX_PER_CHAT; refused entries are left out of the answer)."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from redis.asyncio import Redis

from core.schedules.codec import new_id, text
from core.schedules.model import NewSchedule, Schedule
from core.schedules.timing import next_fire

if TYPE_CHECKING:
    from core.schedules.store import ScheduleStore

SEED_PIPELINE = 5000
ATTEMPTS = 8


async def add_many(
    store: "ScheduleStore", redis: Redis, entries: Sequence[NewSchedule], now: datetime
) -> list[Schedule]:
    added: list[Schedule] = []
    for start in range(0, len(entries), SEED_PIPELINE):
        pending = list(entries[start : start + SEED_PIPELINE])
        for _ in range(ATTEMPTS):
            if not pending:
                break
            pending = await _seed(store, redis, pending, now, added)
    return added


async def _seed(
    store: "ScheduleStore", redis: Redis, pending: list[NewSchedule], now: datetime, added: list[Schedule]
) -> list[NewSchedule]:
    """One pipeline; returns the entries to try again (an id taken, a zone changed meanwhile)."""
    chats = sorted({entry.chat_id for entry in pending})
    found = await redis.hmget(store.keys.zones, [str(chat) for chat in chats])
    zones = {chat: text(name) if name else "" for chat, name in zip(chats, found, strict=True)}
    batch = []
    async with redis.pipeline(transaction=False) as pipe:
        for entry in pending:
            schedule = Schedule(
                new_id(), entry.chat_id, entry.chat_type, entry.spec, entry.task, entry.args, entry.created_by
            )
            zone = zones[entry.chat_id]
            due = entry.first_run or next_fire(entry.spec, store.zone(zone), now)
            await store.insert(schedule, due, zone, pipe)
            batch.append((entry, schedule))
        answers = await pipe.execute()
    added += [schedule for (_, schedule), answer in zip(batch, answers, strict=True) if answer == 1]
    return [entry for (entry, _), answer in zip(batch, answers, strict=True) if answer < 0]
