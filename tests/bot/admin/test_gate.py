"""The admin gate alone (the bot's real Dispatcher fed updates, a recording session): a non-admin gets one
neutral line and nothing runs; an admin's /broadcast without a reply gets the usage line."""

from aiogram import Dispatcher

from bot.admin.broadcast import USAGE
from bot.admin.gate import NOT_ADMIN
from core.settings import AdminSettings
from tests.support.dispatching import StubCaller, dispatcher_with, update
from tests.support.mocked_bot import MockedBot

USER = 42  # the sender of tests.support.dispatching's updates


async def answers(dispatcher: Dispatcher, text: str) -> list[str]:
    bot = MockedBot()
    await dispatcher.feed_update(bot, update(text))
    return [sent for _, sent in bot.session.delivered]


async def test_a_non_admin_gets_one_neutral_line_for_every_admin_command() -> None:
    dispatcher = dispatcher_with(StubCaller())  # ADMIN_USER_IDS empty: nobody is an admin
    for command in ("/broadcast", "/broadcast_stop", "/stats", "/stats now"):
        assert await answers(dispatcher, command) == [NOT_ADMIN]


async def test_an_admins_broadcast_without_a_reply_gets_the_usage_line() -> None:
    dispatcher = dispatcher_with(StubCaller(), AdminSettings(user_ids=frozenset({USER})))
    assert await answers(dispatcher, "/broadcast") == [USAGE]
    assert await answers(dispatcher, "/stats now") == ["/stats takes no arguments. Send just: /stats"]
