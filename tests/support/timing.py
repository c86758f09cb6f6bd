"""Counting timestamped events."""

import bisect
from collections.abc import Iterable


def max_in_window(stamps: Iterable[float], window: float = 1.0) -> int:
    """The most of `stamps` (seconds, in any order) within any `window` seconds, both ends included."""
    ordered = sorted(stamps)
    starts = enumerate(ordered)
    return max((bisect.bisect_right(ordered, start + window) - n for n, start in starts), default=0)
