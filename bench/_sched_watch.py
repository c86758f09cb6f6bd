"""Watching a beat from outside: when each message reached the queue, and the beat's memory.

Nobody consumes the queue while a beat fires, so its length only grows: a thread polls `LLEN` and keeps
each change with its wall-clock time, and the k-th message pushed (oldest first) was published by the
first sample that saw more than k. The messages are read back afterwards, to count the fires (one per
message for redbeat, a chunk of them for the engine) and the duplicates.
"""

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

POLL = 0.001
RSS_EVERY = 0.25


@dataclass
class QueueWatch:
    """(wall time, length) of the watched queues at every change."""

    client: redis.Redis
    queues: tuple[str, ...]
    samples: list[tuple[float, int]] = field(default_factory=list)

    def length(self) -> int:
        with self.client.pipeline(transaction=False) as pipe:
            for queue in self.queues:
                pipe.llen(queue)
            return sum(pipe.execute())

    def poll(self, stop: threading.Event) -> None:
        last = -1
        while not stop.is_set():
            count = self.length()
            if count != last:
                self.samples.append((time.time(), count))
                last = count
            time.sleep(POLL)

    def published_at(self) -> list[float]:
        """Wall time at which each message (oldest first) was first seen in the queue."""
        times: list[float] = []
        for at, count in self.samples:
            times.extend([at] * (count - len(times)))
        return times

    def messages(self) -> list[dict[str, Any]]:
        """Every message still queued, oldest first, its body decoded: {"task", "args", "kwargs"}."""
        found: list[dict[str, Any]] = []
        for queue in self.queues:
            raws: list[bytes] = self.client.lrange(queue, 0, -1)  # type: ignore[assignment]
            found.extend(decode(raw) for raw in reversed(raws))
        return found


def decode(raw: bytes) -> dict[str, Any]:
    envelope = json.loads(raw)
    args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
    return {"task": envelope["headers"]["task"], "args": args, "kwargs": kwargs}


@dataclass
class RssWatch:
    """The resident memory (kB) of a process over time."""

    pid: int
    samples: list[tuple[float, int]] = field(default_factory=list)

    def poll(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if (kb := rss_kb(self.pid)) is not None:
                self.samples.append((time.time(), kb))
            stop.wait(RSS_EVERY)

    def between(self, first: float, last: float) -> list[int]:
        return [kb for at, kb in self.samples if first <= at <= last]


def rss_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


@contextmanager
def watching(queue: QueueWatch, rss: RssWatch) -> Iterator[None]:
    """Both watchers run in threads for the block."""
    stop = threading.Event()
    threads = [threading.Thread(target=w.poll, args=(stop,), daemon=True) for w in (queue, rss)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
