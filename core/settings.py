"""Settings, one class per concern, each read from the environment (and `.env`) with its own prefix."""

import re
from pathlib import Path
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.setting_checks import check_crontab, check_redis_url_parts

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


# Docker/compose secrets: a file named like the variable (`/run/secrets/telegram_bot_token`) holds its value
# when the environment and .env do not. Read only where the directory exists (in a container).
SECRETS_DIR = Path("/run/secrets")


def settings_config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_ignore_empty=True,  # `TELEGRAM_BOT_TOKEN=` (as in .env.example) is unset, not an empty token
        secrets_dir=SECRETS_DIR if SECRETS_DIR.is_dir() else None,
    )  # fmt: skip


class RedisSettings(BaseSettings):
    """`REDIS_*`: the Redis server used as Celery broker, result backend and project store."""

    model_config = settings_config("REDIS_")

    url: SecretStr
    socket_timeout: float = Field(default=3.0, gt=0)
    socket_connect_timeout: float = Field(default=3.0, gt=0)
    health_check_interval: int = Field(default=25, ge=0)
    max_connections: int = Field(default=32, ge=2, le=10_000)

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        check_redis_url_parts(url)
        return value


class TelegramSettings(BaseSettings):
    """`TELEGRAM_*`: how the bot and the workers reach the Bot API."""

    model_config = settings_config("TELEGRAM_")

    bot_token: SecretStr
    api_base_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    request_timeout: float = Field(default=30.0, gt=0)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token (expected <digits>:<secret> from @BotFather)")
        return value

    @property
    def api_base(self) -> str:
        return str(self.api_base_url).rstrip("/")


class LogSettings(BaseSettings):
    """`LOG_*`: structured logging."""

    model_config = settings_config("LOG_")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["console", "json"] = "console"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class CelerySettings(BaseSettings):
    """`CELERY_*`: the reliability knobs of the Celery app (seconds unless named otherwise)."""

    model_config = settings_config("CELERY_")

    visibility_timeout: int = Field(default=3600, ge=60)
    task_soft_time_limit: int = Field(default=240, gt=0)
    task_time_limit: int = Field(default=300, gt=0)
    result_expires: int = Field(default=3600, gt=0)
    publish_max_retries: int = Field(default=2, ge=0)

    @model_validator(mode="after")
    def _limits_below_visibility(self) -> Self:
        if self.task_soft_time_limit >= self.task_time_limit:
            raise ValueError("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT")
        if self.task_time_limit >= self.visibility_timeout:
            raise ValueError("CELERY_TASK_TIME_LIMIT must be below CELERY_VISIBILITY_TIMEOUT")
        return self


class BotSettings(BaseSettings):
    """`BOT_*`: how the bot front-end waits for the workers."""

    model_config = settings_config("BOT_")

    task_timeout: float = Field(default=10.0, gt=0)
    dispatch_timeout: float = Field(default=3.0, gt=0)
    # Touched after every getUpdates answered; `python -m bot.healthcheck` checks its age.
    heartbeat_file: Path | None = None
    heartbeat_max_age: float = Field(default=60.0, gt=0)
    mode: Literal["polling", "webhook"] = "polling"
    # Updates handled at once; the rest wait in Telegram (long polling takes no more meanwhile).
    max_concurrent_updates: int = Field(default=64, ge=1, le=10_000)
    # An interactive command whose Celery queue is longer than this is answered "busy" at once.
    queue_max_depth: int = Field(default=500, ge=0)


class DeliverySettings(BaseSettings):
    """`DELIVERY_*`: Telegram's flood limits, held across all worker processes together."""

    model_config = settings_config("DELIVERY_")

    global_per_second: float = Field(default=30, gt=0)
    chat_per_second: float = Field(default=1, gt=0)
    group_per_minute: float = Field(default=20, gt=0)
    chunk_size: int = Field(default=100, ge=1, le=1000)
    concurrency: int = Field(default=16, ge=1, le=256)
    max_retries: int = Field(default=5, ge=0)
    ledger_ttl: int = Field(default=7200, ge=60)


class NotificationSettings(BaseSettings):
    """`NOTIFICATIONS_*`: the scheduled chat notification (a health report by default)."""

    model_config = settings_config("NOTIFICATIONS_")

    enabled: bool = True
    schedule: str = "300"
    timezone: str = "UTC"

    @field_validator("schedule")
    @classmethod
    def _schedule_shape(cls, value: str) -> str:
        value = value.strip()
        if value.isdigit():
            if int(value) < 1:
                raise ValueError("must be a number of seconds ≥ 1 or a crontab like '0 9 * * *'")
            return value
        if len(value.split()) != 5:
            raise ValueError("must be seconds (e.g. 300) or a 5-field crontab (e.g. '0 9 * * *')")
        check_crontab(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known IANA time zone (e.g. UTC, Europe/Berlin)") from None
        return value


class SchedulesSettings(BaseSettings):
    """`SCHEDULES_*`: per-chat schedules (/every, /daily, /cron) and the engine inside beat (seconds)."""

    model_config = settings_config("SCHEDULES_")

    min_interval: int = Field(default=60, ge=1)
    max_per_chat: int = Field(default=10, ge=1, le=1000)
    default_timezone: str = "UTC"
    # A run later than this (an outage) fires once and the schedule moves on from now.
    grace: int = Field(default=60, ge=0)
    # A claimed batch not advanced within this (its beat died) is claimed again by any beat.
    lease: int = Field(default=30, ge=1)
    batch: int = Field(default=500, ge=1, le=10_000)
    fire_chunk: int = Field(default=100, ge=1, le=1000)
    # Longest sleep of the engine between two looks at the due set: how soon a new schedule is seen.
    poll_interval: float = Field(default=1.0, gt=0, le=60)
    # A run still queued this long after it was published is dropped (Telegram's 30 msg/s: big due sets
    # take minutes to deliver).
    fire_expires: int = Field(default=3600, ge=10)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known IANA time zone (e.g. UTC, Europe/Berlin)") from None
        return value
