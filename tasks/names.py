from enum import StrEnum


class TaskName(StrEnum):
    """Every task the project knows, by its Celery name. Producers refer to tasks only through these."""

    BROADCAST_START = "broadcasts.start"
    BROADCAST_DELIVER = "broadcasts.deliver"
    BROADCAST_FINISH = "broadcasts.finish"
    PING = "ping"
    REPORT = "report"
    SCHEDULES_FIRE = "schedules.fire"
    SCHEDULES_DELIVER = "schedules.deliver"
    SCHEDULES_FAILED = "schedules.failed"
    FAN_OUT = "notifications.fan_out"
    DELIVER = "notifications.deliver"
