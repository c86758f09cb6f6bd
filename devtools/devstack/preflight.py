"""Every project setting checked once, before `make dev` starts anything: a bad one is one line, not
the same line from the worker, beat and bot each, with Redis and the emulator started and stopped."""

import os
from collections.abc import Mapping

from core.settings_loader import load_settings
from ioc.common import SETTINGS


def check_project_settings(env: Mapping[str, str]) -> None:
    """Loads each settings class as the processes will, from `env`; raises ConfigurationError."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        for settings_class in SETTINGS:
            load_settings(settings_class)
    finally:
        os.environ.clear()
        os.environ.update(saved)
