import socket

from celery import Celery

from tasks.contracts import PingResult
from tasks.registry import TasksRegistry


class PingTaskController:
    """`ping`: proves a worker is alive and answering; the bot measures the round trip."""

    def __init__(self, registry: TasksRegistry) -> None:
        self._registry = registry
        self._hostname = socket.gethostname()

    def register(self, app: Celery) -> None:
        self._registry.ping.register_body(app, self.ping)

    def ping(self) -> PingResult:
        return {"pong": True, "worker": self._hostname}
