from enum import StrEnum


class TaskName(StrEnum):
    """Every task the project knows, by its Celery name. Producers refer to tasks only through these."""

    PING = "ping"
    REPORT = "report"
    SCHEDULES_FIRE = "schedules.fire"
    SCHEDULES_DELIVER = "schedules.deliver"
    FAN_OUT = "notifications.fan_out"
    DELIVER = "notifications.deliver"
