"""Celery beat's scheduler with the per-chat schedules' engine in it: `celery -A tasks.beat beat` runs both.

The static entries (the health notification) stay with Celery's PersistentScheduler; each beat tick
also runs one engine step, and beat sleeps until whichever is due first.
"""

from typing import Any, ClassVar

from celery.beat import PersistentScheduler

from tasks.schedules.engine import ScheduleEngine


class EngineScheduler(PersistentScheduler):
    engine: ClassVar[ScheduleEngine]

    def tick(self, *args: Any, **kwargs: Any) -> float:
        static_wait = float(super().tick(*args, **kwargs))
        return min(static_wait, self.engine.tick())


def engine_scheduler(engine: ScheduleEngine) -> type[EngineScheduler]:
    """The scheduler class for `beat_scheduler` (Celery builds it itself), bound to this engine."""
    return type("EngineScheduler", (EngineScheduler,), {"engine": engine, "__module__": __name__})
