"""`BOT_MODE=webhook make dev`: in the sandbox, the bot serves its webhook on a free local port and
registers it with the emulator first (`python -m bot webhook set`, the deploy step), so the emulator
POSTs every update from the chat page to it, as Telegram would. With a real token, nothing is
registered for you: Telegram needs a public HTTPS address (see "Scaling out")."""

import secrets
import shlex
import sys
from typing import TYPE_CHECKING, Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.settings_loader import load_settings
from devtools.ports import free_port

if TYPE_CHECKING:
    from devtools.devstack.stack import Stack


class DevWebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    bot_mode: Literal["polling", "webhook"] = "polling"
    webhook_secret: SecretStr | None = None
    webhook_path: str = "/telegram/webhook"


def plan_webhook(stack: "Stack") -> None:
    """Turns the planned bot into a webhook replica registered with the sandbox, when BOT_MODE=webhook."""
    settings = load_settings(DevWebhookSettings)
    if settings.bot_mode != "webhook":
        return
    if "emulator" not in stack.processes:
        stack.notes.append("webhook: BOT_MODE=webhook with a real token: register it with `make webhook-set`")
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}{settings.webhook_path}"
    secret = (
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else secrets.token_urlsafe(32)
    )
    stack.env.update(
        BOT_MODE="webhook",
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_URL=url,
        WEBHOOK_SECRET=secret,
    )
    bot = stack.processes["bot"]
    python = shlex.quote(sys.executable)
    then = f"{python} -m bot webhook set && exec {python} -m bot"
    # Up to the last "--": the waits and the reloader stay in front, only the bot's own command changes.
    prefix = bot[: len(bot) - bot[::-1].index("--")]
    stack.processes["bot"] = [*prefix, "sh", "-c", then]
    stack.notes.append(f"webhook: the bot serves {url}, registered with the sandbox (emulator) at start")
