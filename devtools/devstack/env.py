"""What `make dev` reads from the environment (and `.env`), and the ports and data folder it uses."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from devtools.ports import free_port, port_is_free

ROOT = Path(__file__).resolve().parents[2]


class DevstackError(Exception):
    """`make dev` cannot start; the message is one line saying what to do."""


class DevSettings(BaseSettings):
    """The variables that decide the shape of the stack. Empty counts as unset, as in `.env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    redis_url: SecretStr | None = None
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    sandbox_port: int | None = Field(default=None, ge=1, le=65535)
    dev_data_dir: Path = ROOT / ".dev-data"
    schedules_min_interval: int | None = None  # unset: the sandbox lowers it (SANDBOX_MIN_INTERVAL)
    admin_user_ids: str | None = None  # unset: the sandbox makes its person the bot's admin


def choose_port(requested: int | None, variable: str, preferred: int | None = None) -> int:
    """The requested port, which must be free; else `preferred` if free (a stable address); else any."""
    if requested is not None:
        if not port_is_free(requested):
            raise DevstackError(
                f"port {requested} ({variable}) is already in use: free it or set another {variable}"
            )
        return requested
    if preferred is not None and port_is_free(preferred):
        return preferred
    return free_port()
