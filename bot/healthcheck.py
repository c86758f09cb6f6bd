"""`python -m bot.healthcheck`, the bot's container healthcheck: exits 0 while BOT_HEARTBEAT_FILE (touched
by the polling bot after every getUpdates, bot/heartbeat.py) is younger than BOT_HEARTBEAT_MAX_AGE
seconds, else 1 with one line saying why. A long poll returns at least every polling timeout (10 s), so a
stale file means the bot is not polling: stuck, or cut off from the Bot API. Imports no aiogram: it is
run every 30 s."""

import sys
import time
from pathlib import Path

from core.settings import BotSettings
from core.settings_loader import ConfigurationError, load_settings


def problem(path: Path, max_age: float, now: float) -> str | None:
    """Why the bot is not healthy, or None."""
    try:
        age = now - path.stat().st_mtime
    except FileNotFoundError:
        return f"unhealthy: {path} does not exist (the bot has not polled yet)"
    if age > max_age:
        return f"unhealthy: the bot last polled {age:.0f} s ago (limit {max_age:.0f} s)"
    return None


def main() -> None:
    try:
        settings = load_settings(BotSettings)
    except ConfigurationError as exc:
        sys.exit(str(exc))
    if settings.heartbeat_file is None:
        sys.exit("unhealthy: BOT_HEARTBEAT_FILE is not set, so the bot keeps no heartbeat")
    sys.exit(problem(settings.heartbeat_file, settings.heartbeat_max_age, time.time()))


if __name__ == "__main__":
    main()
