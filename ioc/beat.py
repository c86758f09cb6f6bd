"""Celery beat's composition root: the common part and the schedule; no task bodies."""

import punq
from celery import Celery

from ioc.common import build_common_container
from tasks.celery_config import beat_schedule
from tasks.schedule import NotificationSchedule


def build_beat_container() -> punq.Container:
    return build_common_container()


def beat_app(container: punq.Container) -> Celery:
    app: Celery = container.resolve(Celery)
    app.conf.beat_schedule = beat_schedule(container.resolve(NotificationSchedule))
    return app
