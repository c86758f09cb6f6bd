"""Waiting on conditions with a deadline, never on a fixed sleep."""

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
POLL = 0.02


class _Deadline:
    def __init__(self, timeout: float, what: str) -> None:
        self._at = time.monotonic() + timeout
        self._message = f"timed out after {timeout}s waiting for {what}"

    def check(self) -> None:
        if time.monotonic() > self._at:
            raise AssertionError(self._message)


def wait_for(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = _Deadline(timeout, what)
    while not (value := condition()):
        deadline.check()
        time.sleep(POLL)
    return value


async def async_wait_for(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = _Deadline(timeout, what)
    while not (value := condition()):
        deadline.check()
        await asyncio.sleep(POLL)
    return value
