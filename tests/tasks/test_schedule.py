"""The notification schedule: tick ids, next due times, beat's view of it, and pickling, at fixed instants."""

import pickle
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.settings import NotificationSettings
from tasks.schedule import AlignedInterval, NotificationSchedule, ZonedCrontab

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YEAR = datetime(2025, 1, 1, tzinfo=UTC)  # 1735689600, a multiple of 300


def make(schedule: str, timezone: str = "UTC") -> NotificationSchedule:
    return NotificationSchedule(NotificationSettings(schedule=schedule, timezone=timezone))


def stopped(
    monkeypatch: pytest.MonkeyPatch, made: NotificationSchedule, now: datetime
) -> NotificationSchedule:
    """`made` with its Celery clock (beat's `now`, what callers pass as `at`) stopped at `now`."""
    monkeypatch.setattr(made.celery_schedule, "nowfun", lambda: now)
    return made


@pytest.mark.parametrize(
    ("at", "tick"),
    [
        (NEW_YEAR - timedelta(microseconds=1), "i300-5785631"),
        (NEW_YEAR, "i300-5785632"),
        (NEW_YEAR + timedelta(seconds=299), "i300-5785632"),
        (NEW_YEAR + timedelta(seconds=300), "i300-5785633"),
    ],
)
def test_interval_tick_is_the_epoch_slot(at: datetime, tick: str) -> None:
    assert make("300").tick_id(at) == tick


@pytest.mark.parametrize(
    ("schedule", "at", "due"),
    [
        ("300", NEW_YEAR - timedelta(seconds=1), NEW_YEAR),
        ("300", NEW_YEAR, NEW_YEAR + timedelta(seconds=300)),
        ("7", NEW_YEAR, NEW_YEAR + timedelta(seconds=6)),  # 1735689606 = 7 * 247955658
    ],
)
def test_interval_next_due_is_aligned_to_the_epoch(schedule: str, at: datetime, due: datetime) -> None:
    assert make(schedule).next_due(at) == due


@pytest.mark.parametrize(("last_run", "due"), [(NEW_YEAR - timedelta(seconds=1), True), (NEW_YEAR, False)])
def test_aligned_interval_is_due_once_per_slot(
    monkeypatch: pytest.MonkeyPatch, last_run: datetime, due: bool
) -> None:
    interval = stopped(monkeypatch, make("300"), NEW_YEAR + timedelta(seconds=0.5)).celery_schedule
    assert interval.is_due(last_run) == (due, 299.5)


@pytest.mark.parametrize(
    ("at", "tick"),
    [
        (datetime(2025, 7, 1, 9, 0, 42, tzinfo=BERLIN), "c202507010700"),
        (datetime(2025, 1, 1, 9, 0, tzinfo=BERLIN), "c202501010800"),
        (datetime(2025, 1, 1, 8, 59, 59, tzinfo=BERLIN), "c202412310800"),  # not due yet: yesterday's
        pytest.param(datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC), "c202512310800", id="hours-later"),
        pytest.param(datetime(2025, 3, 30, 12, 0, tzinfo=UTC), "c202503300700", id="after-dst-change"),
    ],
)
def test_crontab_tick_is_the_utc_minute_of_the_latest_match(at: datetime, tick: str) -> None:
    """Beat's fan-out (in the due minute) and a fan-out started by hand hours later, without a tick,
    name the same tick: the hand-started one joins the current round instead of sending a new one."""
    assert make("0 9 * * *", "Europe/Berlin").tick_id(at) == tick


@pytest.mark.parametrize(
    ("schedule", "due"), [("300", NEW_YEAR), ("0 9 * * *", datetime(2025, 1, 1, 9, tzinfo=UTC))]
)
def test_a_worker_a_moment_behind_beat_joins_the_new_tick(schedule: str, due: datetime) -> None:
    made = make(schedule)
    assert made.current_tick(due - timedelta(seconds=1.5)) == made.tick_id(due)
    assert made.current_tick(due - timedelta(seconds=3)) != made.tick_id(due)


def test_the_grace_is_a_small_part_of_a_short_interval() -> None:
    every_second = make("1")
    assert every_second.current_tick(NEW_YEAR - timedelta(seconds=0.05)) == every_second.tick_id(NEW_YEAR)
    assert every_second.current_tick(NEW_YEAR - timedelta(seconds=0.5)) != every_second.tick_id(NEW_YEAR)


@pytest.mark.parametrize("schedule", ["300", "0 9 * * *"])
def test_two_processes_name_the_same_tick(schedule: str) -> None:
    at = datetime(2025, 7, 1, 7, 0, 5, tzinfo=UTC)
    beat, other_beat = make(schedule, "Europe/Berlin"), make(schedule, "Europe/Berlin")
    assert beat.tick_id(at) == other_beat.tick_id(at.astimezone(BERLIN))
    assert beat.tick_id(at) != other_beat.tick_id(at + timedelta(days=1))


def test_every_crontab_match_is_a_tick_of_its_own() -> None:
    quarter = make("*/15 * * * *", "Asia/Kolkata")  # UTC+05:30
    at = datetime(2025, 7, 1, 7, 0, 5, tzinfo=UTC)
    ticks = [quarter.tick_id(at + timedelta(minutes=m)) for m in (0, 14, 15, 29, 30)]
    assert ticks == ["c202507010700", "c202507010700", "c202507010715", "c202507010715", "c202507010730"]


@pytest.mark.parametrize(
    ("at", "due"),
    [
        (datetime(2025, 1, 15, 12, 0, tzinfo=UTC), datetime(2025, 1, 16, 8, 0, tzinfo=UTC)),
        (datetime(2025, 1, 15, 7, 59, 59, 999999, tzinfo=UTC), datetime(2025, 1, 15, 8, 0, tzinfo=UTC)),
        (datetime(2025, 1, 15, 8, 0, tzinfo=UTC), datetime(2025, 1, 16, 8, 0, tzinfo=UTC)),
        (datetime(2025, 7, 1, 12, 0, tzinfo=UTC), datetime(2025, 7, 2, 7, 0, tzinfo=UTC)),
        pytest.param(
            datetime(2025, 3, 29, 12, 0, tzinfo=UTC),  # 13:00 CET; clocks go forward that night
            datetime(2025, 3, 30, 7, 0, tzinfo=UTC),  # 09:00 CEST
            id="across-dst",
        ),
        pytest.param(
            datetime(2025, 10, 25, 12, 0, tzinfo=UTC),  # 14:00 CEST; clocks go back that night
            datetime(2025, 10, 26, 8, 0, tzinfo=UTC),  # 09:00 CET
            id="across-dst-back",
        ),
    ],
)
def test_crontab_next_due_is_read_in_the_zone(
    monkeypatch: pytest.MonkeyPatch, at: datetime, due: datetime
) -> None:
    assert stopped(monkeypatch, make("0 9 * * *", "Europe/Berlin"), at).next_due(at) == due


def test_crontab_next_due_is_a_whole_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    at = datetime(2025, 1, 1, 0, 1, 7, 123456, tzinfo=UTC)  # 05:31:07 in Kolkata (UTC+05:30)
    due = stopped(monkeypatch, make("*/15 * * * *", "Asia/Kolkata"), at).next_due(at)
    assert due == datetime(2025, 1, 1, 0, 15, tzinfo=UTC)


def test_crontab_next_due_counts_from_the_given_instant() -> None:
    at = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    assert make("0 9 * * *", "UTC").next_due(at) == datetime(2025, 1, 16, 9, 0, tzinfo=UTC)


def test_describe() -> None:
    assert make("300").describe() == "every 300 s"
    assert make("0 9 * * 1-5", "Europe/Berlin").describe() == "cron '0 9 * * 1-5' (Europe/Berlin)"


def test_interval_survives_pickling() -> None:
    copy = pickle.loads(pickle.dumps(AlignedInterval(300)))
    assert type(copy) is AlignedInterval
    assert (copy.period, copy.seconds) == (300, 300)


def test_crontab_survives_pickling() -> None:
    original = ZonedCrontab("0 9 * * 1-5", BERLIN)
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is ZonedCrontab
    assert (copy.expression, copy.zone, copy.tz) == ("0 9 * * 1-5", BERLIN, BERLIN)
    assert copy == original  # Celery compares the parsed fields: minute, hour, days, months
    assert copy != ZonedCrontab("0 9 * * 1-4", BERLIN)
