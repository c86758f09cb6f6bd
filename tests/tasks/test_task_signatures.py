"""A task body's signature is checked against its registry entry, so a mismatch fails `make lint` (mypy,
where `register_body(app, body)` takes `Callable[P, R]`) and `make test` (the walk over every entry below,
which a `# type: ignore` or an `Any` cannot hide from)."""

import subprocess
import sys
from pathlib import Path
from typing import TypedDict, cast

from celery import Celery

from ioc.worker import build_worker_container, worker_app
from tasks.names import TaskName
from tasks.registry import TaskRef, TasksRegistry
from tests.support.containers import with_servers
from tests.support.contracts import contract_mismatches

ROOT = Path(__file__).resolve().parents[2]


def test_every_task_body_matches_its_registry_entry() -> None:
    worker = worker_app(with_servers(build_worker_container(), "redis://127.0.0.1:1/0", "http://127.0.0.1:1"))
    assert contract_mismatches(TasksRegistry(worker), worker) == []


class EchoResult(TypedDict):
    text: str


class EchoRegistry:
    def __init__(self, app: Celery) -> None:
        self._app = app

    @property
    def echo(self) -> TaskRef[[str], EchoResult]:
        return TaskRef(self._app, cast(TaskName, "echo"))


class MismatchedEcho:
    def echo(self, text: str, times: int) -> EchoResult:
        return {"text": text * times}


def test_a_body_that_does_not_match_its_entry_is_found() -> None:
    app = Celery("mismatch", set_as_current=False)
    registry = EchoRegistry(app)
    registry.echo.register_body(app, MismatchedEcho().echo)  # type: ignore[arg-type]  # as mypy says
    [problem] = contract_mismatches(registry, app)
    assert problem.startswith("echo: the contract passes 1 arguments, the body takes (text: str, times: int)")


MYPY_CASE = """
from typing import TypedDict

from celery import Celery

from tasks.names import TaskName
from tasks.registry import TaskRef


class EchoResult(TypedDict):
    text: str


class EchoTaskController:
    def __init__(self, ref: TaskRef[[str], EchoResult]) -> None:
        self._ref = ref

    def register(self, app: Celery) -> None:
        self._ref.register_body(app, self.echo)

    def echo(self, text: str) -> EchoResult:
        return {"text": text}
"""


def test_mypy_rejects_a_body_that_does_not_match_its_entry(tmp_path: Path) -> None:
    """What `make lint` says of the README's mismatch: `def echo(self, text, times: int)`."""
    good = tmp_path / "good_echo.py"
    good.write_text(MYPY_CASE)
    bad = tmp_path / "bad_echo.py"
    mismatched = "def echo(self, text, times: int) -> EchoResult:  # type: ignore[no-untyped-def]"
    bad.write_text(MYPY_CASE.replace("def echo(self, text: str) -> EchoResult:", mismatched))
    mypy = [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "--cache-dir", "/dev/null"]
    done = subprocess.run([*mypy, str(good), str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, done.stdout
    assert errors[0].startswith(str(bad)), done.stdout
    assert 'Argument 2 to "register_body" of "TaskRef" has incompatible type' in errors[0]
    assert '"Callable[[Any, int], EchoResult]"; expected "Callable[[str], EchoResult]"' in errors[0]
