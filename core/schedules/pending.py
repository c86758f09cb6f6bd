"""TEMPORARY: what sched-engine adds elsewhere (core/settings.py SchedulesSettings, the registry's
`schedulable`), stubbed until its store lands; removed before merging wt-sched-engine."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings

from core.settings import settings_config


class SchedulesSettings(BaseSettings):
    model_config = settings_config("SCHEDULES_")

    min_interval: int = Field(default=60, ge=1)
    max_per_chat: int = Field(default=10, ge=1, le=1000)
    default_timezone: str = "UTC"


@dataclass(frozen=True)
class Declared:
    summary: str
    parse_args: Callable[[list[str]], tuple[Any, ...]]


def _no_arguments(name: str) -> Callable[[list[str]], tuple[Any, ...]]:
    def parse(args: list[str]) -> tuple[Any, ...]:
        if args:
            raise ValueError(f"{name} takes no arguments")
        return ()

    return parse


def schedulable(registry: object) -> Mapping[str, Declared]:
    return {
        "ping": Declared("the workers' round trip", _no_arguments("ping")),
        "report": Declared("the health report", _no_arguments("report")),
    }
