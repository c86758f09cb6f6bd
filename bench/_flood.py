"""The flood scenario: one user sends 300 /ping in 3 s while other users ping; are they still served?"""

import asyncio
import time
from dataclasses import dataclass

from bench._ping_subjects import PONG, RemoteBot
from bench._support import Latency
from bot.front_door import SLOW_DOWN

FLOODER = 9_000_000
OTHERS_FIRST_CHAT = 9_100_000
FLOOD_COUNT = 300
FLOOD_SECONDS = 3.0
SETTLE = 2.0  # after the flood, for the last admitted /ping to be answered
LATENCY_TARGET = 2.0  # other users' p50 during the flood <= 2 x quiet p50


@dataclass(frozen=True)
class Flood:
    others: Latency
    quiet_p50: float
    pongs: int
    notices: int

    def lines(self) -> list[str]:
        ratio = self.others.p50 / self.quiet_p50
        met = "met" if ratio <= LATENCY_TARGET else "NOT met"
        others = self.others
        return [
            f"flood: one user sends {FLOOD_COUNT} /ping in {FLOOD_SECONDS:.0f} s; other users ping meanwhile",
            f"  that user got {self.pongs} pongs and {self.notices} slow-down notice(s)",
            f"  others' p50 {others.p50:.2f} ms, p99 {others.p99:.2f} ms ({others.count} pings) vs quiet p50"
            f" {self.quiet_p50:.2f} ms: {ratio:.2f} x, target <= {LATENCY_TARGET}  {met}",
        ]


async def flood(bot: RemoteBot, quiet_p50: float) -> Flood:
    await bot.flood(FLOODER, FLOOD_COUNT, FLOOD_SECONDS)
    samples: list[float] = []
    ends = time.monotonic() + FLOOD_SECONDS
    while time.monotonic() < ends:
        samples.append(await bot.round_trip(OTHERS_FIRST_CHAT - 1 + len(samples)))
    await asyncio.sleep(SETTLE)
    replies = await bot.replies(FLOODER)
    pongs = sum(PONG.fullmatch(text) is not None for text in replies)
    return Flood(Latency.of(samples), quiet_p50, pongs, replies.count(SLOW_DOWN))
