"""The bot's composition root (`python -m bot`): the common part, the Bot, the Celery client and the
command controllers. No task bodies: the bot publishes by name through the registry."""

import punq
from aiogram import Bot, Dispatcher
from redis.asyncio import Redis

from bot.admin.gate import AdminGate
from bot.admin.tasks import BroadcastTasks
from bot.celery_client.caller import TaskCaller
from bot.celery_client.publisher import AsyncTaskPublisher
from bot.celery_client.result_waiter import ResultWaiter
from bot.front_door import FrontDoorMiddleware, guard
from bot.heartbeat import PollingHeartbeat
from bot.poison import SkipUnparseableUpdates
from bot.redis_connection import TimelyConnection
from bot.reply_limits import REPLY_MARGIN, ReplyLimits
from bot.response_models import hold_response_models
from bot.routing import create_dispatcher
from bot.throttling import Throttle
from core.limiter import TelegramRateLimiter
from core.redaction import SecretRedactor
from core.settings import BotSettings, DeliverySettings, RedisSettings, TelegramSettings
from core.telegram import create_bot
from ioc.common import SINGLETON, async_redis, build_common_container, dependencies, wired


def _bot_redis(settings: RedisSettings, bot: BotSettings) -> Redis:
    """The common pool's settings, but an update waits for a free connection as long as it may wait
    for Redis at all (BOT_DISPATCH_TIMEOUT): a burst waits its turn instead of failing."""
    return async_redis(settings, wait=bot.dispatch_timeout, connection_class=TimelyConnection)


def _reply_limiter(redis: Redis, settings: DeliverySettings) -> TelegramRateLimiter:
    """The limiter the workers use, the same keys, with a margin for replies' jitter (see ReplyLimits)."""
    return TelegramRateLimiter(redis, settings, chat_margin=REPLY_MARGIN)


def _bot(
    telegram: TelegramSettings, redactor: SecretRedactor, limits: ReplyLimits, settings: BotSettings
) -> Bot:
    """The bot's Bot: replies under the shared flood limits, updates aiogram cannot parse skipped."""
    hold_response_models()  # answers parsed without rebuilding pydantic models (bot/response_models.py)
    bot = create_bot(telegram, redactor)
    bot.session.middleware(SkipUnparseableUpdates())
    bot.session.middleware(limits)
    if settings.heartbeat_file is not None and settings.mode == "polling":  # webhook: GET /readyz
        bot.session.middleware(PollingHeartbeat(settings.heartbeat_file))
    return bot


def _throttle(redis: Redis, settings: BotSettings) -> Throttle:
    """An in-flight lock outlives its task's longest wait, so only a dead holder's lock expires."""
    lock_seconds = settings.task_timeout + 2 * settings.dispatch_timeout
    return Throttle(redis, lock_ms=int(lock_seconds * 1000), max_depth=settings.queue_max_depth)


def build_bot_container() -> punq.Container:
    container = build_common_container()
    container.register(Redis, factory=wired(container, _bot_redis), scope=SINGLETON)
    container.register(TelegramRateLimiter, factory=wired(container, _reply_limiter), scope=SINGLETON)
    container.register(ReplyLimits, scope=SINGLETON)
    container.register(Bot, factory=wired(container, _bot), scope=SINGLETON)
    container.register(ResultWaiter, scope=SINGLETON)
    container.register(AsyncTaskPublisher, scope=SINGLETON)
    container.register(TaskCaller, scope=SINGLETON)
    container.register(Throttle, factory=wired(container, _throttle), scope=SINGLETON)
    container.register(FrontDoorMiddleware, scope=SINGLETON)
    container.register(AdminGate, scope=SINGLETON)
    container.register(BroadcastTasks, scope=SINGLETON)
    # Every controller `create_dispatcher` takes: the routing order in bot/routing.py is the one list
    # a new command's controller is added to.
    for controller in dependencies(create_dispatcher).values():
        container.register(controller, scope=SINGLETON)
    routed = wired(container, create_dispatcher)
    container.register(
        Dispatcher,
        factory=lambda: guard(routed(), container.resolve(FrontDoorMiddleware)),
        scope=SINGLETON,
    )
    return container
