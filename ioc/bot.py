"""The bot's composition root (`python -m bot`): the common part, the Bot, the Celery client and the
command controllers. No task bodies: the bot publishes by name through the registry."""

import punq
from aiogram import Bot, Dispatcher
from redis.asyncio import Redis

from bot.celery_client.caller import TaskCaller
from bot.celery_client.publisher import AsyncTaskPublisher
from bot.celery_client.result_waiter import ResultWaiter
from bot.heartbeat import PollingHeartbeat
from bot.poison import SkipUnparseableUpdates
from bot.reply_limits import REPLY_MARGIN, ReplyLimits
from bot.routing import create_dispatcher
from core.limiter import TelegramRateLimiter
from core.redaction import SecretRedactor
from core.settings import BotSettings, DeliverySettings, TelegramSettings
from core.telegram import create_bot
from ioc.common import SINGLETON, build_common_container, dependencies, wired


def _reply_limiter(redis: Redis, settings: DeliverySettings) -> TelegramRateLimiter:
    """The limiter the workers use, the same keys, with a margin for replies' jitter (see ReplyLimits)."""
    return TelegramRateLimiter(redis, settings, chat_margin=REPLY_MARGIN)


def _bot(
    telegram: TelegramSettings, redactor: SecretRedactor, limits: ReplyLimits, settings: BotSettings
) -> Bot:
    """The bot's Bot: replies under the shared flood limits, updates aiogram cannot parse skipped."""
    bot = create_bot(telegram, redactor)
    bot.session.middleware(SkipUnparseableUpdates())
    bot.session.middleware(limits)
    if settings.heartbeat_file is not None:
        bot.session.middleware(PollingHeartbeat(settings.heartbeat_file))
    return bot


def build_bot_container() -> punq.Container:
    container = build_common_container()
    container.register(TelegramRateLimiter, factory=wired(container, _reply_limiter), scope=SINGLETON)
    container.register(ReplyLimits, scope=SINGLETON)
    container.register(Bot, factory=wired(container, _bot), scope=SINGLETON)
    container.register(ResultWaiter, scope=SINGLETON)
    container.register(AsyncTaskPublisher, scope=SINGLETON)
    container.register(TaskCaller, scope=SINGLETON)
    # Every controller `create_dispatcher` takes: the routing order in bot/routing.py is the one list
    # a new command's controller is added to.
    for controller in dependencies(create_dispatcher).values():
        container.register(controller, scope=SINGLETON)
    container.register(Dispatcher, factory=wired(container, create_dispatcher), scope=SINGLETON)
    return container
