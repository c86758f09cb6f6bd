"""The bot's start-up check of the Bot API: a wrong token, a server that cannot be reached or one that is
not a Bot API each become one line naming the cause, without the token."""

from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest
from aiogram.exceptions import ClientDecodeError, TelegramEntityTooLarge
from aiohttp import web
from pydantic import AnyHttpUrl, SecretStr

from core.redaction import SecretRedactor
from core.settings import TelegramSettings
from core.telegram import START_ATTEMPTS, BotApiUnavailableError, check_bot_api, create_bot
from devtools.emulator.breakdowns import Breakdown
from devtools.ports import free_port
from tests.support.telegram import TEST_TOKEN, Telegram

WRONG_TOKEN = "987654321:WRONG-token-the-emulator-does-not-know_01234"


@pytest.fixture
async def html_server() -> AsyncIterator[str]:
    """A web server that is not a Bot API: an HTML 404 page quoting the URL, token and all."""

    async def page(request: web.Request) -> web.Response:
        body = f"<h1>Not Found</h1>{request.raw_path}"
        return web.Response(status=404, text=body, content_type="text/html")

    runner = web.AppRunner(web.Application())
    runner.app.router.add_route("*", "/{tail:.*}", page)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def start_up_line(base_url: str, token: str = TEST_TOKEN) -> str:
    settings = TelegramSettings(bot_token=SecretStr(token), api_base_url=AnyHttpUrl(base_url))
    redactor = SecretRedactor()
    bot = create_bot(settings, redactor)
    try:
        with pytest.raises(BotApiUnavailableError) as caught:
            await check_bot_api(bot, settings, redactor)
    finally:
        await bot.session.close()
    line = str(caught.value)
    assert "\n" not in line
    assert token not in line
    return line


async def test_a_wrong_token_is_named(telegram: Telegram) -> None:
    assert await start_up_line(telegram.base_url, WRONG_TOKEN) == (
        f"telegram error: the Bot API at {telegram.base_url} (TELEGRAM_API_BASE_URL) refused "
        "TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token from @BotFather"
    )


async def test_a_refused_connection_is_named() -> None:
    base_url = f"http://127.0.0.1:{free_port()}"
    line = await start_up_line(base_url)
    where = f"the Bot API at {base_url} (TELEGRAM_API_BASE_URL)"
    assert line.startswith(f"telegram error: cannot reach {where}: ")
    assert "Connect call failed" in line


async def test_a_name_that_does_not_resolve_is_named() -> None:
    line = await start_up_line("http://bot-api.invalid")
    assert line.startswith("telegram error: cannot reach the Bot API at http://bot-api.invalid ")
    assert "ClientConnectorDNSError" in line


async def test_a_server_that_is_not_a_bot_api_is_named(html_server: str) -> None:
    assert await start_up_line(html_server) == (
        f"telegram error: the Bot API at {html_server} (TELEGRAM_API_BASE_URL) does not answer as a "
        "Bot API does (not JSON)"
    )


async def test_a_server_error_at_start_is_asked_again_then_passes(telegram: Telegram) -> None:
    telegram.faults.break_next(Breakdown.SERVER_ERROR, 2)
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(telegram.base_url))
    bot = create_bot(settings, SecretRedactor())
    try:
        await check_bot_api(bot, settings, SecretRedactor(), first_delay=0.01)
    finally:
        await bot.session.close()
    assert telegram.faults.broken[Breakdown.SERVER_ERROR] == 2
    assert telegram.state.method_calls["getMe"] == 3  # two broken answers, then the real one


async def test_a_server_error_that_lasts_is_named_after_the_attempts(telegram: Telegram) -> None:
    telegram.faults.break_next(Breakdown.SERVER_ERROR, START_ATTEMPTS)
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(telegram.base_url))
    bot = create_bot(settings, SecretRedactor())
    try:
        with pytest.raises(BotApiUnavailableError) as caught:
            await check_bot_api(bot, settings, SecretRedactor(), first_delay=0.01)
    finally:
        await bot.session.close()
    assert str(caught.value).endswith("answered getMe with an error: Internal Server Error")
    assert telegram.faults.broken[Breakdown.SERVER_ERROR] == START_ATTEMPTS


async def test_a_working_bot_api_passes(telegram: Telegram) -> None:
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(telegram.base_url))
    redactor = SecretRedactor()
    bot = create_bot(settings, redactor)
    try:
        await check_bot_api(bot, settings, redactor)
        assert (await bot.me()).username == telegram.state.bot_username
    finally:
        await bot.session.close()


async def test_a_non_json_answer_quoting_the_token_is_raised_redacted(html_server: str) -> None:
    """The sender's policy logs the first 200 characters of this error: the token must be gone before."""
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(html_server))
    bot = create_bot(settings, SecretRedactor())
    try:
        with pytest.raises(ClientDecodeError) as caught:
            await bot.get_me()
    finally:
        await bot.session.close()
    assert "<h1>Not Found</h1>" in str(caught.value)
    assert quote(TEST_TOKEN, safe="") not in str(caught.value)
    assert TEST_TOKEN not in str(caught.value)


async def test_a_413_keeps_its_class_through_the_redacting_session() -> None:
    """The delivery policy rejects a 413 and retries other network errors: the class must survive."""

    async def too_large(request: web.Request) -> web.Response:
        body = {"ok": False, "error_code": 413, "description": "Request Entity Too Large"}
        return web.json_response(body, status=413)

    runner = web.AppRunner(web.Application())
    runner.app.router.add_route("*", "/{tail:.*}", too_large)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(base_url))
    bot = create_bot(settings, SecretRedactor())
    try:
        with pytest.raises(TelegramEntityTooLarge):
            await bot.send_message(chat_id=1, text="x")
    finally:
        await bot.session.close()
        await runner.cleanup()
