"""Every form of /every, /daily, /cron, /cancel and /timezone, and every refusal line (pure functions)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.schedules.arguments import ALL, parse_cancel, parse_zone
from bot.schedules.parsing import (
    MAX_INTERVAL,
    InputError,
    ScheduleRequest,
    describe,
    parse_cron,
    parse_daily,
    parse_every,
    shortest_gap,
)
from core.schedules.model import ScheduleKind

EVERY_FORM = "Usage: /every <N><s|m|h|d> <task> [args], e.g. /every 30m ping"
DAILY_FORM = "Usage: /daily <HH:MM> <task> [args], e.g. /daily 09:00 report"
CRON_FORM = (
    "Usage: /cron <minute> <hour> <day-of-month> <month> <day-of-week> <task> [args], "
    "e.g. /cron 0 9 * * 1-5 report"
)


def no_arguments(name: str) -> Callable[[list[str]], tuple[Any, ...]]:
    def parse(args: list[str]) -> tuple[Any, ...]:
        if args:
            raise ValueError(f"{name} takes no arguments")
        return ()

    return parse


@dataclass(frozen=True)
class Declared:
    parse_args: Callable[[list[str]], tuple[Any, ...]]
    summary: str = "a test task"


def one_word(args: list[str]) -> tuple[Any, ...]:
    if len(args) != 1:
        raise ValueError("greet takes one word, e.g. greet Ada")
    return (args[0],)


TASKS = {"ping": Declared(no_arguments("ping")), "report": Declared(no_arguments("report")),
         "greet": Declared(one_word)}  # fmt: skip
UNKNOWN = "Schedulable tasks: greet (a test task), ping (a test task), report (a test task)."


def every(text: str | None, min_interval: int = 60) -> ScheduleRequest:
    return parse_every(text, TASKS, min_interval)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m ping", 1800), ("1h report", 3600), ("60s ping", 60), ("2d ping", 172800), ("366d ping", 31622400)],
)
def test_every_reads_the_interval_and_the_task(text: str, seconds: int) -> None:
    request = every(text)
    assert (request.spec.kind, request.spec.seconds, request.spec.text) == (
        ScheduleKind.EVERY, seconds, text.split(maxsplit=1)[0]
    )  # fmt: skip
    assert (request.task, request.args) == (text.split()[1], ())


def test_task_names_are_read_in_any_case_and_arguments_kept_as_written() -> None:
    assert every("1h PING").task == "ping"
    request = every("10m greet Ada", min_interval=5)
    assert (request.task, request.args) == ("greet", ("Ada",))


def test_the_minimum_interval_is_a_parameter() -> None:
    assert every("5s ping", min_interval=5).spec.seconds == 5
    with pytest.raises(InputError) as refused:
        every("4s ping", min_interval=5)
    assert str(refused.value) == f"Every 4s is too often: the shortest interval here is 5s. {EVERY_FORM}"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (None, EVERY_FORM),
        ("", EVERY_FORM),
        ("30m", EVERY_FORM),
        ("ping", EVERY_FORM),
        ("30x ping", f"“30x” is not an interval: write a number and s, m, h or d. {EVERY_FORM}"),
        ("m ping", f"“m” is not an interval: write a number and s, m, h or d. {EVERY_FORM}"),
        ("1.5h ping", f"“1.5h” is not an interval: write a number and s, m, h or d. {EVERY_FORM}"),
        ("-5m ping", f"“-5m” is not an interval: write a number and s, m, h or d. {EVERY_FORM}"),
        ("10s ping", f"Every 10s is too often: the shortest interval here is 1m. {EVERY_FORM}"),
        ("0m ping", f"Every 0m is too often: the shortest interval here is 1m. {EVERY_FORM}"),
        ("367d ping", f"Every 367d is too long: the longest interval is 366d. {EVERY_FORM}"),
        ("30m pong", f"Unknown task “pong”. {UNKNOWN} {EVERY_FORM}"),
        ("30m ping now", f"ping takes no arguments. {EVERY_FORM}"),
        ("30m greet", f"greet takes one word, e.g. greet Ada. {EVERY_FORM}"),
    ],
)
def test_every_refuses_with_one_line(text: str | None, line: str) -> None:
    with pytest.raises(InputError) as refused:
        every(text)
    assert str(refused.value) == line
    assert "\n" not in line


@pytest.mark.parametrize(
    ("text", "at", "cron"),
    [("09:00 report", "09:00", "0 9 * * *"), ("9:30 ping", "09:30", "30 9 * * *"),
     ("00:00 ping", "00:00", "0 0 * * *"), ("23:59 ping", "23:59", "59 23 * * *")],
)  # fmt: skip
def test_daily_reads_the_time_of_day(text: str, at: str, cron: str) -> None:
    request = parse_daily(text, TASKS)
    assert (request.spec.kind, request.spec.text, request.spec.expression) == (ScheduleKind.DAILY, at, cron)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (None, DAILY_FORM),
        ("09:00", DAILY_FORM),
        ("24:00 ping", f"“24:00” is not a time of day: write HH:MM, 00:00 to 23:59. {DAILY_FORM}"),
        ("09:60 ping", f"“09:60” is not a time of day: write HH:MM, 00:00 to 23:59. {DAILY_FORM}"),
        ("9am ping", f"“9am” is not a time of day: write HH:MM, 00:00 to 23:59. {DAILY_FORM}"),
        ("09:00 nope", f"Unknown task “nope”. {UNKNOWN} {DAILY_FORM}"),
    ],
)
def test_daily_refuses_with_one_line(text: str | None, line: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_daily(text, TASKS)
    assert str(refused.value) == line


@pytest.mark.parametrize(
    "text", ["0 9 * * 1-5 report", "*/15 * * * * ping", "0 0 1 1 * ping", "30 8 1,15 * mon ping"]
)
def test_cron_reads_five_fields_then_the_task(text: str) -> None:
    request = parse_cron(text, TASKS)
    expression = " ".join(text.split()[:5])
    assert (request.spec.kind, request.spec.text, request.spec.expression) == (
        ScheduleKind.CRON,
        expression,
        expression,
    )
    assert request.task == text.split()[5]


@pytest.mark.parametrize("text", [None, "0 9 * * 1-5", "0 9 * * report"])
def test_cron_without_five_fields_and_a_task_answers_its_usage(text: str | None) -> None:
    with pytest.raises(InputError) as refused:
        parse_cron(text, TASKS)
    assert str(refused.value) == CRON_FORM


@pytest.mark.parametrize(
    ("text", "field"),
    [("61 9 * * * ping", "minute"), ("0 24 * * * ping", "hour"), ("0 9 32 * * ping", "day-of-month"),
     ("0 9 * 13 * ping", "month"), ("0 9 * * 8 ping", "day-of-week"), ("x 9 * * * ping", "minute")],
)  # fmt: skip
def test_a_bad_cron_field_is_named(text: str, field: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_cron(text, TASKS)
    line = str(refused.value)
    assert line.startswith(f"Bad {field} field: allowed ")
    assert line.endswith(CRON_FORM)


def test_cron_checks_the_task_too() -> None:
    with pytest.raises(InputError) as refused:
        parse_cron("0 9 * * 1-5 reprot", TASKS)
    assert str(refused.value) == f"Unknown task “reprot”. {UNKNOWN} {CRON_FORM}"


def test_user_text_quoted_in_a_refusal_is_cut_short() -> None:
    with pytest.raises(InputError) as refused:
        every("30m " + "x" * 500)
    assert len(str(refused.value)) < 250


CANCEL_FORM = "Usage: /cancel <id>|all, e.g. /cancel k3x9a (/schedules lists the ids) or /cancel all"


@pytest.mark.parametrize(
    ("text", "target"), [("k3x9a", "k3x9a"), ("K3X9A", "k3x9a"), ("all", ALL), ("ALL", ALL)]
)
def test_cancel_takes_an_id_or_all(text: str, target: str) -> None:
    assert parse_cancel(text) == target


@pytest.mark.parametrize(
    ("text", "line"),
    [(None, CANCEL_FORM), ("", CANCEL_FORM), ("a b", CANCEL_FORM),
     ("<b>", f"“<b>” is not a schedule id. {CANCEL_FORM}")],
)  # fmt: skip
def test_cancel_refuses_with_one_line(text: str | None, line: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_cancel(text)
    assert str(refused.value) == line


@pytest.mark.parametrize(
    ("text", "zone"),
    [("Europe/Berlin", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"), (" UTC ", "UTC"),
     ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires")],
)  # fmt: skip
def test_a_time_zone_is_an_iana_name_in_any_case(text: str, zone: str) -> None:
    assert parse_zone(text) == ZoneInfo(zone)


@pytest.mark.parametrize(
    "text", ["Mars/Olympus", "Berlin", "../../etc/passwd", "Europe/Berlin now", "CEST+1"]
)
def test_an_unknown_time_zone_is_refused(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_zone(text)
    assert str(refused.value) == f"Unknown time zone “{text}”. Use an IANA name, e.g. /timezone Europe/Berlin"


@pytest.mark.parametrize(
    ("seconds", "text"), [(60, "1m"), (90, "90s"), (3600, "1h"), (86400, "1d"), (5, "5s")]
)
def test_intervals_are_described_as_typed(seconds: int, text: str) -> None:
    assert describe(seconds) == text


@pytest.mark.parametrize(
    ("expression", "gap"),
    [("* * * * *", 60), ("*/5 * * * *", 300), ("0 9 * * 1-5", 86400), ("0,59 0,23 * * *", 60),
     ("0 0 1 1 *", 31536000 * 10), ("30 8 * * 1,3", 172800)],
)  # fmt: skip
def test_the_shortest_gap_of_a_cron_expression(expression: str, gap: int) -> None:
    assert shortest_gap(expression) == min(gap, MAX_INTERVAL)


def test_cron_runs_closer_than_the_minimum_interval_are_refused() -> None:
    assert parse_cron("*/5 * * * * ping", TASKS, min_interval=300).spec.text == "*/5 * * * *"
    with pytest.raises(InputError) as refused:
        parse_cron("*/2 9-17 * * * ping", TASKS, min_interval=300)
    assert str(refused.value) == (
        f"“*/2 9-17 * * *” runs as often as every 2m: the shortest interval here is 5m. {CRON_FORM}"
    )
