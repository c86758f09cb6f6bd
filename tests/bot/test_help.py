"""/start, /help, the command menu, and hints for what the bot does not understand."""

from bot.commands import help_text
from tests.support.chat import ChatClient
from tests.support.telegram import Telegram


async def test_start_and_help_list_the_commands(telegram: Telegram, running_bot: object) -> None:
    chat = ChatClient(telegram.state, 6001)
    start = (await chat.reply_to("/start")).text
    help_text = (await chat.reply_to("/help")).text
    for command in ("/ping", "/subscribe", "/unsubscribe", "/status", "/help"):
        assert command in start
        assert command in help_text
    assert [c["command"] for c in telegram.state.commands] == [
        "ping", "subscribe", "unsubscribe", "status", "help",
    ]  # fmt: skip


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
