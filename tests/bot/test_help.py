"""/start, /help, the command menu, and hints for what the bot does not understand."""

from bot.commands import MENU, help_text
from tests.support.chat import ChatClient
from tests.support.telegram import Telegram


async def test_start_and_help_list_every_command_of_the_menu(telegram: Telegram, running_bot: object) -> None:
    chat = ChatClient(telegram.state, 6001)
    start = (await chat.reply_to("/start")).text
    listed = (await chat.reply_to("/help")).text
    assert listed == help_text()
    for spec in MENU:  # the one command list: a new command needs no change here
        assert spec.usage in start
        assert spec.usage in listed
    assert [c["command"] for c in telegram.state.commands] == [spec.name for spec in MENU]


async def test_unknown_command_and_text_in_private_get_a_hint(
    telegram: Telegram, running_bot: object
) -> None:
    chat = ChatClient(telegram.state, 6002)
    assert (await chat.reply_to("/frobnicate now")).text == (
        "Unknown command /frobnicate. Send /help to see what I can do."
    )
    assert (await chat.reply_to("hello?")).text == "I only understand commands. Send /help to see them."


async def test_groups_stay_quiet_about_what_is_not_for_the_bot(
    telegram: Telegram, running_bot: object
) -> None:
    group = ChatClient(telegram.state, -6003, "group")
    await group.send("good morning everyone")
    await group.send("/frobnicate")
    reply = await group.reply_to("/help")
    assert reply.text == help_text()
    assert len(telegram.state.bot_messages(-6003)) == 1
