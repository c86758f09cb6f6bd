"""The Redis layout of schedules and how a schedule is written to and read from its hash.

- `schedules:due`        ZSET id → next fire time (ms since the epoch); a claimed entry's score is its
                         lease's end instead, while its hash keeps the fire time it was claimed for.
- `schedules:s:<id>`     HASH: the schedule's fields and `due` (ms), the fire time it waits for.
- `schedules:chat:<id>`  SET of the chat's schedule ids.
- `schedules:tz`         HASH chat id → IANA zone (chats on the default zone have no field).
"""

import json
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from core.schedules.model import Schedule, ScheduleKind, ScheduleSpec

ID_ALPHABET = string.ascii_lowercase + string.digits
ID_LENGTH = 5  # 60 million ids: the ADD script refuses one already taken, and the caller picks another


def new_id() -> str:
    """A short id people type (/cancel k3x9q); not a secret: /cancel checks the chat owns it."""
    return "".join(random.choices(ID_ALPHABET, k=ID_LENGTH))


@dataclass(frozen=True, slots=True)
class ScheduleKeys:
    prefix: str = "schedules"

    @property
    def due(self) -> str:
        return f"{self.prefix}:due"

    @property
    def zones(self) -> str:
        return f"{self.prefix}:tz"

    @property
    def schedule_prefix(self) -> str:
        return f"{self.prefix}:s:"

    def schedule(self, schedule_id: str) -> str:
        return self.schedule_prefix + schedule_id

    def chat(self, chat_id: int) -> str:
        return f"{self.prefix}:chat:{chat_id}"


def to_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def from_ms(value: int | str | bytes) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def encode(schedule: Schedule) -> dict[str, str]:
    spec = schedule.spec
    return {
        "chat_id": str(schedule.chat_id),
        "chat_type": schedule.chat_type,
        "kind": spec.kind.value,
        "text": spec.text,
        "seconds": "" if spec.seconds is None else str(spec.seconds),
        "expression": spec.expression or "",
        "task": schedule.task,
        "args": json.dumps(list(schedule.args)),
        "created_by": str(schedule.created_by),
    }


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def fields(flat: list[bytes | str]) -> dict[str, str]:
    """A HGETALL answered inside Lua (a flat list) as a dict of str."""
    return {text(flat[i]): text(flat[i + 1]) for i in range(0, len(flat), 2)}


def decode(schedule_id: str, values: Mapping[str, str]) -> Schedule:
    spec = ScheduleSpec(
        ScheduleKind(values["kind"]),
        values["text"],
        seconds=int(values["seconds"]) if values["seconds"] else None,
        expression=values["expression"] or None,
    )
    return Schedule(
        id=schedule_id,
        chat_id=int(values["chat_id"]),
        chat_type=values["chat_type"],
        spec=spec,
        task=values["task"],
        args=tuple(json.loads(values["args"])),
        created_by=int(values["created_by"]),
    )
