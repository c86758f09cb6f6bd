"""What a per-chat schedule is: when it runs (`ScheduleSpec`), what it runs and for which chat."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cronsim import CronSim, CronSimError

# The five cron fields in order, each with the values it allows (as cronsim reads them).
CRON_FIELDS: tuple[tuple[str, str], ...] = (
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31, on a day the month has"),
    ("month", "1-12 or JAN-DEC"),
    ("day-of-week", "0-7 or SUN-SAT, 0 and 7 are Sunday"),
)
EPOCH_START = datetime(2000, 1, 1)  # cronsim only needs some start to validate


class ScheduleKind(StrEnum):
    EVERY = "every"
    DAILY = "daily"
    CRON = "cron"


class InvalidCronError(ValueError):
    """A cron expression cronsim refuses: `field` names the bad one (or None for the field count)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_cron(expression: str) -> str:
    """The expression normalised (single spaces); raises InvalidCronError naming the bad field and its range.

    Both day fields restricted is accepted: cron (and cronsim) run when either matches."""
    fields = expression.split()
    if len(fields) != len(CRON_FIELDS):
        raise InvalidCronError(
            None,
            f"a cron expression has 5 fields (minute hour day-of-month month day-of-week), not {len(fields)}",
        )
    normalised = " ".join(fields)
    try:
        CronSim(normalised, EPOCH_START)
    except CronSimError as error:
        raise _field_error(str(error)) from None
    return normalised


def _field_error(message: str) -> InvalidCronError:
    for name, allowed in CRON_FIELDS:
        if name in message.lower():
            return InvalidCronError(name, f"bad {name} field: allowed {allowed}")
    return InvalidCronError(None, f"bad cron expression: {message}")


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """When a schedule runs. EVERY: `seconds`; DAILY and CRON: `expression`, 5 cron fields read in the
    chat's time zone (named so because `cron` is the constructor). `text`: what the user wrote after
    the command ("30m", "09:00", "0 9 * * 1-5")."""

    kind: ScheduleKind
    text: str
    seconds: int | None = None
    expression: str | None = None

    @classmethod
    def every(cls, seconds: int, text: str) -> "ScheduleSpec":
        if seconds < 1:
            raise ValueError("an interval is at least 1 second")
        return cls(ScheduleKind.EVERY, text, seconds=seconds)

    @classmethod
    def daily(cls, hour: int, minute: int) -> "ScheduleSpec":
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise ValueError("a time of day is HH:MM, 00:00 to 23:59")
        return cls(ScheduleKind.DAILY, f"{hour:02d}:{minute:02d}", expression=f"{minute} {hour} * * *")

    @classmethod
    def cron(cls, expression: str) -> "ScheduleSpec":
        normalised = parse_cron(expression)
        return cls(ScheduleKind.CRON, normalised, expression=normalised)

    def describe(self) -> str:
        """For people: "every 30m", "daily 09:00", "cron 0 9 * * 1-5"."""
        return f"{self.kind.value} {self.text}"


@dataclass(frozen=True, slots=True)
class Schedule:
    id: str
    chat_id: int
    chat_type: str
    spec: ScheduleSpec
    task: str
    args: tuple[str, ...]
    created_by: int


@dataclass(frozen=True, slots=True)
class Fire:
    """One run of a schedule: the fire time it is `due` for and when the run `started` (both UTC)."""

    schedule: Schedule
    due: datetime
    started: datetime


@dataclass(frozen=True, slots=True)
class NewSchedule:
    """One schedule for ScheduleStore.add_many (bulk seeding); `first_run` overrides the computed one."""

    chat_id: int
    spec: ScheduleSpec
    task: str
    chat_type: str = "private"
    args: tuple[str, ...] = ()
    created_by: int = 0
    first_run: datetime | None = None
