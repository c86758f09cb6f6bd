"""TEMPORARY stub of the store API (sched-engine owns it); removed before merging wt-sched-engine."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from core.schedules.model import Schedule, ScheduleSpec


@dataclass(frozen=True, slots=True)
class AddResult:
    schedule: Schedule | None
    first_run: datetime | None
    refused: Literal["too_many"] | None


class ScheduleStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def add(
        self, *, chat_id: int, chat_type: str, spec: ScheduleSpec, task: str, args: tuple[str, ...],
        created_by: int, now: datetime,
    ) -> AddResult:  # fmt: skip
        raise NotImplementedError

    async def list_chat(self, chat_id: int) -> list[tuple[Schedule, datetime]]:
        raise NotImplementedError

    async def cancel(self, chat_id: int, schedule_id: str) -> bool:
        raise NotImplementedError

    async def cancel_all(self, chat_id: int) -> int:
        raise NotImplementedError

    async def timezone(self, chat_id: int) -> ZoneInfo:
        raise NotImplementedError

    async def set_timezone(self, chat_id: int, zone: ZoneInfo, now: datetime) -> None:
        raise NotImplementedError

    async def forget_chat(self, chat_id: int) -> int:
        raise NotImplementedError
