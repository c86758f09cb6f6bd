"""Misbehaviour the emulator can be told to show, each answered in Telegram's own error format."""

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from devtools.emulator.breakdowns import Breakdown
from devtools.emulator.flood import FloodGate, FloodLimits


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class Faults:
    blocked: set[int] = field(default_factory=set)
    migrations: dict[int, int] = field(default_factory=dict)
    server_errors: int = 0
    send_delay: float = 0.0
    token_revoked: bool = False
    failing_methods: dict[str, ApiError] = field(default_factory=dict)
    flood: FloodGate | None = None
    counts: dict[int, int] = field(default_factory=dict)
    breakdowns: deque[Breakdown] = field(default_factory=deque)
    broken: Counter[Breakdown] = field(default_factory=Counter)

    def reset(self) -> None:
        self.__dict__.update(Faults().__dict__)

    def break_next(self, kind: Breakdown, requests: int) -> None:
        """The next `requests` Bot API calls (getUpdates aside) get the broken answer `kind`; the ones
        after are answered normally again. Kinds queue up in the order given."""
        self.breakdowns.extend([kind] * requests)

    def take_breakdown(self, method: str) -> Breakdown | None:
        """The broken answer due for this call of `method`, if any (counted in `broken`)."""
        if method.lower() == "getupdates" or not self.breakdowns:
            return None
        kind = self.breakdowns.popleft()
        self.broken[kind] += 1
        return kind

    def enforce_flood_limits(self, limits: FloodLimits) -> None:
        self.flood = FloodGate(limits)

    def check_send(self, chat_id: int, is_group: bool) -> None:
        """Raises the error Telegram would answer a send to `chat_id` with right now, if any."""
        if self.server_errors > 0:
            self.server_errors -= 1
            self._count(502)
            raise ApiError(502, "Bad Gateway")
        if chat_id in self.blocked:
            self._count(403)
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.migrations:
            self._count(400)
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrations[chat_id]},
            )
        retry_after = self.flood.retry_after(chat_id, is_group) if self.flood else 0
        if retry_after:
            self._count(429)
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def _count(self, code: int) -> None:
        self.counts[code] = self.counts.get(code, 0) + 1
