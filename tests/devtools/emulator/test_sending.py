"""sendMessage with an inline keyboard, sendPhoto/sendDocument placeholders and copyMessage, through a real
aiogram Bot over HTTP: answers parse as aiogram's types, refusals are Telegram's."""

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from devtools.emulator.flood import FloodLimits
from devtools.emulator.messages import Media
from tests.support.telegram import Telegram, emulated_bot

ADMIN, SUBSCRIBER, OTHER = 8001, 8002, 8003
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Send", callback_data="bc:send:1")],
                     [InlineKeyboardButton(text="Cancel", callback_data="bc:cancel:1")]]
)  # fmt: skip


@pytest.fixture(scope="module")
async def module_bot(running_emulator: Telegram) -> AsyncIterator[Bot]:
    async with emulated_bot(running_emulator) as bot:  # one session: closing one takes 0.25 s
        yield bot


@pytest.fixture
def bot(telegram: Telegram, module_bot: Bot) -> Bot:
    for chat_id in (ADMIN, SUBSCRIBER, OTHER):
        telegram.state.add_chat(chat_id)
    return module_bot


async def test_inline_keyboard_is_kept_and_returned(telegram: Telegram, bot: Bot) -> None:
    sent = await bot.send_message(ADMIN, "Broadcast to 2 chats?", reply_markup=KEYBOARD)
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == KEYBOARD.model_dump()
    stored = telegram.state.bot_messages(ADMIN)[0]
    assert [b["callback_data"] for b in stored.buttons()] == ["bc:send:1", "bc:cancel:1"]


async def test_bad_callback_data_is_refused(bot: Bot) -> None:
    too_long = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ADMIN, "hi", reply_markup=too_long)


async def test_photo_and_document_are_placeholders_with_a_file_id(telegram: Telegram, bot: Bot) -> None:
    photo = await bot.send_photo(ADMIN, BufferedInputFile(b"\x89PNG", "cat.png"), caption="<b>a cat</b>")
    assert photo.photo
    assert photo.photo[0].file_id.startswith("emu-photo-")
    assert photo.caption == "<b>a cat</b>"
    again = await bot.send_photo(SUBSCRIBER, photo.photo[-1].file_id)  # sent again by its file_id
    assert again.photo
    assert again.photo[0].file_id == photo.photo[0].file_id
    document = await bot.send_document(ADMIN, BufferedInputFile(b"%PDF", "report.pdf"))
    assert document.document is not None
    assert document.document.file_name == "report.pdf"
    assert [m.kind for m in telegram.state.bot_messages(ADMIN)] == ["photo", "document"]
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(ADMIN, "no-such-file-id")
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(ADMIN, photo.photo[0].file_id, caption="x" * 1025)


async def test_copy_of_a_text_keeps_its_entities_and_answers_only_the_id(
    telegram: Telegram, bot: Bot
) -> None:
    bold = [{"type": "bold", "offset": 0, "length": 5}]
    original = await telegram.state.user_posts(ADMIN, "Hello everyone", entities=bold)
    copied = await bot.copy_message(SUBSCRIBER, ADMIN, original.message_id)
    copy = telegram.state.bot_messages(SUBSCRIBER)[0]
    assert copied.message_id == copy.message_id != original.message_id
    assert (copy.text, copy.entities) == ("Hello everyone", bold)
    assert copy.reply_to is None
    assert copy.from_bot


async def test_copy_of_a_photo_or_document_keeps_file_and_caption(telegram: Telegram, bot: Bot) -> None:
    photo = await telegram.state.user_posts(ADMIN, media=Media.new("photo", "sea.jpg"), caption="The sea")
    document = await telegram.state.user_posts(ADMIN, media=Media.new("document", "notes.txt"))
    await bot.copy_message(SUBSCRIBER, ADMIN, photo.message_id)
    await bot.copy_message(SUBSCRIBER, ADMIN, document.message_id, caption="new caption")
    photo_copy, document_copy = telegram.state.bot_messages(SUBSCRIBER)
    assert (photo_copy.media, photo_copy.caption) == (photo.media, "The sea")
    assert (document_copy.media, document_copy.caption) == (document.media, "new caption")


async def test_service_message_cannot_be_copied(telegram: Telegram, bot: Bot) -> None:
    joined = await telegram.state.user_posts(ADMIN, service={"new_chat_members": [telegram.state.person(9)]})
    with pytest.raises(TelegramBadRequest, match="message can't be copied"):
        await bot.copy_message(SUBSCRIBER, ADMIN, joined.message_id)
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(SUBSCRIBER, ADMIN, 999_999)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.copy_message(SUBSCRIBER, 123, joined.message_id)
    assert telegram.state.bot_messages(SUBSCRIBER) == []


async def test_flood_limits_apply_to_copies_and_media_as_to_texts(telegram: Telegram, bot: Bot) -> None:
    telegram.faults.enforce_flood_limits(FloodLimits(global_per_second=None))  # one message/s per chat
    original = await telegram.state.user_posts(ADMIN, "hi")
    await bot.send_message(SUBSCRIBER, "first")
    with pytest.raises(TelegramRetryAfter):
        await bot.copy_message(SUBSCRIBER, ADMIN, original.message_id)
    with pytest.raises(TelegramRetryAfter):
        await bot.send_document(SUBSCRIBER, BufferedInputFile(b"x", "x.txt"))
    await bot.copy_message(OTHER, ADMIN, original.message_id)  # another chat: its own budget
    assert telegram.faults.counts == {429: 2}
