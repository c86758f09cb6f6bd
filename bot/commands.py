"""The commands the bot offers, defined once: the menu (`setMyCommands`), /help and the usage lines."""

from dataclasses import dataclass
from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallbackType
from aiogram.filters import Command
from aiogram.types import BotCommand, Message
from aiogram.utils.text_decorations import html_decoration

from bot.throttling import RateLimit

# Replies that run no task (/start, /help, usage lines, the fallback's hint) are still replies: one user
# sending them in a loop would draw Telegram's per-chat 429, whose pause every worker then honours.
CHATTER_LIMIT = RateLimit(calls=5, period=10.0, one_in_flight=False, shared_as="chatter", fail_open=True)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    description: str
    arguments: str | None = None  # how to write the arguments, e.g. "<text>"; None: it takes none

    @property
    def usage(self) -> str:
        return f"/{self.name} {self.arguments}" if self.arguments else f"/{self.name}"

    def usage_reply(self) -> str:
        """What a user who wrote the arguments wrong is told (HTML-escaped: replies are HTML)."""
        if self.arguments is None:
            return html_decoration.quote(f"/{self.name} takes no arguments. Send just: {self.usage}")
        return html_decoration.quote(f"Usage: {self.usage}")

    def register(self, router: Router, handler: CallbackType, flags: dict[str, Any] | None = None) -> None:
        """`handler` for this command; a command that takes no arguments answers its usage line to any.
        `flags` are the handler's (e.g. the front door's `rate_limit` and `task`, bot/front_door.py)."""
        if self.arguments is None:
            router.message.register(
                self._answer_usage, Command(self.name, magic=F.args), flags={"rate_limit": CHATTER_LIMIT}
            )
        router.message.register(handler, Command(self.name), flags=flags)

    def to_bot_command(self) -> BotCommand:
        return BotCommand(command=self.name, description=self.description)

    async def _answer_usage(self, message: Message) -> None:
        await message.answer(self.usage_reply())


PING = CommandSpec("ping", "Check that the workers answer (round trip)")
SUBSCRIBE = CommandSpec("subscribe", "Get the scheduled notifications in this chat")
UNSUBSCRIBE = CommandSpec("unsubscribe", "Stop the scheduled notifications here")
STATUS = CommandSpec("status", "Is this chat subscribed, and when is the next one")
EVERY = CommandSpec("every", "Run a task here every interval", arguments="<N><s|m|h|d> <task> [args]")
DAILY = CommandSpec("daily", "Run a task here every day at a time", arguments="<HH:MM> <task> [args]")
CRON = CommandSpec(
    "cron",
    "Run a task here on a cron schedule",
    arguments="<minute> <hour> <day-of-month> <month> <day-of-week> <task> [args]",
)
SCHEDULES = CommandSpec("schedules", "List this chat's schedules")
CANCEL = CommandSpec("cancel", "Remove a schedule, or all of them", arguments="<id>|all")
TIMEZONE = CommandSpec("timezone", "Show or set this chat's time zone", arguments="[IANA name]")
HELP = CommandSpec("help", "List the commands")
MENU: tuple[CommandSpec, ...] = (
    PING,
    SUBSCRIBE,
    UNSUBSCRIBE,
    STATUS,
    EVERY,
    DAILY,
    CRON,
    SCHEDULES,
    CANCEL,
    TIMEZONE,
    HELP,
)


def menu() -> list[BotCommand]:
    return [spec.to_bot_command() for spec in MENU]


def help_text() -> str:
    quote = html_decoration.quote
    lines = [f"{quote(spec.usage)} — {quote(spec.description)}" for spec in MENU]
    return "Commands:\n" + "\n".join(lines)
