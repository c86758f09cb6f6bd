"""The replies about schedules, as HTML (every piece of user text escaped): times in the chat's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.text_decorations import html_decoration

from bot.texts import clean
from core.schedules.model import Schedule

quote = html_decoration.quote
LISTING_LIMIT = 3800  # characters of a /schedules reply; Telegram takes 4,096


def at(when: datetime, zone: ZoneInfo) -> str:
    """`when` in the chat's zone: "2026-11-25 21:30:00 CET (Europe/Berlin)", "… 20:30:00 UTC"."""
    local = when.astimezone(zone)
    text = f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"
    return text if local.tzname() == zone.key else f"{text} ({zone.key})"


def what(schedule: Schedule) -> str:
    """What runs when: "every 30m — ping", "cron 0 9 * * 1-5 — greet Ada" (long arguments cut short)."""
    return quote(f"{schedule.spec.describe()} — {clean(' '.join((schedule.task, *schedule.args)))}")


def created(schedule: Schedule, first_run: datetime, zone: ZoneInfo) -> str:
    return (
        f"Scheduled {quote(schedule.id)}: {what(schedule)}. First run: {at(first_run, zone)}. "
        f"Remove it with /cancel {quote(schedule.id)}."
    )


def listing(schedules: list[tuple[Schedule, datetime]], zone: ZoneInfo) -> str:
    if not schedules:
        return "No schedules in this chat. Create one, e.g. /every 30m ping or /daily 09:00 report."
    lines = [f"Schedules in this chat (time zone {quote(zone.key)}):"]
    for shown, (schedule, due) in enumerate(schedules):
        line = f"{quote(schedule.id)} — {what(schedule)} — next {at(due, zone)}"
        if sum(map(len, lines)) + len(line) > LISTING_LIMIT:  # HTML is longer than what Telegram counts
            lines.append(f"… and {len(schedules) - shown} more")
            break
        lines.append(line)
    return "\n".join(lines)


def plural(count: int, noun: str) -> str:
    """`count` `noun`s in English: 1 schedule, 3 schedules."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
