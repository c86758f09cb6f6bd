"""The worker's event loop: one loop and one aiogram Bot per worker process, shared by every task it runs.

Celery's prefork children run tasks synchronously. `WorkerEventLoop` starts, after the fork, an event loop
in a thread of the child and creates the Bot there; tasks hand it coroutines with `run`. The loop and
the Bot's HTTP session live as long as the process, so there is no `asyncio.run` per message and no
"Event loop is closed". A process that was forked from one with a running loop starts its own.
"""

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import structlog
from aiogram import Bot

from core.redaction import SecretRedactor
from core.settings import TelegramSettings
from core.telegram import create_bot

T = TypeVar("T")
log = structlog.get_logger(__name__)
CLOSE_TIMEOUT = 5.0


class WorkerEventLoop:
    def __init__(self, settings: TelegramSettings, redactor: SecretRedactor) -> None:
        self._settings = settings
        self._redactor = redactor
        self._pid: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._bot: Bot | None = None

    @property
    def bot(self) -> Bot:
        self.start()
        assert self._bot is not None
        return self._bot

    def start(self) -> None:
        """Idempotent within a process; called on `worker_process_init` and on first use."""
        if self._pid == os.getpid():
            return
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="worker-event-loop", daemon=True)
        thread.start()
        self._loop, self._thread, self._pid = loop, thread, os.getpid()
        self._bot = create_bot(self._settings, self._redactor)
        log.info("worker_event_loop_started", pid=self._pid)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Runs `coroutine` on the process's loop and waits for it; cancels it if the wait is cut."""
        self.start()
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()
            raise

    def close(self) -> None:
        """On `worker_process_shutdown`: close the HTTP session, stop the loop."""
        if self._pid != os.getpid() or self._loop is None:
            return
        try:
            self.run(self.bot.session.close(), timeout=CLOSE_TIMEOUT)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(CLOSE_TIMEOUT)
            self._loop.close()
            self._pid = self._loop = self._thread = self._bot = None
            log.info("worker_event_loop_closed")
