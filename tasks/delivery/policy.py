"""What the sender does with each Bot API failure: every exception a send can raise has a verdict.

| Telegram answers                                  | verdict   | what the sender does                    |
|---------------------------------------------------|-----------|-----------------------------------------|
| 429 retry_after                                   | FLOOD     | every worker pauses that long, retry     |
| 400 with migrate_to_chat_id                       | MIGRATED  | move the subscription, send to new id    |
| 403; 400 "chat not found"                         | GONE      | unsubscribe the chat, no retry           |
| other 400; 413 (entity too large)                 | REJECTED  | log an error, no retry (the message)     |
| 401                                               | REVOKED   | stop the chunk, give its chats up        |
| 5xx, network errors, dropped connections, non-JSON| TRANSIENT | bounded retries with backoff, then the   |
| or undecodable answers (HTML 502 page, cut JSON), |           | Celery task retries the chat, then a     |
| 404, 409, any other status, any other exception   |           | `delivery_gave_up` line names it         |

404 and 409 do not come from a send that Telegram understood (a proxy or a misrouted base URL answers
them); an answer nobody foresaw is treated as passing trouble rather than as a verdict on the chat.
"""

from enum import StrEnum

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)

ERROR_TEXT_LIMIT = 200  # an HTML error page is quoted whole in aiogram's ClientDecodeError


class Verdict(StrEnum):
    FLOOD = "flood"
    MIGRATED = "migrated"
    GONE = "gone"
    REJECTED = "rejected"
    REVOKED = "revoked"
    TRANSIENT = "transient"


# In order: the first rule whose exception type matches decides (400s are read apart, below).
RULES: tuple[tuple[type[Exception], Verdict], ...] = (
    (TelegramRetryAfter, Verdict.FLOOD),
    (TelegramMigrateToChat, Verdict.MIGRATED),
    (TelegramUnauthorizedError, Verdict.REVOKED),
    (TelegramForbiddenError, Verdict.GONE),
    (TelegramEntityTooLarge, Verdict.REJECTED),  # a TelegramNetworkError subclass: not transient
)


def verdict(error: Exception) -> Verdict:
    """The policy for a failed `sendMessage` (the table above)."""
    if isinstance(error, TelegramBadRequest) and not isinstance(error, TelegramMigrateToChat):
        return Verdict.GONE if "chat not found" in error.message.lower() else Verdict.REJECTED
    return next((kind for error_type, kind in RULES if isinstance(error, error_type)), Verdict.TRANSIENT)


def describe(error: Exception) -> str:
    """The error for a log line, cut to ERROR_TEXT_LIMIT characters."""
    return f"{type(error).__name__}: {str(error)[:ERROR_TEXT_LIMIT]}"
