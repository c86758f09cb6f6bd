import socket

from celery import Celery

from tasks.controllers import register_task
from tasks.names import TaskName
from tasks.results import PingResult


class PingTaskController:
    """`ping`: proves a worker is alive and answering; the bot measures the round trip."""

    def __init__(self) -> None:
        self._hostname = socket.gethostname()

    def register(self, app: Celery) -> None:
        register_task(app, TaskName.PING, self.ping)

    def ping(self) -> PingResult:
        return {"pong": True, "worker": self._hostname}
