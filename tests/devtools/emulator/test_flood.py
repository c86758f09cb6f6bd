"""The emulator's flood limits: a smooth sender at the limit passes, anything faster is refused."""

import random

from devtools.emulator.flood import FloodGate, FloodLimits


def rejected(send_times: list[float], limits: FloodLimits, chats: int = 1000) -> int:
    gate = FloodGate(limits)
    for n, at in enumerate(sorted(send_times)):
        gate.retry_after(n % chats, is_group=False, now=at)
    return gate.rejected


def smooth(rate: float, seconds: float, jitter: float = 0.0, start: float = 100.0) -> list[float]:
    return [start + n / rate + random.uniform(-jitter, jitter) for n in range(int(rate * seconds))]


def test_a_sender_at_the_limit_with_arrival_jitter_passes() -> None:
    assert rejected(smooth(30, 5, jitter=0.03), FloodLimits()) == 0


# Over a span of T seconds, GCRA at 30/s with a burst of 3 and 20 ms of slack admits at most
# 1 + floor((T + 2/30 + 0.02) * 30) messages; a sender too fast for it gets exactly that many through.


def test_ten_percent_over_the_limit_is_refused() -> None:
    sends = smooth(33, 5)  # 165 over 164/33 s: 1 + floor(151.69) = 152 admitted
    assert rejected(sends, FloodLimits()) == 165 - 152


def test_two_processes_limiting_themselves_separately_are_refused() -> None:
    both = smooth(30, 3) + smooth(30, 3, start=100.01)  # 180 over 2.977 s: 1 + floor(91.9) = 92 admitted
    assert rejected(both, FloodLimits()) == 180 - 92


def test_one_chat_gets_one_message_per_second() -> None:
    gate = FloodGate(FloodLimits())
    assert gate.retry_after(7, is_group=False, now=10.0) == 0
    assert gate.retry_after(7, is_group=False, now=10.5) == 1
    assert gate.retry_after(7, is_group=False, now=11.0) == 0


def test_a_group_gets_twenty_messages_a_minute() -> None:
    gate = FloodGate(FloodLimits(chat_per_second=None))
    accepted = [gate.retry_after(-5, is_group=True, now=10.0 + 3 * n) for n in range(20)]
    assert accepted == [0] * 20
    # The 21st, 1 s after the 20th: the group's next slot is 3 s after the 20th, less 20 ms of slack.
    assert gate.retry_after(-5, is_group=True, now=10.0 + 3 * 19 + 1) == 2  # ceil(1.98)
