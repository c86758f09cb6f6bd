"""The engine's side of the schedule store: claim a batch of due runs with a lease, then advance them.

Synchronous (beat is), one Lua script per step (core/schedules/scripts.py): a claim moves each entry's
score to the lease's end and keeps the fire time it was claimed for in its hash, so any beat that finds
the lease expired (its claimer died) claims the same run again, under the same idempotency key.
"""

from dataclasses import dataclass

import structlog
from redis import Redis

from core.schedules import scripts
from core.schedules.codec import ScheduleKeys, decode, fields, text
from core.schedules.model import Schedule

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Claim:
    """A claimed run: the schedule, the fire time (ms) it is due for, its chat's zone ('' = default)."""

    schedule: Schedule
    due_ms: int
    zone: str


class ClaimBook:
    def __init__(self, redis: Redis, keys: ScheduleKeys) -> None:
        self._keys = keys
        self._claim = redis.register_script(scripts.CLAIM)
        self._advance = redis.register_script(scripts.ADVANCE)

    def claim(self, now_ms: int, lease_ms: int, batch: int) -> tuple[list[Claim], int | None]:
        """Up to `batch` due runs, leased until now + lease; and the earliest score left (ms) or None."""
        keys = self._keys
        found, earliest = self._claim(
            keys=[keys.due, keys.zones], args=[now_ms, lease_ms, batch, keys.schedule_prefix]
        )
        claims = []
        for i in range(0, len(found), 3):
            schedule_id, values = text(found[i]), fields(found[i + 1])
            try:
                claims.append(Claim(decode(schedule_id, values), int(values["due"]), text(found[i + 2])))
            except (KeyError, ValueError) as error:  # a damaged entry: left leased, named in the log
                log.error("schedule_unreadable", schedule_id=schedule_id, error=repr(error))
        return claims, int(float(text(earliest))) if earliest else None

    def advance(self, moves: list[tuple[str, int, int]]) -> int:
        """(id, claimed due ms, next due ms) each; compare-and-set on the claimed due. How many moved."""
        args: list[str | int] = [self._keys.schedule_prefix]
        for move in moves:
            args.extend(move)
        return int(self._advance(keys=[self._keys.due], args=args))
