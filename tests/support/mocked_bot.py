"""A Bot whose HTTP session is scripted per chat, after aiogram's own tests/mocked_bot.py.

Errors are given as the Bot API's answers (status, description, parameters) and turned into aiogram's
exceptions by aiogram's own `check_response`, so the code under test sees exactly what a real answer
raises. A chat with nothing prepared is answered with a sent message.
"""

import json
import time
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

TOKEN = "42:TEST"


@dataclass(frozen=True, slots=True)
class ApiError:
    """A Bot API error answer."""

    status: int
    description: str
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None

    def content(self) -> str:
        parameters = {"retry_after": self.retry_after, "migrate_to_chat_id": self.migrate_to_chat_id}
        return json.dumps(
            {
                "ok": False,
                "error_code": self.status,
                "description": self.description,
                "parameters": {key: value for key, value in parameters.items() if value is not None},
            }
        )


@dataclass(frozen=True, slots=True)
class NetworkDown:
    """No answer at all: the HTTP client fails (aiogram raises TelegramNetworkError)."""

    description: str = "Request timeout error"


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """Any body at all, as a proxy in front of the Bot API may answer (an HTML page, cut-off JSON)."""

    status: int
    body: str

    def content(self) -> str:
        return self.body


Reply = ApiError | NetworkDown | RawAnswer


@dataclass(frozen=True, slots=True)
class Request:
    chat_id: int
    text: str
    at: float  # time.monotonic() when the request was made


class MockedSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.replies: defaultdict[int, deque[Reply]] = defaultdict(deque)
        self.requests: list[Request] = []
        self.delivered: list[tuple[int, str]] = []
        self.closed = False

    def prepare(self, chat_id: int, *replies: Reply) -> None:
        """The next answers to sendMessage in `chat_id`, in order; after them, success."""
        self.replies[chat_id].extend(replies)

    def requests_to(self, chat_id: int) -> list[Request]:
        return [request for request in self.requests if request.chat_id == chat_id]

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        send = method  # narrowed apart: `method` keeps its type for check_response
        assert isinstance(send, SendMessage), f"unexpected call {type(method).__name__}"
        chat_id = int(send.chat_id)
        self.requests.append(Request(chat_id, send.text, time.monotonic()))
        queued = self.replies[chat_id]
        reply = queued.popleft() if queued else None
        if isinstance(reply, NetworkDown):
            raise TelegramNetworkError(method=method, message=reply.description)
        if isinstance(reply, ApiError | RawAnswer):
            self.check_response(bot, method, reply.status, reply.content())
            raise AssertionError(f"check_response accepted {reply}")
        self.delivered.append((chat_id, send.text))
        response = self.check_response(bot, method, 200, _message_content(chat_id, send.text))
        assert response.result is not None
        return response.result

    async def close(self) -> None:
        self.closed = True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover
        yield b""


def _message_content(chat_id: int, text: str) -> str:
    chat_type = "private" if chat_id > 0 else "supergroup"
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id, "type": chat_type}}
    return json.dumps({"ok": True, "result": {**message, "text": text}})


class MockedBot(Bot):
    session: MockedSession

    def __init__(self) -> None:
        super().__init__(TOKEN, session=MockedSession())
