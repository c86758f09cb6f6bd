"""The one composition root. Explicit registrations, singletons via punq scopes, no import side effects.

Tests build a container and register replacements (a later registration of the same service wins).
"""

from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

import punq
from aiogram import Bot, Dispatcher
from celery import Celery
from pydantic_settings import BaseSettings
from redis.asyncio import BlockingConnectionPool, Redis

from bot.app import create_dispatcher
from bot.controllers import BotController
from bot.controllers.errors import ErrorsController
from bot.controllers.fallback import FallbackController
from bot.controllers.help import HelpCommandController
from bot.controllers.ping import PingCommandController
from bot.controllers.subscriptions import SubscriptionCommandController
from bot.dispatching import TaskDispatcher
from bot.lifecycle import LifecycleController
from bot.publishing import AsyncTaskPublisher
from bot.results import ResultWaiter
from core.logging import configure_logging
from core.redaction import SecretRedactor
from core.settings import (
    BotSettings,
    CelerySettings,
    DeliverySettings,
    LogSettings,
    NotificationSettings,
    RedisSettings,
    TelegramSettings,
)
from core.settings_loader import SettingsT, load_settings
from core.subscriptions import SubscriptionStore
from core.telegram import create_bot
from tasks.celery_app import create_celery_app, install_task_controllers
from tasks.controllers import TaskController
from tasks.controllers.delivery import DeliveryController
from tasks.controllers.notifications import HealthNotificationController
from tasks.controllers.ping import PingTaskController
from tasks.delivery.gateway import TelegramGateway
from tasks.delivery.ledger import DeliveryLedger
from tasks.delivery.limiter import TelegramRateLimiter
from tasks.delivery.sender import ChunkSender
from tasks.notifications.broadcast import Broadcaster
from tasks.notifications.health import HealthProbe
from tasks.notifications.schedule import NotificationSchedule
from tasks.registry import TasksRegistry

T = TypeVar("T")
SINGLETON = punq.Scope.singleton
SETTINGS: tuple[type[BaseSettings], ...] = (
    RedisSettings,
    TelegramSettings,
    LogSettings,
    CelerySettings,
    BotSettings,
    DeliverySettings,
    NotificationSettings,
)


def _settings_factory(settings_class: type[SettingsT]) -> Callable[[], SettingsT]:
    return lambda: load_settings(settings_class)


def _wired(container: punq.Container, factory: Callable[..., T]) -> Callable[[], T]:
    """punq injects constructor arguments only; this does the same for a factory function's."""
    hints: dict[str, Any] = get_type_hints(factory)
    hints.pop("return", None)
    return lambda: factory(**{name: container.resolve(hint) for name, hint in hints.items()})


def _redactor(redis: RedisSettings) -> SecretRedactor:
    return SecretRedactor([redis.url.get_secret_value()])


def _ledger(redis: Redis, settings: DeliverySettings) -> DeliveryLedger:
    return DeliveryLedger(redis, settings.ledger_ttl)


def _async_redis(settings: RedisSettings) -> Redis:
    """A bounded pool: a burst of commands waits for a free connection instead of opening hundreds."""
    pool = BlockingConnectionPool.from_url(
        settings.url.get_secret_value(),
        max_connections=settings.max_connections,
        timeout=settings.socket_connect_timeout,
        socket_timeout=settings.socket_timeout,
        socket_connect_timeout=settings.socket_connect_timeout,
        socket_keepalive=True,
        health_check_interval=settings.health_check_interval,
        retry_on_timeout=True,
    )
    return Redis(connection_pool=pool)


def build_container() -> punq.Container:
    container = punq.Container()
    for settings_class in SETTINGS:
        container.register(settings_class, factory=_settings_factory(settings_class), scope=SINGLETON)
    container.register(SecretRedactor, factory=_wired(container, _redactor), scope=SINGLETON)
    # One async client per process, connected on first use: in a worker that is after the fork,
    # on the Telegram gateway's loop; in the bot, on its loop.
    container.register(Redis, factory=_wired(container, _async_redis), scope=SINGLETON)
    container.register(SubscriptionStore, scope=SINGLETON)
    container.register(NotificationSchedule, scope=SINGLETON)
    _register_delivery(container)
    _register_tasks(container)
    _register_bot(container)
    return container


def _register_delivery(container: punq.Container) -> None:
    container.register(TelegramGateway, scope=SINGLETON)
    container.register(TelegramRateLimiter, scope=SINGLETON)
    container.register(DeliveryLedger, factory=_wired(container, _ledger), scope=SINGLETON)
    container.register(ChunkSender, scope=SINGLETON)
    container.register(Broadcaster, scope=SINGLETON)
    container.register(HealthProbe, scope=SINGLETON)


def _register_tasks(container: punq.Container) -> None:
    for controller in (PingTaskController, HealthNotificationController, DeliveryController):
        container.register(TaskController, controller, scope=SINGLETON)

    def celery_app(
        redis: RedisSettings, celery: CelerySettings, notifications: NotificationSchedule
    ) -> Celery:
        app = create_celery_app(redis, celery, notifications)
        return install_task_controllers(app, container.resolve_all(TaskController))  # type: ignore[type-abstract]

    container.register(Celery, factory=_wired(container, celery_app), scope=SINGLETON)
    container.register(TasksRegistry, scope=SINGLETON)


def _register_bot(container: punq.Container) -> None:
    container.register(Bot, factory=_wired(container, create_bot), scope=SINGLETON)
    container.register(ResultWaiter, scope=SINGLETON)
    container.register(AsyncTaskPublisher, scope=SINGLETON)
    container.register(TaskDispatcher, scope=SINGLETON)
    # Order is routing order: the fallback comes last and takes what nothing else matched.
    for controller in (
        LifecycleController,
        ErrorsController,
        HelpCommandController,
        PingCommandController,
        SubscriptionCommandController,
        FallbackController,
    ):
        container.register(BotController, controller, scope=SINGLETON)
    container.register(Dispatcher, factory=_wired(container, create_dispatcher), scope=SINGLETON)


def configure_process(container: punq.Container, *settings: type[BaseSettings]) -> None:
    """Fail fast on settings (raises ConfigurationError), then configure logging.

    Validates every settings class unless given the ones the process needs.
    """
    for settings_class in settings or SETTINGS:
        container.resolve(settings_class)
    configure_logging(container.resolve(LogSettings), container.resolve(SecretRedactor))
