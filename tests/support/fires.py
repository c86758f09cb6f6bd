"""What the schedule engine published: the `schedules.fire` messages in a broker queue, read raw."""

import base64
import json
from typing import Any

import redis


def published(client: redis.Redis) -> list[dict[str, Any]]:
    """The `schedules.fire` messages in the broker's queue: their runs and headers."""
    messages = []
    for raw in reversed(client.lrange("celery", 0, -1)):  # LPUSHed: the oldest is last
        envelope = json.loads(raw)
        args, _, _ = json.loads(base64.b64decode(envelope["body"]))
        messages.append({"runs": args[0], **envelope["headers"]})
    return messages


def runs_of(messages: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(run["schedule_id"], run["due_ms"]) for message in messages for run in message["runs"]]
