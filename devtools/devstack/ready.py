"""The one "ready" line of `make dev`: printed once every process is ready, not merely started.

Ready means: Redis answers PING; the worker answers a Celery control ping; the bot polls (in the sandbox,
the emulator has had its first getUpdates, which also shows the emulator serves; with a real token, the
bot has logged aiogram's "Run polling for bot"). If that takes long, one line says what is still awaited.
"""

import json
import threading
import time
import urllib.request
from collections.abc import Callable

from celery import Celery
from honcho.printer import Message

from devtools.devstack.supervisor import Supervisor, line
from devtools.devstack.wait import redis_answers

POLL = 0.25
SLOW = 60.0
BOT_POLLING = "Run polling for bot"


def sandbox_bot_polls(chat_page: str) -> bool:
    try:
        status = f"{chat_page}emulator/api/status"  # http://127.0.0.1:PORT/, built by devtools.devstack.stack
        with urllib.request.urlopen(status, timeout=1) as response:  # noqa: S310
            return bool(json.loads(response.read()).get("bot") == "polling")
    except (OSError, ValueError):
        return False


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310  # a local address
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


class Readiness:
    def __init__(
        self, supervisor: Supervisor, redis_url: str, chat_page: str | None, webhook_ready: str | None = None
    ) -> None:
        self.supervisor = supervisor
        self.webhook_ready = webhook_ready  # the webhook replica's /readyz, in BOT_MODE=webhook
        self.redis_url = redis_url
        self.chat_page = chat_page
        self.bot_logged_polling = False
        self.celery = Celery("devstack-ready", broker=redis_url)
        supervisor.printer.watchers.append(self._watch_bot)
        supervisor.on_all_started.append(self.start)

    def start(self) -> None:
        threading.Thread(target=self._wait, name="devstack-ready", daemon=True).start()

    def checks(self) -> dict[str, Callable[[], bool]]:
        bot: Callable[[], bool] = lambda: self.bot_logged_polling  # noqa: E731
        if self.chat_page is not None:
            bot = lambda: sandbox_bot_polls(self.chat_page or "")  # noqa: E731
        if self.webhook_ready is not None:
            serves, url = bot, self.webhook_ready
            bot = lambda: serves() and answers_200(url)  # noqa: E731
        return {"redis": lambda: redis_answers(self.redis_url), "worker": self._worker_answers, "bot": bot}

    def message(self) -> str:
        if self.chat_page is not None:
            return f"ready: chat with the bot at {self.chat_page}"
        return "ready: the bot polls Telegram and the worker answers"

    def _wait(self) -> None:
        pending, slow_at = self.checks(), time.monotonic() + SLOW
        while pending and not self.supervisor.stopping:
            pending = {name: check for name, check in pending.items() if not check()}
            if pending and time.monotonic() > slow_at:
                slow_at = float("inf")
                waiting = ", ".join(pending)
                self.supervisor.events.put(line(f"not ready after {SLOW:.0f}s: waiting for {waiting}"))
            time.sleep(POLL if pending else 0)
        self.celery.close()
        if not pending and not self.supervisor.stopping:
            self.supervisor.events.put(line(self.message()))

    def _worker_answers(self) -> bool:
        try:
            return bool(self.celery.control.ping(timeout=0.5))
        except Exception:  # noqa: BLE001  # Redis not there yet, or going away: not ready
            return False

    def _watch_bot(self, message: Message) -> None:
        if message.name == "bot" and BOT_POLLING in str(message.data):
            self.bot_logged_polling = True
