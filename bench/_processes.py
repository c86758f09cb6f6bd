"""The ping benchmark's processes, as deployed: an emulator per bot, the bot itself, each on its own.

Each is started, then left to settle (its CPU use idle) before anything is timed: a process compiling
its imports or warming up would otherwise be billed to the first updates.
"""

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from bench._cpu import cpu_seconds
from tests.support.processes import ROOT, CapturedProcess
from tests.support.telegram import TEST_TOKEN
from tests.support.waiting import wait_for

SETTLE_WINDOW = 1.0
IDLE_SHARE = 0.03  # of one core, over SETTLE_WINDOW
SETTLE_TIMEOUT = 90.0


@dataclass(frozen=True)
class BotUnderTest:
    name: str
    emulator_url: str
    bot: CapturedProcess
    emulator: CapturedProcess

    @property
    def pid(self) -> int:
        return self.bot.process.pid

    @property
    def pids(self) -> tuple[int, int]:
        return self.bot.process.pid, self.emulator.process.pid


def start(command: list[str], env: Mapping[str, str], stack: ExitStack) -> CapturedProcess:
    process = CapturedProcess(
        [sys.executable, *command], ROOT, {"LOG_LEVEL": "WARNING", **env}, own_group=True
    )
    stack.callback(stop, process)
    return process


def stop(process: CapturedProcess) -> None:
    if process.process.poll() is None:
        process.process.terminate()
        process.process.wait(15)


def emulator(stack: ExitStack) -> tuple[CapturedProcess, str]:
    process = start(["-m", "bench._emulator_process"], {"TELEGRAM_BOT_TOKEN": TEST_TOKEN}, stack)

    def url() -> str | None:
        if process.process.poll() is not None:
            raise RuntimeError(f"the emulator exited:\n{process.output()}")
        found = [line.split()[1] for line in process.lines if line.startswith("listening ")]
        return found[0] if found else None

    return process, wait_for(url, 60, "the emulator to listen")


@contextmanager
def bot_under_test(name: str, module: str, env: Mapping[str, str]) -> Iterator[BotUnderTest]:
    """The bot `python -m <module>` polling an emulator of its own, both settled."""
    with ExitStack() as stack:
        server, url = emulator(stack)
        env = {**env, "TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": url}
        yield BotUnderTest(name, url, start(["-m", module], env, stack), server)


def settle(*pids: int) -> None:
    """Until every process used less than IDLE_SHARE of a core over SETTLE_WINDOW."""

    def idle() -> bool:
        before = [cpu_seconds(pid) for pid in pids]
        time.sleep(SETTLE_WINDOW)
        used = [cpu_seconds(pid) - cpu for pid, cpu in zip(pids, before, strict=True)]
        return max(used) < IDLE_SHARE * SETTLE_WINDOW

    wait_for(idle, SETTLE_TIMEOUT, "the processes to settle")


@contextmanager
def profiled(pid: int, path: str | None) -> Iterator[None]:
    """py-spy samples `pid` for the block into `path` (raw collapsed stacks) when `path` is given:
    `BENCH_PROFILE=bot.txt uv run --with py-spy python -m bench ping`."""
    binary = shutil.which("py-spy")
    if not path or binary is None:
        if path:
            print(
                "  BENCH_PROFILE set but py-spy is not installed: run with `uv run --with py-spy`", flush=True
            )
        yield
        return
    command = [binary, "record", "--pid", str(pid), "--format", "raw", "--rate", "250", "--output", path]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(30)
