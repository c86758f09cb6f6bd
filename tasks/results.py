"""What tasks return: JSON-serialisable TypedDicts, so producers read results with types."""

from typing import TypedDict


class PingResult(TypedDict):
    pong: bool
    worker: str
