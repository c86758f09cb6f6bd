"""Per-chat schedules in Redis (layout: core/schedules/codec.py). Every edit is one Lua script, so
concurrent /every, /cancel, /timezone and the engine's claims never see half an edit."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from core.schedules import scripts
from core.schedules.codec import ScheduleKeys, decode, encode, fields, from_ms, new_id, text, to_ms
from core.schedules.model import NewSchedule, Schedule, ScheduleKind, ScheduleSpec
from core.schedules.seeding import add_many
from core.schedules.timing import next_fire
from core.settings import SchedulesSettings

ATTEMPTS = 8  # an id already taken (1 in 600 at 100,000 schedules) or a zone changed meanwhile


@dataclass(frozen=True, slots=True)
class AddResult:
    schedule: Schedule | None
    first_run: datetime | None
    refused: Literal["too_many"] | None


class ScheduleStoreError(RuntimeError):
    """An edit kept colliding with concurrent ones (ATTEMPTS times): very unlikely; try again."""


class ScheduleStore:
    def __init__(self, redis: Redis, settings: SchedulesSettings, keys: ScheduleKeys | None = None) -> None:
        self._redis = redis
        self._settings = settings
        self.keys = keys or ScheduleKeys()
        self._default_zone = ZoneInfo(settings.default_timezone)
        self._scripts = {
            name: redis.register_script(getattr(scripts, name))
            for name in ("ADD", "LIST", "CANCEL", "CANCEL_ALL", "MIGRATE", "SET_ZONE")
        }

    async def add(  # noqa: PLR0917  # the contract's positional form (schedules-contract.md)
        self,
        chat_id: int,
        chat_type: str,
        spec: ScheduleSpec,
        task: str,
        args: Sequence[str],
        created_by: int,
        now: datetime,
    ) -> AddResult:
        for _ in range(ATTEMPTS):
            zone_name = await self._zone_name(chat_id)
            first_run = next_fire(spec, self.zone(zone_name), now)
            schedule = Schedule(new_id(), chat_id, chat_type, spec, task, tuple(args), created_by)
            added = await self.insert(schedule, first_run, zone_name)
            if added == 1:
                return AddResult(schedule, first_run, None)
            if added == 0:
                return AddResult(None, None, "too_many")
        raise ScheduleStoreError("could not add the schedule: too many concurrent edits")

    async def add_many(self, entries: Sequence[NewSchedule], now: datetime) -> list[Schedule]:
        """Bulk seeding (benchmarks, imports): core/schedules/seeding.py."""
        return await add_many(self, self._redis, entries, now)

    async def insert(
        self, schedule: Schedule, due: datetime, zone_name: str, client: Redis | None = None
    ) -> int:
        """The ADD script: 1 added, 0 too many, -1 id taken, -2 the chat's zone changed meanwhile.
        With `client` (a pipeline) it only queues the script (for bulk seeding)."""
        keys = self.keys
        pairs = [item for field_value in encode(schedule).items() for item in field_value]
        answer = await self._scripts["ADD"](
            keys=[keys.due, keys.schedule(schedule.id), keys.chat(schedule.chat_id), keys.zones],
            args=[schedule.id, self._settings.max_per_chat, to_ms(due), schedule.chat_id, zone_name, *pairs],
            client=client,
        )
        return answer if client is not None else int(answer)

    async def list_chat(self, chat_id: int) -> list[tuple[Schedule, datetime]]:
        """The chat's schedules and their next runs (UTC), soonest first."""
        flat = await self._scripts["LIST"](keys=[self.keys.chat(chat_id)], args=[self.keys.schedule_prefix])
        found = []
        for i in range(0, len(flat), 2):
            values = fields(flat[i + 1])
            found.append((decode(text(flat[i]), values), from_ms(values["due"])))
        return sorted(found, key=lambda pair: (pair[1], pair[0].id))

    async def cancel(self, chat_id: int, schedule_id: str) -> bool:
        keys = self.keys
        return bool(
            await self._scripts["CANCEL"](
                keys=[keys.due, keys.chat(chat_id)], args=[keys.schedule_prefix, schedule_id]
            )
        )

    async def cancel_all(self, chat_id: int) -> int:
        return await self._cancel_all(chat_id, forget_zone=False)

    async def forget_chat(self, chat_id: int) -> int:
        """Removes every schedule of the chat and its zone (on /unsubscribe, on 403): how many."""
        return await self._cancel_all(chat_id, forget_zone=True)

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """A group became a supergroup: its schedules (and zone) follow it to the new id."""
        keys = self.keys
        return int(
            await self._scripts["MIGRATE"](
                keys=[keys.chat(old_chat_id), keys.chat(new_chat_id), keys.zones],
                args=[keys.schedule_prefix, old_chat_id, new_chat_id],
            )
        )

    async def timezone(self, chat_id: int) -> ZoneInfo:
        return self.zone(await self._zone_name(chat_id))

    async def set_timezone(self, chat_id: int, zone: ZoneInfo, now: datetime) -> None:
        """Sets the chat's zone and re-times its DAILY and CRON schedules from `now`, all at once."""
        for _ in range(ATTEMPTS):
            zone_name = await self._zone_name(chat_id)
            triples: list[str | int] = []
            for schedule, due in await self.list_chat(chat_id):
                fixed = schedule.spec.kind is ScheduleKind.EVERY  # intervals do not depend on the zone
                retimed = "" if fixed else to_ms(next_fire(schedule.spec, zone, now))
                triples += [schedule.id, to_ms(due), retimed]
            keys = self.keys
            done = await self._scripts["SET_ZONE"](
                keys=[keys.due, keys.zones, keys.chat(chat_id)],
                args=[keys.schedule_prefix, chat_id, zone.key, zone_name, *triples],
            )
            if int(done) == 1:
                return
        raise ScheduleStoreError("could not set the time zone: too many concurrent edits")

    async def count(self) -> int:
        return int(await self._redis.zcard(self.keys.due))

    async def get_many(self, schedule_ids: Sequence[str]) -> dict[str, Schedule]:
        """The schedules of these ids that still exist (one pipeline): what the worker runs."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for schedule_id in schedule_ids:
                pipe.hgetall(self.keys.schedule(schedule_id))
            answers = await pipe.execute()
        return {
            schedule_id: decode(schedule_id, {text(k): text(v) for k, v in answer.items()})
            for schedule_id, answer in zip(schedule_ids, answers, strict=True)
            if answer
        }

    def zone(self, name: str) -> ZoneInfo:
        return ZoneInfo(name) if name else self._default_zone

    async def _zone_name(self, chat_id: int) -> str:
        name = await self._redis.hget(self.keys.zones, str(chat_id))
        return text(name) if name else ""

    async def _cancel_all(self, chat_id: int, *, forget_zone: bool) -> int:
        keys = self.keys
        return int(
            await self._scripts["CANCEL_ALL"](
                keys=[keys.due, keys.chat(chat_id), keys.zones],
                args=[keys.schedule_prefix, chat_id, "1" if forget_zone else "0"],
            )
        )
