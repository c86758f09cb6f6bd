"""What tasks return: JSON-serialisable TypedDicts, so producers read results with types."""

from typing import TypedDict


class PingResult(TypedDict):
    pong: bool
    worker: str


class BroadcastReport(TypedDict):
    tick: str
    duplicate: bool
    chats: int
    chunks: int


class DeliveryReport(TypedDict):
    """Chats per outcome (see tasks.delivery.sender.Outcome)."""

    sent: int
    duplicate: int
    unsubscribed: int
    migrated: int
    failed: int
    retry: int
