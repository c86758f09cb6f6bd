"""TEMPORARY: an in-memory stand-in for sched-engine's ScheduleStore, until its store lands."""

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cronsim import CronSim

from core.schedules.model import Schedule, ScheduleKind, ScheduleSpec
from core.schedules.store import AddResult

_ids = (f"s{n:04d}" for n in itertools.count(1))


def _next(spec: ScheduleSpec, zone: ZoneInfo, now: datetime) -> datetime:
    if spec.kind is ScheduleKind.EVERY:
        assert spec.seconds is not None
        return now + timedelta(seconds=spec.seconds)
    assert spec.expression is not None
    return next(iter(CronSim(spec.expression, now.astimezone(zone))))


class FakeScheduleStore:
    def __init__(self, max_per_chat: int = 10) -> None:
        self.max_per_chat = max_per_chat
        self.schedules: dict[str, tuple[Schedule, datetime]] = {}
        self.zones: dict[int, ZoneInfo] = {}

    async def add(self, *, chat_id: int, spec: ScheduleSpec, now: datetime, **rest: Any) -> AddResult:
        if len([s for s, _ in self.schedules.values() if s.chat_id == chat_id]) >= self.max_per_chat:
            return AddResult(None, None, "too_many")
        schedule = Schedule(
            next(_ids), chat_id, rest["chat_type"], spec, rest["task"], rest["args"], rest["created_by"]
        )
        first = _next(spec, await self.timezone(chat_id), now)
        self.schedules[schedule.id] = (schedule, first)
        return AddResult(schedule, first, None)

    async def list_chat(self, chat_id: int) -> list[tuple[Schedule, datetime]]:
        return sorted((e for e in self.schedules.values() if e[0].chat_id == chat_id), key=lambda e: e[1])

    async def cancel(self, chat_id: int, schedule_id: str) -> bool:
        entry = self.schedules.get(schedule_id)
        if entry is None or entry[0].chat_id != chat_id:
            return False
        del self.schedules[schedule_id]
        return True

    async def cancel_all(self, chat_id: int) -> int:
        ids = [key for key, (s, _) in self.schedules.items() if s.chat_id == chat_id]
        for key in ids:
            del self.schedules[key]
        return len(ids)

    async def forget_chat(self, chat_id: int) -> int:
        return await self.cancel_all(chat_id)

    async def timezone(self, chat_id: int) -> ZoneInfo:
        return self.zones.get(chat_id, ZoneInfo("UTC"))

    async def set_timezone(self, chat_id: int, zone: ZoneInfo, now: datetime) -> None:
        self.zones[chat_id] = zone
