"""The emulator's broken answers (Faults.break_next), as a real aiogram Bot over HTTP sees them: each
for the next N calls, then Telegram answers normally again."""

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError, TelegramServerError
from pydantic import AnyHttpUrl, SecretStr

from core.redaction import SecretRedactor
from core.settings import TelegramSettings
from core.telegram import create_bot
from devtools.emulator.breakdowns import Breakdown
from tests.support.telegram import TEST_TOKEN, Telegram

CHAT = 5101
RAISES = {
    Breakdown.HTML_502: ClientDecodeError,
    Breakdown.INVALID_JSON: ClientDecodeError,
    Breakdown.SERVER_ERROR: TelegramServerError,
    Breakdown.DROP: TelegramNetworkError,
}


@pytest.fixture
async def bot(telegram: Telegram) -> AsyncIterator[Bot]:
    telegram.state.add_chat(CHAT)
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(telegram.base_url))
    bot = create_bot(settings, SecretRedactor([]))
    yield bot
    await bot.session.close()


@pytest.mark.parametrize("kind", list(Breakdown))
async def test_broken_for_n_calls_then_recovered(telegram: Telegram, bot: Bot, kind: Breakdown) -> None:
    telegram.faults.break_next(kind, 2)
    for _ in range(2):
        with pytest.raises(RAISES[kind]):
            await bot.send_message(CHAT, "hello")
    assert (await bot.send_message(CHAT, "hello")).text == "hello"
    assert [m.text for m in telegram.state.messages[CHAT]] == ["hello"], "a broken call sends nothing"
    assert telegram.faults.broken == {kind: 2}


async def test_polling_is_left_alone(telegram: Telegram, bot: Bot) -> None:
    telegram.faults.break_next(Breakdown.HTML_502, 1)
    assert await bot.get_updates(timeout=0) == []
    assert telegram.faults.breakdowns, "getUpdates does not use up a broken answer"
