"""honcho's process manager for `make dev`, through its public API only (honcho 2).

- Which process exited: honcho prints "NAME stopped (rc=N)" through its printer, a public argument of
  `Manager`. The supervisor reads the lines as they are printed: a stop nobody asked for names the process
  and stops the others. Redis runs beside honcho (devtools.devstack.local_redis) and prints the same lines.
- A stop asked for before honcho knows every pid (Ctrl-C right at the start) waits until all have started:
  honcho 2's `terminate` looks up the pid of every process still running, and it has not got them yet.
- Each process has its own process group (honcho starts a session per process): when one stops, what is
  left of its group is stopped too, and `sweep` kills any straggler once the loop is over.
- Only the main thread prints: honcho forks its process runners, and a fork while another thread holds
  stdout's lock would hang the runner. Other threads put their lines in `events`, as honcho's runners do.
- Output that cannot be written (tee killed by Ctrl-C, terminal closed) is dropped (devtools.devstack.output).
tests/devtools/devstack/test_supervisor.py pins the honcho behaviour this relies on.
"""

import os
import queue
import re
import signal
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from types import FrameType
from typing import Any, TextIO

from honcho.manager import SIGNALS, SYSTEM_PRINTER_NAME, Manager
from honcho.printer import Message, Printer

from devtools.devstack.output import drop_output

STARTED = re.compile(r"(\S+) started \(pid=(\d+)\)")
STOPPED = re.compile(r"(\S+) stopped \(rc=(-?\d+)\)")
STOP_SIGNALS = {**SIGNALS, signal.SIGHUP: {"name": "SIGHUP", "rc": 129}}


def line(text: str, name: str = SYSTEM_PRINTER_NAME, colour: str | None = None) -> Message:
    return Message(type="line", data=text + "\n", time=datetime.now(), name=name, colour=colour)


class Supervisor(Manager):  # type: ignore[misc]  # honcho has no type hints
    """honcho's `Manager` that knows which process exited, and stops only once all have started."""

    def __init__(self, output: TextIO = sys.stdout) -> None:
        self.printer = WatchedPrinter(output, self.seen)
        super().__init__(printer=self.printer)
        self.exited: str | None = None
        self.exited_rc = 0
        self.stopping = False
        self.names: set[str] = set()
        self.pids: dict[str, int] = {}
        self.stopped: set[str] = set()
        self.on_all_started: list[Callable[[], None]] = []
        self._started_all = False
        self.signalled = False
        self._main_pid = os.getpid()

    @property
    def exit_code(self) -> int:
        """0 after a stop that was asked for, whatever the processes' codes; else the exited one's (a
        process killed by signal N: 128 + N, as a shell says)."""
        code = self.exited_rc if self.exited else 0
        return 128 - code if code < 0 else code or (1 if self.exited else 0)

    def add_process(self, name: str, cmd: str, **options: Any) -> Any:
        self.names.add(name)
        return super().add_process(name, cmd, **options)

    def terminate(self) -> None:
        self.stopping = True
        if set(self.pids) >= self.names:
            super().terminate()

    def handle_signals(self) -> None:
        """SIGINT, SIGTERM and SIGHUP stop everything, already before `loop` runs (honcho's `loop` then
        installs its own handlers for the first two, replaced again once it runs: see `seen`)."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.on_signal)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self._main_pid:
            return  # a forked process runner: it keeps relaying its process's output until it ends
        if self.signalled:
            return  # the same stop asked for twice: `uv run` forwards what the terminal sent us too
        self.signalled = True
        self.printer.write(line(f"{STOP_SIGNALS[signum]['name']} received"))
        self.returncode = STOP_SIGNALS[signum]["rc"]
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
            if match[1] in self.names and not self.pids.keys() & self.names:
                self.handle_signals()  # the first process started: honcho's `loop` has set its handlers
            self.pids[match[1]] = int(match[2])
            if not self._started_all and set(self.pids) >= self.names:
                self._started_all = True
                for callback in self.on_all_started:
                    callback()
            if self.stopping:
                self.terminate()
        elif match := STOPPED.fullmatch(text):
            self.stopped.add(match[1])
            self._signal_group(match[1], signal.SIGTERM)  # what it left running in its group
            if not self.stopping:
                self.exited, self.exited_rc = match[1], int(match[2])
                self.returncode = self.exited_rc
                self.printer.write(line(f"{self.exited} exited (rc={match[2]}): stopping the others"))
                self.terminate()

    def sweep(self) -> None:
        """SIGKILL to whatever is left in the process groups once the loop is over (nothing, normally)."""
        for name in self.names:
            self._signal_group(name, signal.SIGKILL)

    def _signal_group(self, name: str, signum: int) -> None:
        if name in self.names and name in self.pids:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pids[name], signum)


class WatchedPrinter(Printer):  # type: ignore[misc]  # honcho has no type hints
    """honcho's printer, showing `seen` each line printed for honcho itself ("system"), and
    `watchers` every line; output that can no longer be written is dropped."""

    def __init__(self, output: TextIO, seen: Callable[[str], None]) -> None:
        super().__init__(output)
        self.seen = seen
        self.watchers: list[Callable[[Message], None]] = []

    def write(self, message: Message) -> None:
        try:
            super().write(message)
        except OSError:  # BrokenPipeError (tee killed), EIO (terminal closed)
            drop_output(self.output)
        for watcher in self.watchers:
            watcher(message)
        if message.name == SYSTEM_PRINTER_NAME and isinstance(message.data, str):
            self.seen(message.data.strip())
