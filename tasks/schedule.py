"""The notification schedule: a Celery schedule for beat, and the tick grid that makes sends idempotent.

A tick is a slot on the schedule's own grid (an interval aligned to the epoch, or a crontab minute), so
every process that looks at the same moment, two beats included, names the same tick.
"""

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab, schedstate, schedule
from cronsim import CronSim

from core.settings import NotificationSettings

CLOCK_GRACE = timedelta(seconds=2)


class AlignedInterval(schedule):
    """`every N seconds`, due at multiples of N since the epoch, not N after beat started."""

    def __init__(self, seconds: int) -> None:
        super().__init__(run_every=timedelta(seconds=seconds))
        self.period = seconds

    def __reduce__(self) -> tuple[type["AlignedInterval"], tuple[int]]:
        return self.__class__, (self.period,)  # beat pickles its schedule to disk

    def slot(self, at: datetime) -> int:
        return math.floor(at.timestamp() / self.period)

    def is_due(self, last_run_at: datetime) -> schedstate:
        now = self.now()
        until_next = self.period - now.timestamp() % self.period
        return schedstate(self.slot(now) > self.slot(last_run_at), until_next)


class ZonedCrontab(crontab):
    """A crontab read in a given time zone, whichever Celery app (if any) it is attached to."""

    def __init__(self, expression: str, zone: ZoneInfo) -> None:
        minute, hour, day_of_month, month, day_of_week = expression.split()
        super().__init__(minute, hour, day_of_week, day_of_month, month)
        self.zone = zone
        self.expression = expression

    def __reduce__(self) -> tuple[type["ZonedCrontab"], tuple[str, ZoneInfo]]:
        return self.__class__, (self.expression, self.zone)

    @property
    def tz(self) -> ZoneInfo:  # type: ignore[override]  # celery-types says str; Celery uses tzinfo
        return self.zone


class NotificationSchedule:
    def __init__(self, settings: NotificationSettings) -> None:
        self._zone = ZoneInfo(settings.timezone)
        self.enabled = settings.enabled
        self.celery_schedule: AlignedInterval | ZonedCrontab
        if settings.schedule.isdigit():
            self.celery_schedule = AlignedInterval(int(settings.schedule))
        else:
            self.celery_schedule = ZonedCrontab(settings.schedule, self._zone)

    def tick_id(self, at: datetime) -> str:
        """The tick `at` belongs to: `i<period>-<slot>` for intervals; for a crontab, the UTC minute
        of its latest match at or before `at` (`c<YYYYmmddHHMM>`). So beat's fan-out and one started
        by hand later (without a tick) name the same tick: the one current at `at`."""
        if isinstance(self.celery_schedule, AlignedInterval):
            return f"i{self.celery_schedule.period}-{self.celery_schedule.slot(at)}"
        return "c" + self._latest_match(at).astimezone(UTC).strftime("%Y%m%d%H%M")

    def current_tick(self, now: datetime) -> str:
        """The tick a fan-out started at `now` (without a tick) belongs to. Beat's clock and the
        worker's may differ a little: a fan-out that beat sent for a new tick and that a worker runs a
        moment before it by its own clock still joins that tick (`CLOCK_GRACE`) instead of the last one
        (already sent, so it would be skipped)."""
        grace = CLOCK_GRACE
        if isinstance(self.celery_schedule, AlignedInterval):  # never a sizeable part of a short period
            grace = min(grace, timedelta(seconds=self.celery_schedule.period / 10))
        return self.tick_id(now + grace)

    def _latest_match(self, at: datetime) -> datetime:
        assert isinstance(self.celery_schedule, ZonedCrontab)
        next_minute = at.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        # cronsim in reverse: the latest match strictly before `next_minute`, in the zone's wall time.
        match: datetime = next(
            CronSim(self.celery_schedule.expression, next_minute.astimezone(self._zone), reverse=True)
        )
        return match

    def next_due(self, at: datetime) -> datetime:
        if isinstance(self.celery_schedule, AlignedInterval):
            period = self.celery_schedule.period
            return datetime.fromtimestamp((self.celery_schedule.slot(at) + 1) * period, UTC)
        # cronsim: the next match strictly after `at`, in the zone's wall time, across DST changes.
        due: datetime = next(CronSim(self.celery_schedule.expression, at.astimezone(self._zone)))
        return due.astimezone(UTC)

    def describe(self) -> str:
        if isinstance(self.celery_schedule, AlignedInterval):
            return f"every {self.celery_schedule.period} s"
        return f"cron '{self.celery_schedule.expression}' ({self._zone.key})"
