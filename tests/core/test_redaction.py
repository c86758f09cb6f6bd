"""The bot token never reaches a log line, an exception text or a repr, even after HTTP errors."""

import logging
from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

import pytest
import structlog
from aiogram.exceptions import TelegramNetworkError
from aiohttp import web
from pydantic import AnyHttpUrl, SecretStr

from core.logging import configure_logging
from core.redaction import SecretRedactor
from core.settings import LogSettings, RedisSettings, TelegramSettings
from core.telegram import create_bot
from tests.support.logs import json_lines
from tests.support.telegram import TEST_TOKEN


def test_redactor_hides_known_secrets_token_shapes_and_url_passwords() -> None:
    redactor = SecretRedactor(["s3cret-value"])
    text = (
        "s3cret-value at https://api.telegram.org/bot987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe "
        "and redis://:pa55word@redis:6379/0"
    )
    redacted = redactor.redact(text)
    assert "s3cret-value" not in redacted
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in redacted
    assert "pa55word" not in redacted
    assert "redis://:***@redis:6379/0" in redacted


def test_settings_reprs_hide_secrets() -> None:
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN))
    redis = RedisSettings(url=SecretStr("redis://:pa55word@localhost:6379/0"))
    assert TEST_TOKEN not in repr(settings) + str(settings)
    assert "pa55word" not in repr(redis) + str(redis)


@pytest.fixture
async def redirect_loop() -> AsyncIterator[str]:
    """A server that redirects every request to itself: aiohttp's error quotes the URL."""

    async def again(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.url))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", again)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.fixture
def json_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


async def test_http_errors_from_the_bot_api_do_not_leak_the_token(
    redirect_loop: str, json_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    redactor = SecretRedactor()
    settings = TelegramSettings(bot_token=SecretStr(TEST_TOKEN), api_base_url=AnyHttpUrl(redirect_loop))
    bot = create_bot(settings, redactor)
    configure_logging(LogSettings(format="json"), redactor)
    try:
        with pytest.raises(TelegramNetworkError) as caught:
            await bot.get_me()
        structlog.get_logger("test").exception("bot_api_failed", error=caught.value)
        logging.getLogger("aiohttp.client").error("raw %s", f"{redirect_loop}/bot{TEST_TOKEN}/getMe")
    finally:
        await bot.session.close()
    assert "TooManyRedirects" in str(caught.value)
    assert TEST_TOKEN not in str(caught.value) + repr(caught.value) + repr(bot)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    logged = capsys.readouterr().err
    assert TEST_TOKEN not in logged
    assert [(line["logger"], line["event"]) for line in json_lines(logged)] == [
        ("test", "bot_api_failed"),
        ("aiohttp.client", f"raw {redirect_loop}/bot***/getMe"),  # the token masked, the rest kept
    ]


@pytest.mark.parametrize(
    "form",
    [
        quote(TEST_TOKEN, safe=""),  # ':' as %3A
        quote(TEST_TOKEN, safe="").replace("%3A", "%3a"),  # lower-case hex
        quote(quote(TEST_TOKEN, safe=""), safe=""),  # quoted twice: %253A
        "".join(f"%{byte:02X}" for byte in TEST_TOKEN.encode()),  # every character quoted
        TEST_TOKEN[:9] + "%3A" + TEST_TOKEN[10:14] + "%2D" + TEST_TOKEN[15:],  # a mix
    ],
    ids=["colon", "lower-hex", "twice", "every-char", "mixed"],
)
def test_url_encoded_forms_of_a_known_token_are_redacted(form: str) -> None:
    page = f"<h1>404</h1><p>No route for /bot{form}/getMe</p>"
    assert SecretRedactor([TEST_TOKEN]).redact(page) == "<h1>404</h1><p>No route for /bot***/getMe</p>"


def test_token_shaped_strings_are_redacted_url_encoded_too() -> None:
    token = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # not known to this redactor
    for form in (quote(token, safe=""), quote(quote(token, safe=""), safe=""), token.replace(":", "%3a")):
        assert SecretRedactor().redact(f"GET /bot{form}/getMe") == "GET /bot***/getMe"


def test_percent_signs_alone_are_left_alone() -> None:
    assert SecretRedactor([TEST_TOKEN]).redact("100% done, 3%3A1") == "100% done, 3%3A1"
