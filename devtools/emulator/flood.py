"""Flood limits as Telegram applies them, enforced by the emulator (GCRA per key, with a little slack)."""

import math
import time
from dataclasses import dataclass, field


@dataclass
class Gcra:
    """Admits one event per `period` seconds, `burst` at once, plus `slack` seconds of tolerance."""

    period: float
    burst: int = 1
    slack: float = 0.02
    _tat: dict[int, float] = field(default_factory=dict)

    def wait(self, key: int, now: float) -> float:
        """Seconds until an event for `key` would be admitted (0: now)."""
        tat = max(self._tat.get(key, now), now)
        return max(0.0, tat - now - (self.burst - 1) * self.period - self.slack)

    def record(self, key: int, now: float) -> None:
        self._tat[key] = max(self._tat.get(key, now), now) + self.period


@dataclass
class FloodLimits:
    """`None` switches a limit off. Defaults are Telegram's documented limits.

    Telegram tolerates short bursts over all chats: `global_burst` messages may arrive back to back
    after a quiet spell, yet the average can never exceed `global_per_second` (a sender at 1.1 times the
    rate, or two processes limiting themselves separately, are refused within a second or two).
    """

    global_per_second: float | None = 30
    chat_per_second: float | None = 1
    group_per_minute: float | None = 20
    global_burst: int = 3
    slack: float = 0.02

    def gates(self) -> list[tuple[str, Gcra]]:
        gates = []
        if self.global_per_second:
            period = 1 / self.global_per_second
            gates.append(("global", Gcra(period, burst=self.global_burst, slack=self.slack)))
        if self.chat_per_second:
            gates.append(("chat", Gcra(1 / self.chat_per_second, slack=self.slack)))
        if self.group_per_minute:
            gates.append(("group", Gcra(60 / self.group_per_minute, slack=self.slack)))
        return gates


class FloodGate:
    def __init__(self, limits: FloodLimits) -> None:
        self._gates = limits.gates()
        self.rejected = 0

    def retry_after(self, chat_id: int, is_group: bool, now: float | None = None) -> int:
        """0 if the message may go now; else whole seconds to wait, as Telegram's `retry_after`."""
        now = time.monotonic() if now is None else now
        applicable = [
            (gate, 0 if scope == "global" else chat_id)
            for scope, gate in self._gates
            if scope != "group" or is_group
        ]
        wait = max((gate.wait(key, now) for gate, key in applicable), default=0.0)
        if wait > 0:
            self.rejected += 1
            return max(1, math.ceil(wait))
        for gate, key in applicable:
            gate.record(key, now)
        return 0
