"""The emulated Telegram as the tests (and the benchmarks) see it: its token, its state, its faults."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiogram import Bot
from pydantic import AnyHttpUrl, SecretStr

from core.redaction import SecretRedactor
from core.settings import TelegramSettings
from core.telegram import create_bot
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


@asynccontextmanager
async def emulated_bot(telegram: Telegram) -> AsyncIterator[Bot]:
    """The product's Bot (core.telegram.create_bot) talking to the emulator, closed afterwards."""
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(telegram.base_url))
    bot = create_bot(settings, SecretRedactor([]))
    try:
        yield bot
    finally:
        await bot.session.close()
