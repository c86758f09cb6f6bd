"""The emulated Telegram as the tests (and the benchmarks) see it: its token, its state, its faults."""

from dataclasses import dataclass

from devtools.emulator.faults import Faults
from devtools.emulator.state import EmulatorState

TEST_TOKEN = "123456789:TEST-token-that-must-never-be-logged_0123456789"


@dataclass
class Telegram:
    """The emulated Telegram as the tests see it."""

    state: EmulatorState
    faults: Faults
    base_url: str
