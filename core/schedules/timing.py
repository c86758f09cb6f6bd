"""When a schedule runs next: intervals without drift, cron in the chat's time zone (cronsim + zoneinfo).

DST, for DAILY and CRON: a local time that does not exist (spring forward) runs at the next valid minute;
an ambiguous one (fall back) runs once, at its first occurrence. Both come from cronsim, which follows
Debian cron here. A cron expression with `*` in the hour field runs by the clock, so on a fall-back night
"every 30 minutes" also covers the repeated hour (every half hour of real time).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim

from core.schedules.model import ScheduleKind, ScheduleSpec


def next_fire(spec: ScheduleSpec, zone: ZoneInfo, after: datetime) -> datetime:
    """The first run strictly after `after` (an aware datetime), in UTC.

    EVERY: `after + seconds`; called with the creation time for the first run and with the previous
    fire time after that, so runs keep their phase (no drift from late beats)."""
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    if spec.kind is ScheduleKind.EVERY:
        assert spec.seconds is not None
        return (after + timedelta(seconds=spec.seconds)).astimezone(UTC)
    assert spec.expression is not None
    # Started inside a repeated (fall-back) hour, cronsim may first name a wall time whose first
    # occurrence is already past: skip to the first match that is really later.
    for local in CronSim(spec.expression, after.astimezone(zone)):
        if local > after:
            return local.astimezone(UTC)
    raise ValueError(f"cron expression {spec.expression!r} never runs")  # cronsim refuses these at parse


def following_fire(
    spec: ScheduleSpec, zone: ZoneInfo, due: datetime, now: datetime, grace: timedelta
) -> datetime:
    """Where a schedule moves after its run due at `due` fired at `now`.

    On time (at most `grace` late): the run after `due`, keeping the phase. Later than that (an outage):
    the run fired once for all it missed, and the schedule moves on from `now`."""
    if now - due > grace:
        return next_fire(spec, zone, now)
    return next_fire(spec, zone, due)
