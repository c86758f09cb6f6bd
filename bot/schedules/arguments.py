"""The arguments of /cancel and /timezone, read by pure functions (refusals: `InputError`, one line)."""

import re
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from bot.commands import CANCEL
from bot.schedules.parsing import InputError
from bot.texts import clean

ALL: Literal["all"] = "all"
SCHEDULE_ID = re.compile(r"[a-z0-9]{1,16}")
CANCEL_FORM = f"Usage: {CANCEL.usage}, e.g. /cancel k3x9a (/schedules lists the ids) or /cancel all"
ZONE_FORM = "Use an IANA name, e.g. /timezone Europe/Berlin"


def parse_cancel(text: str | None) -> str:
    """A schedule id as /schedules shows it, or `ALL`."""
    words = (text or "").split()
    if len(words) != 1:
        raise InputError(CANCEL_FORM)
    word = words[0].lower()
    if word != ALL and SCHEDULE_ID.fullmatch(word) is None:
        raise InputError(f"“{clean(words[0])}” is not a schedule id. {CANCEL_FORM}")
    return word


def parse_zone(text: str) -> ZoneInfo:
    """An IANA time zone name, in any letter case ("europe/berlin" is Europe/Berlin)."""
    words = text.split()
    name = _zone_names().get(words[0].lower()) if len(words) == 1 else None
    if name is None:
        raise InputError(f"Unknown time zone “{clean(text.strip())}”. {ZONE_FORM}")
    return ZoneInfo(name)


@cache
def _zone_names() -> dict[str, str]:
    """Every zone the system's tz database knows, by its lower-cased name (read once per process)."""
    return {name.lower(): name for name in available_timezones()}
