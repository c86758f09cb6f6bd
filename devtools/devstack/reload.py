"""`python -m devtools.devstack.reload DIR... -- COMMAND...`: COMMAND, restarted when code under DIR changes.

`make dev` runs the bot, the worker and beat through it (watchfiles does the watching). A restart stops
COMMAND with SIGTERM (a worker's warm shutdown), waits for it, and starts it again. If COMMAND exits by
itself before any change, the reloader exits with its code (`make dev` then stops and says which); after a
change it waits for the next one instead (a syntax error being fixed).

Stopping: honcho signals the whole process group, COMMAND included, so a signal here only ends the
watching and waits for COMMAND to finish its own shutdown (signalling it again could turn a Celery warm
shutdown into a cold one).
"""

import os
import signal
import subprocess
import sys
import threading
from types import FrameType

from watchfiles import PythonFilter, watch

STOP_WAIT = 10.0
TICK_MS = 500  # how often the watcher looks whether COMMAND is still running


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _exit_code(returncode: int) -> int:
    return returncode if returncode >= 0 else 128 - returncode


class Reloader:
    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.stop = threading.Event()
        self.reloaded = False
        self.said_exited = False
        self.child = subprocess.Popen(command)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()

    def run(self, paths: list[str]) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.on_signal)
        for changes in watch(
            *paths, watch_filter=PythonFilter(), stop_event=self.stop, raise_interrupt=False,
            yield_on_timeout=True, rust_timeout=TICK_MS,
        ):  # fmt: skip
            if changes:
                self.restart(sorted(_shown(path) for _, path in changes))
            elif self.child.poll() is not None and not self.reloaded:
                return _exit_code(self.child.returncode)
            elif self.child.poll() is not None and not self.said_exited:
                self.said_exited = True
                self.say(f"exited (rc={self.child.returncode}): waiting for a change to restart it")
        return self.finish()

    def say(self, text: str) -> None:
        print(f"reload: {text}", file=sys.stderr, flush=True)

    def restart(self, changed: list[str]) -> None:
        more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
        self.say(f"{changed[0]}{more} changed: restarting")
        if self.child.poll() is None:
            self.child.terminate()
            self.finish()
        if not self.stop.is_set():  # a stop that came meanwhile did not reach a new COMMAND: none then
            self.reloaded, self.said_exited = True, False
            self.child = subprocess.Popen(self.command)

    def finish(self) -> int:
        """Waits for COMMAND to end (SIGKILL after STOP_WAIT seconds); its exit code."""
        try:
            self.child.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        return _exit_code(self.child.returncode)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if "--" not in args or args.index("--") in (0, len(args) - 1):
        sys.exit("usage: python -m devtools.devstack.reload DIR... -- COMMAND...")
    split = args.index("--")
    reloader = Reloader(args[split + 1 :])
    sys.exit(reloader.run(args[:split]))


if __name__ == "__main__":
    main()
