"""The correlation id that follows one update from the bot into the worker's log lines."""

import uuid

import structlog

CORRELATION_HEADER = "x_correlation_id"


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:16]


def correlation_headers() -> dict[str, str]:
    """Headers for a task published now: the correlation id bound in the caller's log context."""
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    return {CORRELATION_HEADER: str(correlation_id)} if correlation_id else {}
