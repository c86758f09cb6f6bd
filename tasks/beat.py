"""Celery beat entry point: `celery -A tasks.beat beat`. It publishes by name and imports no task body.

Building the app here, at import, is the point of this module; everything else stays import-clean.
"""

from celery import Celery

from ioc.beat import beat_app, build_beat_container
from ioc.common import celery_process_app

app: Celery = celery_process_app(build_beat_container(), beat_app)
