"""What every process kind composes the same way: settings, logging, Redis, the Celery app, the registry.

Each process kind has its own composition root built on this one (`ioc.bot`, `ioc.worker`, `ioc.beat`):
explicit punq registrations, singletons via punq scopes, no side effects at import. Tests build a
container and register replacements (a later registration of the same service wins).
"""

import sys
from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

import punq
from celery import Celery
from celery.signals import setup_logging
from pydantic_settings import BaseSettings
from redis.asyncio import BlockingConnectionPool, Connection, Redis

from core.logging import configure_logging
from core.redaction import SecretRedactor
from core.schedules.store import ScheduleStore
from core.settings import (
    BotSettings,
    CelerySettings,
    DeliverySettings,
    LogSettings,
    NotificationSettings,
    RedisSettings,
    SchedulesSettings,
    TelegramSettings,
)
from core.settings_loader import ConfigurationError, SettingsT, load_settings
from core.subscriptions import SubscriptionStore
from tasks.celery_config import create_celery_app
from tasks.registry import TasksRegistry
from tasks.schedule import NotificationSchedule

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
    SchedulesSettings,
)


def _settings_factory(settings_class: type[SettingsT]) -> Callable[[], SettingsT]:
    return lambda: load_settings(settings_class)


def dependencies(factory: Callable[..., Any]) -> dict[str, Any]:
    """A factory function's parameters and their types."""
    hints: dict[str, Any] = get_type_hints(factory)
    hints.pop("return", None)
    return hints


def wired(container: punq.Container, factory: Callable[..., T]) -> Callable[[], T]:
    """punq injects constructor arguments only; this does the same for a factory function's."""
    hints = dependencies(factory)
    return lambda: factory(**{name: container.resolve(hint) for name, hint in hints.items()})


def _redactor(redis: RedisSettings) -> SecretRedactor:
    return SecretRedactor([redis.url.get_secret_value()])


def async_redis(
    settings: RedisSettings, *, wait: float, connection_class: type[Connection] | None = None
) -> Redis:
    """A bounded pool: a burst of commands waits (up to `wait` seconds) for a free connection instead
    of opening hundreds. `connection_class` replaces redis-py's for plain TCP (redis://) only:
    rediss:// and unix:// keep the classes redis-py picks for them."""
    url = settings.url.get_secret_value()
    plain = {"connection_class": connection_class} if connection_class and url.startswith("redis://") else {}
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=settings.max_connections,
        timeout=wait,
        **plain,
        socket_timeout=settings.socket_timeout,
        socket_connect_timeout=settings.socket_connect_timeout,
        socket_keepalive=True,
        health_check_interval=settings.health_check_interval,
        retry_on_timeout=True,
    )
    return Redis(connection_pool=pool)


def _async_redis(settings: RedisSettings) -> Redis:
    return async_redis(settings, wait=settings.socket_connect_timeout)


def build_common_container() -> punq.Container:
    container = punq.Container()
    for settings_class in SETTINGS:
        container.register(settings_class, factory=_settings_factory(settings_class), scope=SINGLETON)
    container.register(SecretRedactor, factory=wired(container, _redactor), scope=SINGLETON)
    # One async client per process, connected on first use: in a worker that is after the fork,
    # on the worker's event loop; in the bot, on its loop.
    container.register(Redis, factory=wired(container, _async_redis), scope=SINGLETON)
    container.register(SubscriptionStore, scope=SINGLETON)
    container.register(ScheduleStore, scope=SINGLETON)
    container.register(NotificationSchedule, scope=SINGLETON)
    container.register(Celery, factory=wired(container, create_celery_app), scope=SINGLETON)
    container.register(TasksRegistry, scope=SINGLETON)
    return container


def configure_process(container: punq.Container, *settings: type[BaseSettings]) -> None:
    """Fail fast on settings (raises ConfigurationError), then configure logging.

    Validates every settings class unless given the ones the process needs.
    """
    for settings_class in settings or SETTINGS:
        container.resolve(settings_class)
    configure_logging(container.resolve(LogSettings), container.resolve(SecretRedactor))


def configure_or_exit(container: punq.Container) -> None:
    """For entry points: a bad setting ends the process with its one line, exit code 1."""
    try:
        configure_process(container)
    except ConfigurationError as exc:
        sys.exit(str(exc))


def _keep_our_logging(**_: object) -> None:
    """Connected to `setup_logging` so Celery leaves the structlog configuration alone."""


def celery_process_app(container: punq.Container, make_app: Callable[[punq.Container], Celery]) -> Celery:
    """The app of a `celery -A <module>` process (worker, beat), its settings checked and logging set."""
    configure_or_exit(container)
    setup_logging.connect(_keep_our_logging, weak=False)
    return make_app(container)
