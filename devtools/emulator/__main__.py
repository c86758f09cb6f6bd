"""`python -m devtools.emulator [--host H] [--port N] [--token T]`: the offline Telegram sandbox.

Serves the Bot API emulator (point the bot at it with TELEGRAM_API_BASE_URL) and its web chat page at `/`,
with a private chat and a group chat ready. The token is `--token`, else TELEGRAM_BOT_TOKEN (from the
environment or `.env`, so a bot run with the same `.env` is accepted), else a fresh one printed at start.
The port is `--port`, else SANDBOX_PORT, else 8765. State lives in memory: a restart starts with empty chats.
"""

import argparse
import errno
import sys
from typing import NoReturn

from aiohttp import web
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.settings_loader import ConfigurationError, load_settings
from devtools.emulator.sandbox import DEFAULT_PORT, sandbox_state, sandbox_token
from devtools.emulator.server import create_emulator_app

SHUTDOWN_TIMEOUT = 1.0  # open long polls and event streams are cut, not waited for


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.exit(f"emulator: configuration error: {message} (see --help)")


class SandboxSettings(BaseSettings):
    """What the sandbox reads from the environment and `.env` (empty counts as unset)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: SecretStr | None = None
    sandbox_port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)


def _arguments(argv: list[str] | None, settings: SandboxSettings) -> argparse.Namespace:
    parser = _OneLineParser(prog="python -m devtools.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=settings.sandbox_port, help="port (default: %(default)s)")
    parser.add_argument("--token", help="the bot token to accept (default: $TELEGRAM_BOT_TOKEN or a new one)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    try:
        settings = load_settings(SandboxSettings)
    except ConfigurationError as exc:
        sys.exit(f"emulator: {exc}")
    args = _arguments(argv, settings)
    from_settings = settings.telegram_bot_token
    token = args.token or (from_settings.get_secret_value() if from_settings else "")
    generated = not token
    token = token or sandbox_token()
    base_url = f"http://{args.host}:{args.port}"

    def announce(_: object) -> None:
        print(f"sandbox chat page: {base_url}/", flush=True)
        if generated:
            print(f"run the bot with TELEGRAM_BOT_TOKEN={token} TELEGRAM_API_BASE_URL={base_url}", flush=True)

    app = create_emulator_app(sandbox_state(token))
    try:
        web.run_app(app, host=args.host, port=args.port, print=announce, shutdown_timeout=SHUTDOWN_TIMEOUT)
    except OSError as exc:
        reason = "the port is already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        sys.exit(f"emulator: cannot listen on {args.host}:{args.port}: {reason}")


if __name__ == "__main__":
    main()
