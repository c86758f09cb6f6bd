from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_process_shutdown

from tasks.delivery.worker_loop import WorkerEventLoop
from tasks.logging_context import bind_task_context, clear_task_context


class WorkerLifecycleController:
    """Start-up and shut-down of what a worker process's tasks share: its event loop (started after the
    fork, closed on shutdown) and the log context of each task."""

    def __init__(self, event_loop: WorkerEventLoop) -> None:
        self._loop = event_loop

    def register(self, app: Celery) -> None:
        # Celery keeps one receiver per (function, sender) with weak=False: connecting twice is a no-op.
        worker_process_init.connect(self._start_loop, weak=False)
        worker_process_shutdown.connect(self._close_loop, weak=False)
        task_prerun.connect(bind_task_context, weak=False)
        task_postrun.connect(clear_task_context, weak=False)

    def _start_loop(self, **_: object) -> None:
        self._loop.start()

    def _close_loop(self, **_: object) -> None:
        self._loop.close()
