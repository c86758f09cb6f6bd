"""The emulator's Bot API answers as Telegram does, seen through a real aiogram Bot over HTTP."""

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound, TelegramUnauthorizedError
from pydantic import AnyHttpUrl, SecretStr

from core.redaction import SecretRedactor
from core.settings import TelegramSettings
from core.telegram import create_bot
from devtools.emulator.validation import MAX_TEXT_LENGTH
from tests.support.telegram import TEST_TOKEN, Telegram
from tests.support.waiting import async_wait_for

CHAT = 5001


def _bot(telegram: Telegram, token: str = TEST_TOKEN) -> Bot:
    settings = TelegramSettings(bot_token=SecretStr(token), api_base_url=AnyHttpUrl(telegram.base_url))
    return create_bot(settings, SecretRedactor([]))


@pytest.fixture
async def bot(telegram: Telegram) -> AsyncIterator[Bot]:
    telegram.state.add_chat(CHAT)
    bot = _bot(telegram)
    yield bot
    await bot.session.close()


async def test_unknown_method_is_telegrams_404(telegram: Telegram) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{telegram.base_url}/bot{TEST_TOKEN}/sendTelepathy", json={}) as response,
    ):
        assert response.status == 404
        assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_unknown_method_through_aiogram_is_not_found(bot: Bot) -> None:
    with pytest.raises(TelegramNotFound):
        await bot.get_chat(CHAT)  # a real method the emulator does not implement


async def test_text_over_4096_characters_is_refused(telegram: Telegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "x" * MAX_TEXT_LENGTH)  # the limit itself is fine
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "x" * (MAX_TEXT_LENGTH + 1))
    assert [len(m.text) for m in telegram.state.bot_messages(CHAT)] == [MAX_TEXT_LENGTH]


async def test_html_markup_does_not_count_towards_the_limit(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "<b>" + "x" * MAX_TEXT_LENGTH + "</b>")
    assert sent.text is not None


async def test_unknown_chat_is_chat_not_found(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(CHAT + 1, "hello")


async def test_wrong_token_is_unauthorized(telegram: Telegram) -> None:
    bot = _bot(telegram, "987654321:ANOTHER-token-the-emulator-does-not-know")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await bot.session.close()


async def test_revoked_token_is_unauthorized(telegram: Telegram, bot: Bot) -> None:
    telegram.faults.token_revoked = True
    with pytest.raises(TelegramUnauthorizedError):
        await bot.send_message(CHAT, "hello")


async def test_get_updates_long_poll_returns_as_soon_as_an_update_arrives(
    telegram: Telegram, bot: Bot
) -> None:
    telegram.state.method_calls.clear()
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await async_wait_for(lambda: "getUpdates" in telegram.state.method_calls, 5, "the long poll to arrive")
    assert not poll.done()

    await telegram.state.user_says(CHAT, "/help")
    updates = await asyncio.wait_for(poll, 5)  # far below the poll's own 20 s

    assert len(updates) == 1
    assert updates[0].message is not None
    assert updates[0].message.text == "/help"
    assert updates[0].message.chat.id == CHAT


async def test_get_updates_confirms_below_the_offset(telegram: Telegram, bot: Bot) -> None:
    for text in ("one", "two"):
        await telegram.state.user_says(CHAT, text)
    first, second = await bot.get_updates(timeout=0)
    assert [u.update_id for u in await bot.get_updates(offset=second.update_id, timeout=0)] == [
        second.update_id
    ]
    assert await bot.get_updates(offset=second.update_id + 1, timeout=0) == []
    assert first.update_id < second.update_id
