"""Waiting for Celery workers started by a test or a benchmark to take tasks."""

from collections.abc import Callable
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import AsyncResult

from tests.support.processes import CeleryWorker
from tests.support.waiting import async_wait_for, wait_for


def alive(worker: CeleryWorker) -> bool:
    """True while the worker's main process runs; raises with its log once it has exited."""
    if worker.process.poll() is not None:
        raise RuntimeError(f"a worker exited:\n{worker.log()}")
    return True


def wait_answering(worker: CeleryWorker, ping: Callable[[], AsyncResult[Any]], timeout: float) -> None:
    """Until a `ping()` sent now is answered within a second (a worker takes tasks from the queue)."""

    def answers() -> bool:
        try:
            return alive(worker) and bool(ping().get(timeout=1))
        except CeleryTimeoutError:
            return False

    wait_for(answers, timeout, "the Celery worker to answer ping")


async def wait_ready(*workers: CeleryWorker, timeout: float = 60) -> None:
    """Until every worker has logged that it is ready (without blocking this loop: the emulator's)."""

    def ready() -> bool:
        return all(alive(worker) and "ready." in worker.log() for worker in workers)

    await async_wait_for(ready, timeout, "the workers to be ready")
