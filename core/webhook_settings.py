"""`WEBHOOK_*`: the bot's webhook mode (`BOT_MODE=webhook`), read only by the webhook's parts."""

import re

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

from core.settings import settings_config
from core.settings_loader import ConfigurationError

# Telegram allows 1-256 characters; fewer than 16 can be guessed, and could not be redacted from logs.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class WebhookSettings(BaseSettings):
    """`WEBHOOK_*`: webhook mode (`BOT_MODE=webhook`): where a replica listens, what Telegram is told."""

    model_config = settings_config("WEBHOOK_")

    host: str = "0.0.0.0"  # noqa: S104  # a replica listens behind the proxy, in its container
    port: int = Field(default=8080, ge=1, le=65535)
    path: str = "/telegram/webhook"
    url: AnyHttpUrl | None = None  # the public address `python -m bot webhook set` registers
    secret: SecretStr | None = None
    max_connections: int = Field(default=40, ge=1, le=100)  # Telegram's, over all replicas
    claim_ttl: int = Field(default=86_400, ge=60)  # Telegram keeps an undelivered update for 24 h
    claim_lease: float = Field(default=120.0, gt=0)  # a claim whose replica died frees up after this
    shutdown_timeout: float = Field(default=25.0, gt=0)

    @field_validator("url", "secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError(
                "must be 16-256 characters of A-Z, a-z, 0-9, _ and - (e.g. openssl rand -hex 32)"
            )
        return value

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    def secret_token(self) -> str:
        """The secret, required in webhook mode: a missing one is a one-line configuration error."""
        if self.secret is None:
            raise ConfigurationError(
                "configuration error: WEBHOOK_SECRET is required when BOT_MODE=webhook (see .env.example)"
            )
        return self.secret.get_secret_value()

    def public_url(self) -> str:
        if self.url is None:
            raise ConfigurationError(
                "configuration error: WEBHOOK_URL is required to register the webhook (see .env.example)"
            )
        return str(self.url)
