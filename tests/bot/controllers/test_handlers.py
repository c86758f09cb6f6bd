"""Handler logic that needs no Redis or worker, as aiogram's own tests do it: the bot's real Dispatcher
(from its container) fed updates with `feed_update`, a Bot whose session records what it would send, and
a TaskCaller stand-in (the end-to-end tests in tests/bot/ run the real one)."""

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.types import Chat, Message, MessageEntity, Update, User
from pydantic import SecretStr

from bot.celery_client.caller import (
    BrokerUnavailableError,
    TaskCaller,
    TaskFailedError,
    WorkersNotRespondingError,
)
from bot.commands import MENU, CommandSpec, help_text
from bot.controllers.errors import BUSY, FAILED, NOT_RESPONDING, UNEXPECTED
from bot.throttling import Throttle
from core.settings import RedisSettings, TelegramSettings
from ioc.bot import build_bot_container
from tests.support.front_door import AdmitAll
from tests.support.mocked_bot import MockedBot
from tests.support.telegram import TEST_TOKEN

NO_ARGUMENTS = [spec for spec in MENU if spec.arguments is None]


class StubCaller:
    """Answers every call with `result`, or raises `error`; counts the calls."""

    def __init__(self, result: Any = None, error: Exception | None = None) -> None:
        self.result, self.error, self.calls = result, error, 0

    async def call(self, task: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.result


def update(text: str, chat_id: int = 7, chat_type: str = "private") -> Update:
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    entities = [MessageEntity(type="bot_command", offset=0, length=len(command))] if command else None
    message = Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=chat_id, type=chat_type),
        from_user=User(id=42, is_bot=False, first_name="Test"), text=text, entities=entities,
    )  # fmt: skip
    return Update(update_id=1, message=message)


def dispatcher_with(caller: StubCaller) -> Dispatcher:
    container = build_bot_container()
    container.register(RedisSettings, instance=RedisSettings(url=SecretStr("redis://127.0.0.1:1/0")))
    container.register(TelegramSettings, instance=TelegramSettings(bot_token=SecretStr(TEST_TOKEN)))
    container.register(TaskCaller, instance=caller)
    container.register(Throttle, instance=AdmitAll())  # the front door has its own tests
    dispatcher: Dispatcher = container.resolve(Dispatcher)
    return dispatcher


async def replies_to(text: str, caller: StubCaller | None = None, chat_type: str = "private") -> list[str]:
    bot = MockedBot()
    await dispatcher_with(caller or StubCaller()).feed_update(bot, update(text, chat_type=chat_type))
    return [sent for _, sent in bot.session.delivered]


async def test_help_and_start_list_every_command_of_the_menu() -> None:
    assert await replies_to("/help") == [help_text()]
    [start] = await replies_to("/start")
    assert start == "Hi! I run tasks on Celery workers.\n\n" + help_text()
    assert [line.split(" — ")[0] for line in help_text().splitlines()[1:]] == [s.usage for s in MENU]


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
