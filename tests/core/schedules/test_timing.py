"""Next runs with an injected clock: intervals keep their phase, cron runs in the chat's zone, DST rules."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.schedules.model import InvalidCronError, ScheduleSpec
from core.schedules.timing import following_fire, next_fire

BERLIN = ZoneInfo("Europe/Berlin")
GRACE = timedelta(seconds=60)


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_every_runs_first_after_creation_then_keeps_its_phase() -> None:
    spec = ScheduleSpec.every(1800, "30m")
    first = next_fire(spec, BERLIN, utc(2026, 1, 5, 10, 0, 7))
    assert first == utc(2026, 1, 5, 10, 30, 7)
    # fired 20 s late: the next run stays on the grid (no drift)
    late = first + timedelta(seconds=20)
    assert following_fire(spec, BERLIN, first, late, GRACE) == utc(2026, 1, 5, 11, 0, 7)


def test_daily_runs_in_the_chat_zone() -> None:
    spec = ScheduleSpec.daily(9, 0)
    assert next_fire(spec, BERLIN, utc(2026, 1, 5, 7, 59)) == utc(2026, 1, 5, 8, 0)  # CET, UTC+1
    assert next_fire(spec, BERLIN, utc(2026, 7, 6, 7, 0)) == utc(2026, 7, 7, 7, 0)  # CEST: 07:00 UTC
    assert next_fire(spec, ZoneInfo("UTC"), utc(2026, 1, 5, 7, 59)) == utc(2026, 1, 5, 9, 0)


def test_weekdays_cron() -> None:
    spec = ScheduleSpec.cron("0 9 * * 1-5")
    friday_after = utc(2026, 1, 9, 8, 30)  # 09:30 Berlin on a Friday
    assert next_fire(spec, BERLIN, friday_after) == utc(2026, 1, 12, 8, 0)  # Monday 09:00 Berlin


def test_spring_forward_a_missing_time_runs_at_the_next_valid_minute() -> None:
    spec = ScheduleSpec.daily(2, 30)  # 2026-03-29: Berlin jumps 02:00 → 03:00
    run = next_fire(spec, BERLIN, utc(2026, 3, 28, 23, 0))
    assert run == utc(2026, 3, 29, 1, 0)
    assert run.astimezone(BERLIN).strftime("%H:%M %Z") == "03:00 CEST"
    assert next_fire(spec, BERLIN, run) == utc(2026, 3, 30, 0, 30)  # back to 02:30 the next day


def test_fall_back_an_ambiguous_time_runs_once() -> None:
    spec = ScheduleSpec.daily(2, 30)  # 2026-10-25: Berlin goes 03:00 → 02:00, 02:30 happens twice
    runs, at = [], utc(2026, 10, 24, 12, 0)
    while at < utc(2026, 10, 26, 12, 0):
        at = next_fire(spec, BERLIN, at)
        runs.append(at)
    assert runs[:2] == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    # asked from inside the repeated hour (02:10 CET, after the first 02:30): not again that night
    assert next_fire(spec, BERLIN, utc(2026, 10, 25, 1, 10)) == utc(2026, 10, 26, 1, 30)


def test_a_run_missed_beyond_grace_fires_once_and_moves_on_from_now() -> None:
    every = ScheduleSpec.every(600, "10m")
    due, now = utc(2026, 1, 5, 10, 0), utc(2026, 1, 5, 13, 7)  # a 3 h outage: 18 slots missed
    assert following_fire(every, BERLIN, due, now, GRACE) == now + timedelta(minutes=10)
    daily = ScheduleSpec.daily(9, 0)
    missed, now = utc(2026, 1, 5, 8, 0), utc(2026, 1, 7, 12, 0)
    assert following_fire(daily, BERLIN, missed, now, GRACE) == utc(2026, 1, 8, 8, 0)


def test_a_run_late_within_grace_keeps_the_schedule() -> None:
    spec = ScheduleSpec.cron("*/5 * * * *")
    due = utc(2026, 1, 5, 10, 0)
    assert following_fire(spec, BERLIN, due, due + timedelta(seconds=59), GRACE) == utc(2026, 1, 5, 10, 5)


@pytest.mark.parametrize(
    ("expression", "field", "allowed"),
    [
        ("61 9 * * *", "minute", "0-59"),
        ("0 24 * * *", "hour", "0-23"),
        ("0 9 0 * *", "day-of-month", "1-31"),
        ("0 9 30 2 *", "day-of-month", "1-31"),
        ("0 9 * 13 *", "month", "1-12"),
        ("0 9 * * 8", "day-of-week", "0-7"),
        ("x 9 * * *", "minute", "0-59"),
    ],
)
def test_a_bad_cron_field_is_named_with_its_range(expression: str, field: str, allowed: str) -> None:
    with pytest.raises(InvalidCronError) as caught:
        ScheduleSpec.cron(expression)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert allowed in str(caught.value)


def test_cron_wants_five_fields_and_accepts_both_day_fields() -> None:
    with pytest.raises(InvalidCronError, match="5 fields"):
        ScheduleSpec.cron("0 9 * *")
    spec = ScheduleSpec.cron("0  9 1 * 1")  # cron ORs the day fields: the 1st and every Monday
    assert spec.expression == spec.text == "0 9 1 * 1"
    assert next_fire(spec, ZoneInfo("UTC"), utc(2026, 1, 1, 10, 0)) == utc(2026, 1, 5, 9, 0)


def test_daily_text_and_bad_times() -> None:
    assert ScheduleSpec.daily(7, 5).text == "07:05"
    with pytest.raises(ValueError, match="HH:MM"):
        ScheduleSpec.daily(24, 0)
