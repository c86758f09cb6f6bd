from enum import StrEnum


class TaskName(StrEnum):
    """Every task the project knows, by its Celery name. Producers refer to tasks only through these."""

    PING = "ping"
