"""The commands the bot offers: shown by /help and registered with Telegram via setMyCommands."""

from aiogram.types import BotCommand

BOT_COMMANDS: list[BotCommand] = [
    BotCommand(command="ping", description="Check that the workers answer (round trip)"),
    BotCommand(command="subscribe", description="Get the scheduled notifications in this chat"),
    BotCommand(command="unsubscribe", description="Stop the scheduled notifications here"),
    BotCommand(command="status", description="Is this chat subscribed, and when is the next one"),
    BotCommand(command="help", description="List the commands"),
]


def help_text() -> str:
    lines = [f"/{command.command} — {command.description}" for command in BOT_COMMANDS]
    return "Commands:\n" + "\n".join(lines)
