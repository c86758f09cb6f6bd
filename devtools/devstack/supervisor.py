"""honcho's process manager for `make dev`, through its public API only (honcho 2).

- Which process exited: honcho prints "NAME stopped (rc=N)" through its printer, a public argument of
  `Manager`. The supervisor reads the lines as they are printed: a stop nobody asked for names the process
  and stops the others. Redis runs beside honcho (devtools.devstack.local_redis) and prints the same lines.
- A stop asked for before honcho knows every pid (Ctrl-C right at the start) waits until all have started:
  honcho 2's `terminate` looks up the pid of every process still running, and it has not got them yet.
- Only the main thread prints: honcho forks its process runners, and a fork while another thread holds
  stdout's lock would hang the runner. Other threads put their lines in `events`, as honcho's runners do.
tests/devtools/devstack/test_supervisor.py pins the honcho behaviour this relies on.
"""

import queue
import re
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import Any, TextIO

from honcho.manager import SIGNALS, SYSTEM_PRINTER_NAME, Manager
from honcho.printer import Message, Printer

STARTED = re.compile(r"(\S+) started \(pid=\d+\)")
STOPPED = re.compile(r"(\S+) stopped \(rc=(-?\d+)\)")


def line(text: str, name: str = SYSTEM_PRINTER_NAME, colour: str | None = None) -> Message:
    return Message(type="line", data=text + "\n", time=datetime.now(), name=name, colour=colour)


class Supervisor(Manager):  # type: ignore[misc]  # honcho has no type hints
    """honcho's `Manager` that knows which process exited, and stops only once all have started."""

    def __init__(self, output: TextIO = sys.stdout) -> None:
        self.printer = WatchedPrinter(output, self.seen)
        super().__init__(printer=self.printer)
        self.exited: str | None = None
        self.stopping = False
        self.names: set[str] = set()
        self.started: set[str] = set()
        self.stopped: set[str] = set()

    def add_process(self, name: str, cmd: str, **options: Any) -> Any:
        self.names.add(name)
        return super().add_process(name, cmd, **options)

    def terminate(self) -> None:
        self.stopping = True
        if self.started >= self.names:
            super().terminate()

    def handle_signals(self) -> None:
        """SIGINT and SIGTERM do what honcho's `loop` makes them do, already before it runs."""
        for signum in SIGNALS:
            signal.signal(signum, self.on_signal)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.printer.write(line(f"{SIGNALS[signum]['name']} received"))
        self.returncode = SIGNALS[signum]["rc"]
        self.terminate()

    def print_events(self, *, until_stopped: str | None = None, timeout: float = 5.0) -> None:
        """Prints the lines waiting in `events`, as `loop` does while it runs; with `until_stopped`, those
        still to come until that process's stop line (for at most `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            wait = until_stopped is not None and until_stopped not in self.stopped
            try:
                message = self.events.get(timeout=max(0.0, deadline - time.monotonic()) if wait else 0.01)
            except queue.Empty:
                return
            if message.type == "line":
                self.printer.write(message)

    def seen(self, text: str) -> None:
        """A line honcho (or the Redis runner) printed about a process."""
        if match := STARTED.fullmatch(text):
            self.started.add(match[1])
            if self.stopping:
                self.terminate()
        elif match := STOPPED.fullmatch(text):
            self.stopped.add(match[1])
            if not self.stopping:
                self.exited = match[1]
                if self.returncode is None:
                    self.returncode = int(match[2])
                self.printer.write(line(f"{self.exited} exited (rc={match[2]}): stopping the others"))
                self.terminate()


class WatchedPrinter(Printer):  # type: ignore[misc]  # honcho has no type hints
    """honcho's printer, showing `seen` each line printed for honcho itself ("system")."""

    def __init__(self, output: TextIO, seen: Callable[[str], None]) -> None:
        super().__init__(output)
        self.seen = seen

    def write(self, message: Message) -> None:
        super().write(message)
        if message.name == SYSTEM_PRINTER_NAME and isinstance(message.data, str):
            self.seen(message.data.strip())
