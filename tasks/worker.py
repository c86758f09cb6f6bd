"""Celery worker entry point: `celery -A tasks.worker worker` (and `inspect`, `call`, ...).

Building the app here, at import, is the point of this module; everything else stays import-clean.
"""

from celery import Celery

from ioc.common import celery_process_app
from ioc.worker import build_worker_container, worker_app

app: Celery = celery_process_app(build_worker_container(), worker_app)
