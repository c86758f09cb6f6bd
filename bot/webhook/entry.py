"""Webhook mode's entry points, dispatched to by `python -m bot` (bot/__main__.py)."""

import punq
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from bot.webhook.cli import WebhookCommands, parse_args
from bot.webhook.server import WebhookServer
from core.settings_loader import ConfigurationError
from core.webhook_settings import WebhookSettings
from ioc.bot import build_bot_container
from ioc.common import SETTINGS, configure_process
from ioc.webhook import add_webhook


async def serve(container: punq.Container) -> None:
    """`BOT_MODE=webhook python -m bot`: one replica, until SIGTERM or SIGINT."""
    await add_webhook(container).resolve(WebhookServer).run()


async def command(argv: list[str]) -> None:
    """`python -m bot webhook set|delete|info`: prints one result; a refused call exits with its line."""
    args = parse_args(argv)
    container = add_webhook(build_bot_container())
    configure_process(container, *SETTINGS, WebhookSettings)
    bot = container.resolve(Bot)
    async with bot.session:
        try:
            print(await container.resolve(WebhookCommands).run(args))  # a CLI's output
        except (TelegramAPIError, TelegramNetworkError) as exc:
            raise ConfigurationError(f"webhook {args.command} failed: {exc}") from None
