"""The chat page's buttons, placeholders, replies and group status, in a real headless Chromium, with a
real aiogram Bot over HTTP on the other side."""

import re
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.types import BufferedInputFile, ChatMemberMember, InlineKeyboardButton, InlineKeyboardMarkup
from playwright.async_api import Browser, Page, expect

from tests.support.browser import TIMEOUT_MS, opened
from tests.support.telegram import Telegram, emulated_bot
from tests.support.waiting import async_wait_for

PRIVATE, GROUP = 7101, -7101
CONFIRM = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Send", callback_data="send"),
                      InlineKeyboardButton(text="Cancel", callback_data="cancel")]]
)  # fmt: skip


@pytest.fixture(scope="module")
async def module_bot(running_emulator: Telegram) -> AsyncIterator[Bot]:
    async with emulated_bot(running_emulator) as bot:  # one session: closing one takes 0.25 s
        yield bot


@pytest.fixture
async def page(browser: Browser, telegram: Telegram) -> AsyncIterator[Page]:
    telegram.state.add_chat(PRIVATE, "private", "You")
    telegram.state.add_chat(GROUP, "group", "Sandbox group", creator=telegram.state.user_id)
    async with opened(browser, telegram) as page:
        yield page


async def test_button_click_is_a_callback_query_and_the_answer_a_toast(
    page: Page, telegram: Telegram, module_bot: Bot
) -> None:
    sent = await module_bot.send_message(PRIVATE, "Broadcast to 3 chats?", reply_markup=CONFIRM)
    message = page.locator(f'.message[data-message-id="{sent.message_id}"]')
    await expect(message.locator(".inline-button")).to_have_text(["Send", "Cancel"], timeout=TIMEOUT_MS)

    await message.get_by_role("button", name="Send").click()
    await async_wait_for(lambda: telegram.state.pending_count() == 1, 5, "the callback query")
    (update,) = await module_bot.get_updates(timeout=0)
    assert update.callback_query is not None
    assert (update.callback_query.data, update.callback_query.from_user.id) == ("send", PRIVATE)
    await module_bot.answer_callback_query(update.callback_query.id, text="Sending…")
    await expect(page.locator("#toast")).to_have_text("Sending…")

    await module_bot.edit_message_text("Sent to 3 chats.", chat_id=PRIVATE, message_id=sent.message_id)
    await expect(message.locator(".text")).to_have_text("Sent to 3 chats.")  # in place, buttons gone
    await expect(message.locator(".inline-button")).to_have_count(0)
    await expect(page.locator(".message")).to_have_count(1)


async def test_person_sends_a_photo_then_replies_to_it(page: Page, telegram: Telegram) -> None:
    await page.click("#attach")
    await page.click('#attach-menu [data-kind="photo"]')
    await expect(page.locator('#context [data-chip="attachment"]')).to_contain_text("photo-")
    await page.fill("#text", "Summer sale")
    await page.press("#text", "Enter")
    photo = page.locator('.message[data-from="user"]')
    await expect(photo.locator(".media")).to_contain_text("photo placeholder")
    await expect(photo.locator(".text")).to_have_text("Summer sale")
    await expect(page.locator("#context")).to_be_hidden()

    await photo.locator(".reply-button").click()
    await expect(page.locator('#context [data-chip="reply"]')).to_contain_text("Summer sale")
    await page.fill("#text", "/broadcast")
    await page.press("#text", "Enter")
    await expect(page.locator('.message[data-from="user"]')).to_have_count(2)
    original, command = telegram.state.messages[PRIVATE]
    assert original.media is not None
    assert (original.media.kind, original.caption) == ("photo", "Summer sale")
    assert (command.text, command.reply_to) == ("/broadcast", original.message_id)
    await expect(page.locator(".message .reply-quote")).to_contain_text("Summer sale")


async def test_bot_media_and_service_messages_are_shown(
    page: Page, telegram: Telegram, module_bot: Bot
) -> None:
    await module_bot.send_document(PRIVATE, BufferedInputFile(b"x", "report.pdf"), caption="<b>Monthly</b>")
    await telegram.state.user_posts(PRIVATE, service={"new_chat_title": "x"})
    bot_message = page.locator('.message[data-from="bot"]')
    await expect(bot_message.locator(".media")).to_contain_text("report.pdf", timeout=TIMEOUT_MS)
    await expect(bot_message.locator(".text b")).to_have_text("Monthly")
    await expect(page.locator(".message.service")).to_have_text(re.compile("new_chat_title"))


async def test_a_copy_shows_its_entities_as_formatting(
    page: Page, telegram: Telegram, module_bot: Bot
) -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 8},
        {"type": "italic", "offset": 4, "length": 8},
        {"type": "text_link", "offset": 12, "length": 4, "url": "https://example.org/"},
        {"type": "text_link", "offset": 17, "length": 3, "url": "javascript:window.pwned = 1"},
    ]
    original = await telegram.state.user_posts(GROUP, "Big news 🎉 here now", entities=entities)
    await module_bot.copy_message(PRIVATE, GROUP, original.message_id)
    text = page.locator('.message[data-from="bot"] .text')
    await expect(text).to_have_text("Big news 🎉 here now", timeout=TIMEOUT_MS)
    await expect(text.locator("b")).to_have_text(["Big ", "news"])  # "news" is bold and italic
    await expect(text.locator("i")).to_have_text(["news", " 🎉 "])  # 🎉 is 2 UTF-16 units, as Telegram counts
    await expect(text.locator('a[href="https://example.org/"]')).to_have_text("here")
    assert await text.locator("a").count() == 1  # the javascript: link stays plain text


async def test_person_makes_themself_admin_or_not_in_a_group(
    page: Page, telegram: Telegram, module_bot: Bot
) -> None:
    await expect(page.locator("#my-status-box")).to_be_hidden()  # a private chat
    await page.click(f'#chats li[data-chat-id="{GROUP}"]')
    await expect(page.locator("#my-status")).to_have_value("creator")  # the person made the group
    await page.select_option("#my-status", "member")
    user_id = telegram.state.user_id
    await async_wait_for(lambda: telegram.state.members.status(GROUP, user_id) == "member", 5, "the change")
    assert isinstance(await module_bot.get_chat_member(GROUP, user_id), ChatMemberMember)
    telegram.state.set_member_status(GROUP, user_id, "administrator")  # a test hook: the page follows
    await telegram.state.changed()
    await expect(page.locator("#my-status")).to_have_value("administrator")
