"""/start, /help, the command menu, and hints for what the bot does not understand."""

from bot.commands import MENU, help_text
from devtools.emulator.validation import visible_text
from tests.support.chat import ChatClient
from tests.support.telegram import Telegram


async def test_start_and_help_list_the_commands(telegram: Telegram, running_bot: object) -> None:
    """Every command of the one list, bot/commands.py MENU: in /start, /help and Telegram's menu."""
    chat = ChatClient(telegram.state, 6001)
    start = await chat.reply_to("/start")
    help_reply = await chat.reply_to("/help")
    assert help_reply.text == help_text()
    assert start.text.endswith(help_text())
    shown = visible_text(help_reply.text, help_reply.parse_mode)
    assert [line.split(" — ")[0] for line in shown.splitlines()[1:]] == [spec.usage for spec in MENU]
    assert telegram.state.commands == [
        {"command": spec.name, "description": spec.description} for spec in MENU
    ]


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
