"""Handler logic that needs no Redis or worker, as aiogram's own tests do it: the bot's real Dispatcher
(from its container) fed updates with `feed_update`, a Bot whose session records what it would send, and
a TaskCaller stand-in (tests/support/dispatching.py; the end-to-end tests in tests/bot/ run the real one)."""

from html import unescape

import pytest
import structlog

from bot.celery_client.caller import (
    BrokerUnavailableError,
    TaskFailedError,
    WorkersNotRespondingError,
)
from bot.commands import MENU, CommandSpec, help_text
from bot.controllers.errors import BUSY, FAILED, NOT_RESPONDING, UNEXPECTED
from tests.support.dispatching import StubCaller, dispatcher_with, replies_to, update
from tests.support.mocked_bot import ApiError, MockedBot

NO_ARGUMENTS = [spec for spec in MENU if spec.arguments is None]


async def test_help_and_start_list_every_command_of_the_menu() -> None:
    assert await replies_to("/help") == [help_text()]
    [start] = await replies_to("/start")
    assert start == "Hi! I run tasks on Celery workers.\n\n" + help_text()
    usages = [unescape(line.split(" — ")[0]) for line in help_text().splitlines()[1:]]  # replies are HTML
    assert usages == [s.usage for s in MENU]


@pytest.mark.parametrize("spec", NO_ARGUMENTS, ids=[spec.name for spec in NO_ARGUMENTS])
async def test_a_command_given_arguments_it_does_not_take_answers_its_usage(spec: CommandSpec) -> None:
    caller = StubCaller()
    assert await replies_to(f"/{spec.name} now please", caller) == [
        f"/{spec.name} takes no arguments. Send just: /{spec.name}"
    ]
    assert caller.calls == 0


def test_usage_lines_are_html_safe() -> None:
    assert CommandSpec("echo", "Echo", arguments="<text>").usage_reply() == "Usage: /echo &lt;text&gt;"


async def test_ping_answers_with_the_round_trip() -> None:
    caller = StubCaller(result={"pong": True, "worker": "w1"})
    [reply] = await replies_to("/ping", caller)
    assert reply.startswith("pong — ")
    assert reply.removeprefix("pong — ").removesuffix(" ms").isdigit()
    assert caller.calls == 1


@pytest.mark.parametrize(
    ("error", "reply"),
    [
        (BrokerUnavailableError("ping"), BUSY),
        (WorkersNotRespondingError("id"), NOT_RESPONDING),
        (TaskFailedError("ping ended FAILURE"), FAILED),
        (RuntimeError("a bug"), UNEXPECTED),
    ],
    ids=["broker", "workers", "failed", "unexpected"],
)
async def test_failures_become_one_reply(error: Exception, reply: str) -> None:
    assert await replies_to("/ping", StubCaller(error=error)) == [reply]


async def test_private_chats_get_a_hint_for_what_the_bot_does_not_understand() -> None:
    assert await replies_to("/frobnicate now") == [
        "Unknown command /frobnicate. Send /help to see what I can do."
    ]
    assert await replies_to("hello?") == ["I only understand commands. Send /help to see them."]


@pytest.mark.parametrize("text", ["/frobnicate", "good morning"])
async def test_groups_stay_quiet_about_what_is_not_for_the_bot(text: str) -> None:
    assert await replies_to(text, chat_type="group") == []


@pytest.mark.parametrize(
    ("refusal", "event"),
    [
        (ApiError(429, "Too Many Requests: retry after 5", retry_after=5), "reply_flood_limited"),
        (ApiError(403, "Forbidden: bot was blocked by the user"), "reply_forbidden"),
    ],
    ids=["429", "403"],
)
async def test_no_error_reply_goes_into_a_chat_that_refused_the_reply(refusal: ApiError, event: str) -> None:
    bot = MockedBot()
    bot.session.prepare(7, refusal)
    with structlog.testing.capture_logs() as logged:
        await dispatcher_with(StubCaller()).feed_update(bot, update("/help"))
    assert [request.text for request in bot.session.requests_to(7)] == [help_text()]  # and nothing more
    assert [line["event"] for line in logged] == [event]


async def test_an_error_reply_telegram_refuses_is_logged_not_raised() -> None:
    """Else the update fails again (in webhook mode Telegram redelivers it, and the same refusal repeats)."""
    bot = MockedBot()
    bot.session.prepare(7, ApiError(400, "Bad Request: chat not found"))
    caller = StubCaller(error=BrokerUnavailableError("ping"))
    with structlog.testing.capture_logs() as logged:
        await dispatcher_with(caller).feed_update(bot, update("/ping"))
    assert [request.text for request in bot.session.requests_to(7)] == [BUSY]
    assert [line["event"] for line in logged][-1] == "error_reply_failed"
