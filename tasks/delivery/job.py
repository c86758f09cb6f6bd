import asyncio
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CopySource:
    """A message to copy (`copyMessage`) instead of sending a text: a broadcast's."""

    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """One delivery task's work: `text` for tick `tick`, claimed as `owner` (the Celery task id),
    until `deadline` (a `time.monotonic()` value).

    Optional: `copy` sends a copy of that message instead of `text`; `progress` names a Redis hash
    where each chat's outcome is counted once, when its claim is first confirmed (fields `sent`,
    `failed`, `blocked`); `stop`, once set, ends the chunk (what is unsent comes back as RETRY)."""

    tick: str
    text: str
    owner: str
    deadline: float
    concurrency: int
    copy: CopySource | None = None
    progress: str | None = None
    stop: asyncio.Event | None = None
