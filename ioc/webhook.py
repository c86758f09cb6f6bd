"""Webhook mode's additions to the bot's composition root (`BOT_MODE=webhook`, `python -m bot webhook`)."""

import punq
from aiogram import Bot, Dispatcher

from bot.webhook.claims import UpdateClaims
from bot.webhook.cli import WebhookCommands
from bot.webhook.handler import ClaimingRequestHandler
from bot.webhook.server import WebhookServer
from core.redaction import SecretRedactor
from core.settings import BotSettings
from core.settings_loader import load_settings
from core.webhook_settings import WebhookSettings
from ioc.common import SINGLETON, wired


def _request_handler(
    *,
    dispatcher: Dispatcher,
    bot: Bot,
    settings: WebhookSettings,
    bot_settings: BotSettings,
    claims: UpdateClaims,
) -> ClaimingRequestHandler:
    secret = settings.secret_token()  # required here: a one-line configuration error without it
    return ClaimingRequestHandler(dispatcher, bot, secret, claims, bot_settings.max_concurrent_updates)


def _webhook_settings(redactor: SecretRedactor) -> WebhookSettings:
    """Loaded once; the secret joins the redactor at once, for the server and the CLI alike."""
    settings = load_settings(WebhookSettings)
    if settings.secret is not None:
        redactor.add(settings.secret.get_secret_value())
    return settings


def add_webhook(container: punq.Container) -> punq.Container:
    """The bot's container (ioc.bot) with the webhook server, its update claims and the CLI."""
    container.register(WebhookSettings, factory=wired(container, _webhook_settings), scope=SINGLETON)
    container.register(UpdateClaims, scope=SINGLETON)
    container.register(ClaimingRequestHandler, factory=wired(container, _request_handler), scope=SINGLETON)
    container.register(WebhookServer, scope=SINGLETON)
    container.register(WebhookCommands, scope=SINGLETON)
    return container
