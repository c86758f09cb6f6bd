"""The typed task registry: the one way producers (the bot, other tasks) reach a task."""

from typing import Any

from celery import Celery, Task

from tasks.names import TaskName
from tasks.results import BroadcastReport, DeliveryReport, PingResult

ChatPayload = list[list[int | str]]  # [[chat_id, chat_type], ...]


class UnknownTaskError(LookupError):
    """A task name is not registered with the Celery app (its controller is not in the container)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"task {str(name)!r} is not registered; add its controller to ioc/container.py "
            f"(known: {', '.join(sorted(TaskName))})"
        )
        self.name = name


class TasksRegistry:
    """Properties return `Task[[args], Result]`, so `.apply_async`/`.delay` are checked by mypy."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    @property
    def ping(self) -> Task[[], PingResult]:
        return self._task(TaskName.PING)

    @property
    def fan_out(self) -> Task[[], BroadcastReport]:
        return self._task(TaskName.FAN_OUT)

    @property
    def deliver(self) -> Task[[str, str, ChatPayload], DeliveryReport]:
        """(tick, text, chats)"""
        return self._task(TaskName.DELIVER)

    def _task(self, name: str) -> Task[Any, Any]:
        try:
            return self._app.tasks[name]
        except KeyError:
            raise UnknownTaskError(name) from None
