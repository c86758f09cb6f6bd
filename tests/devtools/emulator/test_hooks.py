"""The test hooks other tests drive the emulator with: a person posts any kind of message (the bot's
update parses as aiogram's types), replies to a message, presses a button."""

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.types import Message

from devtools.emulator.messages import Media
from tests.support.telegram import Telegram, emulated_bot

CHAT, GROUP, NEWCOMER = 8201, -8201, 8299


@pytest.fixture(scope="module")
async def module_bot(running_emulator: Telegram) -> AsyncIterator[Bot]:
    async with emulated_bot(running_emulator) as bot:  # one session: closing one takes 0.25 s
        yield bot


@pytest.fixture
def bot(telegram: Telegram, module_bot: Bot) -> Bot:
    telegram.state.add_chat(CHAT)
    telegram.state.add_chat(GROUP, "supergroup", "Team")
    return module_bot


async def received(bot: Bot) -> list[Message]:
    updates = await bot.get_updates(timeout=0)
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)  # confirmed
    return [update.message for update in updates if update.message is not None]


async def test_every_kind_of_message_reaches_the_bot_as_aiogram_parses_it(
    telegram: Telegram, bot: Bot
) -> None:
    state = telegram.state
    bold = [{"type": "bold", "offset": 0, "length": 4}]
    await state.user_posts(CHAT, "Big news", entities=bold)
    await state.user_posts(CHAT, media=Media.new("photo", "cat.jpg"), caption="News", entities=bold)
    await state.user_posts(CHAT, document="notes.pdf")
    await state.user_posts(GROUP, service={"new_chat_members": [state.person(NEWCOMER)]}, user_id=NEWCOMER)
    text, photo, document, joined = await received(bot)
    assert text.text == "Big news"
    assert text.entities
    assert text.entities[0].type == "bold"
    assert photo.photo
    assert photo.caption == "News"
    assert photo.caption_entities
    assert document.document is not None
    assert document.document.file_name == "notes.pdf"
    assert joined.new_chat_members
    assert joined.new_chat_members[0].id == NEWCOMER
    assert joined.from_user is not None
    assert joined.from_user.id == NEWCOMER
    assert joined.text is None


async def test_a_reply_carries_the_message_it_answers(telegram: Telegram, bot: Bot) -> None:
    original = await telegram.state.user_posts(CHAT, media=Media.new("photo", "x.jpg"), caption="Sale")
    await telegram.state.user_posts(CHAT, "/broadcast", reply_to=original.message_id)
    _, command = await received(bot)
    assert command.text == "/broadcast"
    assert command.entities
    assert command.entities[0].type == "bot_command"
    replied = command.reply_to_message
    assert replied is not None
    assert replied.message_id == original.message_id
    assert replied.caption == "Sale"


async def test_pressing_a_button_needs_a_bot_message_with_that_button(telegram: Telegram) -> None:
    mine = await telegram.state.user_says(CHAT, "hello")
    with pytest.raises(LookupError, match="no bot message"):
        await telegram.state.press_button(CHAT, mine.message_id, "x")
    bot_message = await telegram.state.bot_says(CHAT, "no buttons", None)
    with pytest.raises(LookupError, match="no button"):
        await telegram.state.press_button(CHAT, bot_message.message_id, "x")
    assert telegram.state.pending_count() == 1  # only the person's message
