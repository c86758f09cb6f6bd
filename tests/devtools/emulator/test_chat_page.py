"""The sandbox chat page in a real headless Chromium, against the emulator and a real polling bot."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import punq
import pytest
from aiogram import Bot
from playwright.async_api import Browser, Page, expect
from pydantic import AnyHttpUrl, SecretStr

from core.redaction import SecretRedactor
from core.settings import TelegramSettings
from core.telegram import create_bot
from tests.support.browser import TIMEOUT_MS, opened
from tests.support.polling import polling
from tests.support.telegram import TEST_TOKEN, Telegram
from tests.support.waiting import async_wait_for

PRIVATE, GROUP = 7001, -7001


@pytest.fixture
async def page(browser: Browser, telegram: Telegram) -> AsyncIterator[Page]:
    telegram.state.add_chat(PRIVATE, "private", "You")
    telegram.state.add_chat(GROUP, "group", "Sandbox group")
    async with opened(browser, telegram) as page:
        yield page


@pytest.fixture
async def bot(telegram: Telegram) -> AsyncIterator[Bot]:
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(telegram.base_url))
    bot = create_bot(settings, SecretRedactor([]))  # HTML parse mode by default, as the project's bot
    yield bot
    await bot.session.close()


async def say(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


@pytest.mark.usefixtures("celery_worker", "running_bot")
async def test_ping_typed_in_the_page_gets_pong(page: Page, telegram: Telegram) -> None:
    await say(page, "/ping")

    await expect(page.locator('.message[data-from="user"]')).to_have_text(re.compile(r"^/ping"))
    reply = page.locator('.message[data-from="bot"] .text')
    await expect(reply).to_have_text(re.compile(r"^pong — \d+ ms$"), timeout=TIMEOUT_MS)
    assert [m.text for m in telegram.state.messages[PRIVATE] if not m.from_bot] == ["/ping"]
    await expect(page.locator("#text")).to_have_value("")


@pytest.mark.usefixtures("running_bot")
async def test_group_chat_is_its_own_conversation(page: Page, telegram: Telegram) -> None:
    await expect(page.locator(f'#chats li[data-chat-id="{PRIVATE}"]')).to_have_class(re.compile("active"))
    await page.click(f'#chats li[data-chat-id="{GROUP}"]')
    await expect(page.locator("#chat-title")).to_have_text("Sandbox group")
    await say(page, "/help")

    await expect(page.locator('.message[data-from="bot"] .text')).to_contain_text(
        "Commands:", timeout=TIMEOUT_MS
    )
    assert telegram.state.bot_messages(GROUP)
    assert not telegram.state.bot_messages(PRIVATE)

    await page.click(f'#chats li[data-chat-id="{PRIVATE}"]')
    await expect(page.locator(".message")).to_have_count(0)


async def test_bot_html_renders_as_telegram_does(page: Page, telegram: Telegram, bot: Bot) -> None:
    await bot.send_message(
        PRIVATE,
        "<b>bold</b> <i>italic</i> <u>under</u> <s>struck</s> <code>x = 1</code> "
        '<a href="https://example.org/">link</a> <blockquote>quoted</blockquote> '
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    )
    text = page.locator('.message[data-from="bot"] .text')
    await expect(text.locator("b")).to_have_text("bold", timeout=TIMEOUT_MS)
    weight = await text.locator("b").evaluate("node => getComputedStyle(node).fontWeight")
    assert weight == "700"  # bold, as the browser renders <b>
    for tag, content in [("i", "italic"), ("u", "under"), ("s", "struck"), ("code", "x = 1"),
                         ("blockquote", "quoted")]:  # fmt: skip
        await expect(text.locator(tag)).to_have_text(content)
    await expect(text.locator('a[href="https://example.org/"]')).to_have_text("link")
    await expect(text).to_contain_text("<script>alert(1)</script>")  # escaped markup is shown, as text
    assert await page.locator("#messages script").count() == 0


async def test_markup_outside_telegrams_tags_never_runs(page: Page, telegram: Telegram) -> None:
    # Straight into the emulator's state: its Bot API refuses these tags, as Telegram does; the page
    # must stay safe whatever text reaches it.
    await telegram.state.bot_says(
        PRIVATE,
        "<b>safe</b><script>window.pwned = 'script'</script>"
        '<img src="x" onerror="window.pwned = \'img\'"><a href="javascript:window.pwned = 1">js link</a>'
        '<iframe src="javascript:parent.pwned = 1"></iframe><b onclick="window.pwned = 1">handler</b>',
        "HTML",
    )
    text = page.locator('.message[data-from="bot"] .text')
    await expect(text.locator("b").first).to_have_text("safe", timeout=TIMEOUT_MS)
    await expect(text).to_contain_text("js link")
    await text.locator("b", has_text="handler").click()
    await text.get_by_text("js link").click()
    for dangerous in ("script", "img", "iframe", "a", "[onclick]", "[onerror]"):
        assert await text.locator(dangerous).count() == 0, dangerous
    assert await page.evaluate("window.pwned") is None


async def test_what_the_person_writes_is_plain_text(page: Page, telegram: Telegram) -> None:
    await say(page, '<b>not bold</b> <img src=x onerror="window.pwned = 1">')
    mine = page.locator('.message[data-from="user"] .text')
    await expect(mine).to_have_text('<b>not bold</b> <img src=x onerror="window.pwned = 1">')
    assert await mine.locator("b, img").count() == 0
    await async_wait_for(lambda: telegram.state.messages[PRIVATE], 5, "the message to reach the emulator")
    assert telegram.state.messages[PRIVATE][0].text.startswith("<b>not bold</b>")
    assert await page.evaluate("window.pwned") is None


async def test_live_edits_and_unread_counts(page: Page, telegram: Telegram) -> None:
    sent = await telegram.state.bot_says(GROUP, "first version", None)
    badge = page.locator(f'#chats li[data-chat-id="{GROUP}"] .unread')
    await expect(badge).to_have_text("1", timeout=TIMEOUT_MS)

    await page.click(f'#chats li[data-chat-id="{GROUP}"]')
    await expect(badge).to_have_text("")
    await telegram.state.bot_edits(sent, "second version", None)
    message = page.locator(f'.message[data-message-id="{sent.message_id}"]')
    await expect(message.locator(".text")).to_have_text("second version")
    await expect(message.locator(".meta")).to_contain_text("edited")


async def test_status_says_bot_starting_until_the_bot_polls(
    page: Page, telegram: Telegram, container: punq.Container
) -> None:
    status = page.locator("#status")
    await expect(status).to_have_text("bot starting…")
    await expect(status).to_have_attribute("data-state", "starting")
    async with polling(container, telegram.state):  # yields after the bot's first getUpdates
        await expect(status).to_have_text("online", timeout=TIMEOUT_MS)
        await expect(status).to_have_attribute("data-state", "online")


async def test_times_are_24_hour_utc_whatever_the_browser_time_zone(
    browser: Browser, telegram: Telegram
) -> None:
    telegram.state.add_chat(PRIVATE, "private", "You")
    sent = await telegram.state.bot_says(PRIVATE, "hello", None)
    sent.date = int(datetime(2026, 1, 2, 15, 4, 5, tzinfo=UTC).timestamp())  # 3 PM: 12-hour would say 03
    async with opened(browser, telegram, timezone_id="America/Los_Angeles", locale="en-US") as page:
        meta = page.locator(".message .meta")
        await expect(meta).to_have_text("15:04")
        await expect(meta).to_have_attribute("title", "2026-01-02 15:04:05 UTC")


async def test_history_is_not_unread_on_a_fresh_load_new_messages_are(
    browser: Browser, telegram: Telegram
) -> None:
    telegram.state.add_chat(PRIVATE, "private", "You")
    telegram.state.add_chat(GROUP, "group", "Sandbox group")
    await telegram.state.bot_says(GROUP, "said before the page was opened", None)
    async with opened(browser, telegram) as page:
        badge = page.locator(f'#chats li[data-chat-id="{GROUP}"] .unread')
        await expect(page.locator(f'#chats li[data-chat-id="{GROUP}"] .preview')).to_have_text(
            "said before the page was opened"
        )
        await expect(badge).to_have_text("")
        await telegram.state.bot_says(GROUP, "said while it is open", None)
        await expect(badge).to_have_text("1", timeout=TIMEOUT_MS)


async def test_message_box_stays_on_a_phone_screen(browser: Browser, telegram: Telegram) -> None:
    telegram.state.add_chat(PRIVATE, "private", "You")
    for n in range(30):
        await telegram.state.bot_says(PRIVATE, f"message {n} " + "and some more text " * 8, None)
    async with opened(browser, telegram, viewport={"width": 375, "height": 667}) as page:
        await expect(page.locator(".message")).to_have_count(30)
        for control in ("#text", "#send"):
            box = await page.locator(control).bounding_box()
            assert box is not None
            assert box["y"] >= 0, (control, box)
            assert box["y"] + box["height"] <= 667, (control, box)
            assert box["x"] + box["width"] <= 375, (control, box)
        await say(page, "typed on a phone")
        await expect(page.locator('.message[data-from="user"]')).to_have_text(re.compile("^typed on a phone"))


async def test_text_over_telegrams_limit_is_refused_with_a_note(page: Page, telegram: Telegram) -> None:
    await page.fill("#text", "x" * 4097)
    await page.press("#text", "Enter")
    await expect(page.locator("#error")).to_have_text(
        "Not sent: 4,097 characters; Telegram allows 4,096 at most."
    )
    await expect(page.locator("#text")).to_have_value("x" * 4097)  # kept, to be shortened
    assert telegram.state.messages[PRIVATE] == []
    await say(page, "x" * 4096)
    await expect(page.locator('.message[data-from="user"]')).to_have_count(1)
    await expect(page.locator("#error")).to_be_hidden()
