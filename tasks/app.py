"""Celery entry point: `celery -A tasks.app worker` / `celery -A tasks.app beat`.

Building the app here, at import, is the point of this module; everything else stays import-clean.
"""

import sys

from celery import Celery
from celery.signals import setup_logging

from core.settings_loader import ConfigurationError
from ioc.container import build_container, configure_process

container = build_container()
try:
    configure_process(container)
except ConfigurationError as exc:
    sys.exit(str(exc))


@setup_logging.connect
def _keep_our_logging(**_: object) -> None:
    """Connected so Celery leaves the structlog configuration alone."""


app: Celery = container.resolve(Celery)
