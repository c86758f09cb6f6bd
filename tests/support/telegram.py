"""The emulated Telegram as the tests (and the benchmarks) see it: its token, its state, its faults."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from devtools.emulator.faults import Faults
from devtools.emulator.server import start_emulator
from devtools.emulator.state import EmulatorState

TEST_TOKEN = "123456789:TEST-token-that-must-never-be-logged_0123456789"


@dataclass
class Telegram:
    """The emulated Telegram as the tests see it."""

    state: EmulatorState
    faults: Faults
    base_url: str


@asynccontextmanager
async def serving(state: EmulatorState, faults: Faults | None = None) -> AsyncIterator[str]:
    """The emulator over `state` (and `faults`) on the running loop for the block; yields its base URL."""
    running = await start_emulator(state, faults)
    try:
        yield running.base_url
    finally:
        await running.stop()
