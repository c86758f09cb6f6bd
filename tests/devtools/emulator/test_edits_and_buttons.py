"""Edits, inline buttons pressed (callback queries and their answers) and getChatMember, through a real
aiogram Bot over HTTP."""

import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import (
    BufferedInputFile,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from devtools.emulator.flood import FloodLimits
from tests.support.telegram import Telegram, emulated_bot

PRIVATE, GROUP, STRANGER = 8101, -8101, 8199
STOP = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Stop", callback_data="stop")]])


@pytest.fixture(scope="module")
async def module_bot(running_emulator: Telegram) -> AsyncIterator[Bot]:
    async with emulated_bot(running_emulator) as bot:  # one session: closing one takes 0.25 s
        yield bot


@pytest.fixture
def bot(telegram: Telegram, module_bot: Bot) -> Bot:
    telegram.state.add_chat(PRIVATE)
    telegram.state.add_chat(GROUP, "group", "Team", creator=telegram.state.user_id)
    return module_bot


async def test_edit_text_keeps_markup_given_and_notes_each_edit(telegram: Telegram, bot: Bot) -> None:
    sent = await bot.send_message(PRIVATE, "sent 0", reply_markup=STOP)
    before = time.time()
    edited = await bot.edit_message_text(
        "sent 5", chat_id=PRIVATE, message_id=sent.message_id, reply_markup=STOP
    )
    assert isinstance(edited, type(sent))
    assert edited.text == "sent 5"
    assert edited.edit_date is not None
    assert edited.reply_markup is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("sent 5", chat_id=PRIVATE, message_id=sent.message_id, reply_markup=STOP)
    await bot.edit_message_text("done", chat_id=PRIVATE, message_id=sent.message_id)  # no markup: removed
    message = telegram.state.bot_messages(PRIVATE)[0]
    assert (message.text, message.reply_markup) == ("done", None)
    assert len(message.edit_times) == 2
    assert before <= message.edit_times[0] <= message.edit_times[1]


async def test_edit_reply_markup_alone_and_refusals(telegram: Telegram, bot: Bot) -> None:
    sent = await bot.send_message(PRIVATE, "Send?", reply_markup=STOP)
    await bot.edit_message_reply_markup(chat_id=PRIVATE, message_id=sent.message_id)
    message = telegram.state.bot_messages(PRIVATE)[0]
    assert (message.text, message.reply_markup, len(message.edit_times)) == ("Send?", None, 1)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=PRIVATE, message_id=sent.message_id)
    empty = InlineKeyboardMarkup(inline_keyboard=[])
    with pytest.raises(TelegramBadRequest, match="message is not modified"):  # an empty keyboard is none
        await bot.edit_message_reply_markup(chat_id=PRIVATE, message_id=sent.message_id, reply_markup=empty)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=PRIVATE, message_id=999_999)
    mine = await telegram.state.user_says(PRIVATE, "a person's message")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=PRIVATE, message_id=mine.message_id)
    photo = await bot.send_photo(PRIVATE, BufferedInputFile(b"x", "x.png"), caption="old")
    with pytest.raises(TelegramBadRequest, match="no text in the message"):
        await bot.edit_message_text("x", chat_id=PRIVATE, message_id=photo.message_id)
    await bot.edit_message_caption(chat_id=PRIVATE, message_id=photo.message_id, caption="new")
    assert telegram.state.bot_messages(PRIVATE)[-1].caption == "new"


async def test_edits_pass_the_flood_limits(telegram: Telegram, bot: Bot) -> None:
    sent = await bot.send_message(PRIVATE, "one")
    telegram.faults.enforce_flood_limits(FloodLimits(global_per_second=None))
    await bot.edit_message_text("two", chat_id=PRIVATE, message_id=sent.message_id)
    with pytest.raises(TelegramRetryAfter):
        await bot.edit_message_text("three", chat_id=PRIVATE, message_id=sent.message_id)
    assert telegram.state.bot_messages(PRIVATE)[0].text == "two"


async def test_pressed_button_is_a_callback_query_answered_once(telegram: Telegram, bot: Bot) -> None:
    sent = await bot.send_message(GROUP, "Broadcasting…", reply_markup=STOP)
    query_id = await telegram.state.press_button(GROUP, sent.message_id, "stop", user_id=STRANGER)
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "stop"
    assert query.from_user.id == STRANGER
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Stopping…")
    assert telegram.state.callback_answers[query.id] == {"text": "Stopping…", "show_alert": False}
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(LookupError):
        await telegram.state.press_button(GROUP, sent.message_id, "no-such-button")


async def test_chat_member_statuses(telegram: Telegram, bot: Bot) -> None:
    state = telegram.state
    assert isinstance(await bot.get_chat_member(PRIVATE, PRIVATE), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(GROUP, state.user_id), ChatMemberOwner)  # made the group
    assert isinstance(await bot.get_chat_member(GROUP, STRANGER), ChatMemberLeft)
    await state.user_posts(GROUP, "hello", user_id=STRANGER)
    assert isinstance(await bot.get_chat_member(GROUP, STRANGER), ChatMemberMember)
    await state.user_posts(GROUP, service={"left_chat_member": state.person(STRANGER)}, user_id=STRANGER)
    assert isinstance(await bot.get_chat_member(GROUP, STRANGER), ChatMemberLeft)
    state.set_member_status(GROUP, STRANGER, "administrator")
    admin = await bot.get_chat_member(GROUP, STRANGER)
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.user.id == STRANGER
    state.set_member_status(GROUP, STRANGER, "kicked")
    assert isinstance(await bot.get_chat_member(GROUP, STRANGER), ChatMemberBanned)
    with pytest.raises(ValueError, match="status must be one of"):
        state.set_member_status(GROUP, STRANGER, "boss")  # type: ignore[arg-type]
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.get_chat_member(PRIVATE, STRANGER)
