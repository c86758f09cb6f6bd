"""What producers know of tasks besides their names: the shapes of arguments and results.

JSON-serialisable TypedDicts, so a task's payload and result are typed on both sides of the queue.
"""

from typing import TypedDict


class PingResult(TypedDict):
    pong: bool
    worker: str


class FanOutReport(TypedDict):
    """What one run of a notification's fan-out published."""

    tick: str
    duplicate: bool
    chats: int
    chunks: int


class Recipient(TypedDict):
    """One chat a delivery task sends to."""

    chat_id: int
    chat_type: str


class DeliveryReport(TypedDict):
    """Chats per outcome (see tasks.delivery.sender.Outcome)."""

    sent: int
    duplicate: int
    unsubscribed: int
    migrated: int
    failed: int
    retry: int
