"""Celery beat's composition root: the common part, the static schedule and the per-chat schedules'
engine (a synchronous Redis client: beat is synchronous); no task bodies."""

import punq
import redis
from celery import Celery

from core.settings import RedisSettings
from ioc.common import SINGLETON, build_common_container, wired
from tasks.celery_config import beat_schedule
from tasks.schedule import NotificationSchedule
from tasks.schedules.engine import ScheduleEngine
from tasks.schedules.scheduler import engine_scheduler


def sync_redis(settings: RedisSettings) -> redis.Redis:
    return redis.Redis.from_url(
        settings.url.get_secret_value(),
        socket_timeout=settings.socket_timeout,
        socket_connect_timeout=settings.socket_connect_timeout,
        socket_keepalive=True,
        health_check_interval=settings.health_check_interval,
        retry_on_timeout=True,
    )


def build_beat_container() -> punq.Container:
    container = build_common_container()
    container.register(redis.Redis, factory=wired(container, sync_redis), scope=SINGLETON)
    container.register(ScheduleEngine, scope=SINGLETON)
    return container


def beat_app(container: punq.Container) -> Celery:
    app: Celery = container.resolve(Celery)
    app.conf.beat_schedule = beat_schedule(container.resolve(NotificationSchedule))
    app.conf.beat_scheduler = engine_scheduler(container.resolve(ScheduleEngine))
    return app
