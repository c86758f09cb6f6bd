"""The per-chat schedules' engine: each beat tick claims due runs, publishes them, advances them.

Any number of beats may run it: a run is claimed by one beat only (an atomic Lua claim with a lease).
A beat that dies between claim and advance leaves its runs leased; after SCHEDULES_LEASE another beat
(or its restart) claims them again for the same fire time, and the worker's idempotency key per
schedule and fire time (the delivery ledger) drops what was already published. Runs are published in
chunks (`schedules.fire`, SCHEDULES_FIRE_CHUNK runs each) on one producer; a tick with nothing due is
one ZRANGEBYSCORE … LIMIT on the due set.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from redis import Redis
from redis.exceptions import RedisError

from core.connection_errors import CONNECTION_ERRORS
from core.schedules.codec import ScheduleKeys, from_ms, to_ms
from core.schedules.timing import following_fire
from core.settings import SchedulesSettings
from tasks.registry import TasksRegistry
from tasks.schedules.claims import Claim, ClaimBook
from tasks.schedules.contracts import ScheduledRun

log = structlog.get_logger(__name__)
TICK_ERRORS: tuple[type[Exception], ...] = (*CONNECTION_ERRORS, RedisError)


def utc_now() -> datetime:
    return datetime.now(UTC)


class ScheduleEngine:
    def __init__(
        self,
        redis: Redis,
        registry: TasksRegistry,
        settings: SchedulesSettings,
        keys: ScheduleKeys | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._book = ClaimBook(redis, keys or ScheduleKeys())
        self._registry = registry
        self._settings = settings
        self._clock = clock
        self._grace = timedelta(seconds=settings.grace)
        self._default_zone = ZoneInfo(settings.default_timezone)

    def tick(self) -> float:
        """One step: seconds until the next one is worth it (0 while due runs are left)."""
        try:
            return self._step()
        except TICK_ERRORS as error:  # claimed runs stay leased: taken again later
            log.warning("schedules_tick_failed", error=repr(error))
            return self._settings.poll_interval

    def _step(self) -> float:
        settings, now = self._settings, self._clock()
        claims, earliest = self._book.claim(to_ms(now), settings.lease * 1000, settings.batch)
        if claims:
            self._publish(claims, now)
            moved = self._book.advance([self._move(claim, now) for claim in claims])
            log.info("schedules_fired", runs=len(claims), advanced=moved)
        if len(claims) >= settings.batch:
            return 0.0
        if earliest is None:
            return settings.poll_interval
        return max(0.0, min(settings.poll_interval, (earliest - to_ms(self._clock())) / 1000))

    def _publish(self, claims: list[Claim], now: datetime) -> None:
        runs = [ScheduledRun(schedule_id=claim.schedule.id, due_ms=claim.due_ms) for claim in claims]
        fire, chunk = self._registry.fire_schedules, self._settings.fire_chunk
        expires = now + timedelta(seconds=self._settings.fire_expires)
        with fire.app.producer_or_acquire() as producer:
            for start in range(0, len(runs), chunk):
                fire.apply_async((runs[start : start + chunk],), producer=producer, expires=expires)

    def _move(self, claim: Claim, now: datetime) -> tuple[str, int, int]:
        following = following_fire(
            claim.schedule.spec, self._zone(claim), from_ms(claim.due_ms), now, self._grace
        )
        return claim.schedule.id, claim.due_ms, to_ms(following)

    def _zone(self, claim: Claim) -> ZoneInfo:
        """The chat's zone; the default one if this process's tz database does not know it (the bot
        checked it against its own): an exception here would stop beat at every restart."""
        try:
            return ZoneInfo(claim.zone) if claim.zone else self._default_zone
        except (ZoneInfoNotFoundError, ValueError) as error:
            log.error(
                "schedule_zone_unknown", schedule_id=claim.schedule.id, zone=claim.zone, error=repr(error)
            )
            return self._default_zone
