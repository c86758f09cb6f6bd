"""The Celery app every process builds (bot, worker, beat): reliability settings first, defaults never.

No task bodies here: the worker registers them (ioc/worker.py); beat adds its schedule (ioc/beat.py).
"""

from typing import Any

from celery import Celery

from core.settings import CelerySettings, RedisSettings
from tasks.backends import backend_url
from tasks.names import TaskName
from tasks.schedule import NotificationSchedule
from tasks.transport import AMQP_CLASS, TRANSPORT


def _transport_options(redis: RedisSettings, celery: CelerySettings) -> dict[str, Any]:
    return {
        "visibility_timeout": celery.visibility_timeout,
        "socket_timeout": redis.socket_timeout,
        "socket_connect_timeout": redis.socket_connect_timeout,
        "socket_keepalive": True,
        "health_check_interval": redis.health_check_interval,
        "retry_on_timeout": True,
    }


def beat_schedule(notifications: NotificationSchedule) -> dict[str, dict[str, Any]]:
    """Every scheduled task: add an entry here (and its task controller in ioc/worker.py)."""
    if not notifications.enabled:
        return {}
    return {
        "health-notification": {
            "task": str(TaskName.FAN_OUT),
            "schedule": notifications.celery_schedule,
        },
    }


def reliability_config(redis: RedisSettings, celery: CelerySettings) -> dict[str, Any]:
    """At-least-once delivery, nothing blocking forever on a hung Redis, results that expire."""
    options = _transport_options(redis, celery)
    return dict(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_soft_time_limit=celery.task_soft_time_limit,
        task_time_limit=celery.task_time_limit,
        broker_transport=TRANSPORT,  # kombu's Redis transport, surviving a Redis restart mid-task
        broker_transport_options=options,
        result_backend_transport_options=options,
        visibility_timeout=celery.visibility_timeout,
        redis_socket_timeout=redis.socket_timeout,
        redis_socket_connect_timeout=redis.socket_connect_timeout,
        redis_socket_keepalive=True,
        redis_retry_on_timeout=True,
        redis_backend_health_check_interval=redis.health_check_interval,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        task_publish_retry_policy={
            "max_retries": celery.publish_max_retries,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        result_expires=celery.result_expires,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        enable_utc=True,
        broker_channel_error_retry=True,
    )


def create_celery_app(redis: RedisSettings, celery: CelerySettings) -> Celery:
    url = redis.url.get_secret_value()
    app = Celery("tasks", broker=url, backend=backend_url(url), amqp=AMQP_CLASS, set_as_current=False)
    app.conf.update(reliability_config(redis, celery))
    return app
