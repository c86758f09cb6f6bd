"""Checks of setting values that other libraries would otherwise fail on later, deep in a traceback.

Each raises ValueError with a message safe to print: it names what is wrong, never the value itself.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from celery.schedules import crontab
from cronsim import CronSim, CronSimError


def check_redis_url_parts(url: str) -> None:
    """The parts redis-py and kombu would choke on later, named without echoing the URL."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise ValueError("has an invalid host or port (the port must be a number 0-65535)") from None
    database = parts.path.strip("/")
    if parts.scheme != "unix" and database and not database.isdigit():
        raise ValueError("has an invalid database number (the path must be /0, /1, ...)")


def check_crontab(expression: str) -> None:
    """Both readers of the schedule must accept it, and mean the same: Celery's crontab (beat) and
    cronsim (/status, tick names). With both day fields restricted Celery wants both to match and cron
    (cronsim) either, so such an expression is refused rather than read two ways."""
    minute, hour, day_of_month, month, day_of_week = expression.split()
    if day_of_month != "*" and day_of_week != "*":
        raise ValueError(
            "is not a valid crontab here: restrict the day of the month or the day of the week, not both"
        )
    try:
        crontab(minute, hour, day_of_week, day_of_month, month)
        next(CronSim(expression, datetime.now(UTC)))
    except (ValueError, CronSimError, StopIteration) as exc:
        raise ValueError(f"is not a valid crontab: {exc}") from None
