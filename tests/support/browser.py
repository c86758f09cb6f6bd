"""The chat page in a real headless Chromium (Debian's), for the sandbox page's tests."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.support.telegram import Telegram

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
TIMEOUT_MS = 15_000


@asynccontextmanager
async def launched_browser() -> AsyncIterator[Browser]:
    """Chromium, or a skip (a failure on CI) where it is not installed."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@asynccontextmanager
async def opened(browser: Browser, telegram: Telegram, **context: Any) -> AsyncIterator[Page]:
    """The chat page in a new browser context (`context`: viewport, time zone...), once it has the chats."""
    browser_context = await browser.new_context(**context)
    page = await browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{telegram.base_url}/")
    await expect(page.locator("#status")).not_to_have_attribute(
        "data-state", "connecting", timeout=TIMEOUT_MS
    )
    yield page
    await browser_context.close()
    assert errors == []
