"""The schedule replies as text: times in the chat's zone, user text escaped and cut, a listing that fits."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.schedules.rendering import at, listing, plural, what
from core.schedules.model import Schedule, ScheduleSpec

NOON = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def schedule(n: int = 1, args: tuple[str, ...] = ()) -> Schedule:
    return Schedule(f"id{n:03d}", 7, "private", ScheduleSpec.every(60, "1m"), "ping", args, 42)


def test_times_are_shown_in_the_chats_zone_with_its_name() -> None:
    assert at(NOON, ZoneInfo("UTC")) == "2026-07-01 12:00:00 UTC"
    assert at(NOON, ZoneInfo("Europe/Berlin")) == "2026-07-01 14:00:00 CEST (Europe/Berlin)"
    assert at(NOON, ZoneInfo("Asia/Kolkata")) == "2026-07-01 17:30:00 IST (Asia/Kolkata)"


def test_arguments_are_escaped_and_cut_short() -> None:
    assert what(schedule(args=("<b>", "&"))) == "every 1m — ping &lt;b&gt; &amp;"
    assert len(what(schedule(args=("x" * 1000,)))) < 100


def test_a_long_listing_fits_one_message_and_says_how_many_are_left_out() -> None:
    many = [(schedule(n, ("y" * 60,)), NOON) for n in range(200)]
    text = listing(many, ZoneInfo("UTC"))
    assert len(text) <= 4096
    shown = len(text.splitlines()) - 2  # the heading and the "more" line
    assert text.splitlines()[-1] == f"… and {200 - shown} more"
    assert listing(many[:3], ZoneInfo("UTC")).count("\n") == 3  # short ones whole


def test_plural() -> None:
    assert (plural(1, "schedule"), plural(0, "schedule"), plural(3, "schedule")) == (
        "1 schedule", "0 schedules", "3 schedules"
    )  # fmt: skip
