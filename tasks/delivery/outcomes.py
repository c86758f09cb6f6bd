"""What sending a chunk comes to: each chat's outcome, and the two ways a chunk stops short."""

from enum import StrEnum

from core.subscriptions import Subscriber


class Outcome(StrEnum):
    SENT = "sent"
    DUPLICATE = "duplicate"
    UNSUBSCRIBED = "unsubscribed"
    MIGRATED = "migrated"
    FAILED = "failed"
    RETRY = "retry"


# A job's `progress` hash (a broadcast's): the field each final outcome counts into.
PROGRESS_FIELD = {Outcome.SENT: "sent", Outcome.MIGRATED: "sent", Outcome.UNSUBSCRIBED: "blocked",
                  Outcome.FAILED: "failed"}  # fmt: skip


class TokenRevokedError(RuntimeError):
    """401 from the Bot API: the token was revoked; nothing can be sent until it is replaced.
    `unsent`: the chunk's chats that were not sent."""

    def __init__(self, unsent: list[Subscriber]) -> None:
        super().__init__("the Bot API answered 401 Unauthorized")
        self.unsent = unsent


class DeliveryInterruptedError(RuntimeError):
    """The chunk could not finish (Redis failed); the task retries it whole under its own id."""
