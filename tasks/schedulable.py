"""Which tasks a chat may schedule (/every, /daily, /cron), and how each one's result reads in the chat.

A schedulable task is declared next to its TaskRef in the registry (`TasksRegistry.schedulable`): its
summary (listed when a command names an unknown task), how its arguments are checked and how its
result is rendered (HTML, every value escaped). The engine runs the task on schedule and posts
`render(result, fire)`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from core.schedules.model import Fire
from tasks.contracts import PingResult
from tasks.schedules.contracts import HealthReport

if TYPE_CHECKING:
    from tasks.registry import TaskRef

R = TypeVar("R")
ArgsParser = Callable[[list[str]], tuple[Any, ...]]


@dataclass(frozen=True)
class Schedulable(Generic[R]):
    ref: "TaskRef[..., R]"
    summary: str
    render: Callable[[R, Fire], str]
    parse_args: ArgsParser  # raises ValueError with a line for the user


def no_args(task: str) -> ArgsParser:
    def parse(args: list[str]) -> tuple[Any, ...]:
        if args:
            raise ValueError(f"{task} takes no arguments")
        return ()

    return parse


def render_ping(result: PingResult, fire: Fire) -> str:
    """The round trip: from the run's start (its task published) to the result being rendered."""
    elapsed_ms = (datetime.now(UTC) - fire.started).total_seconds() * 1000
    return f"🏓 pong from <code>{escape(result['worker'])}</code> · round trip {elapsed_ms:.0f} ms"


def render_report(result: HealthReport, fire: Fire) -> str:
    ping_ms = result["worker_ping_ms"]
    return (
        f"<b>System health</b> · {escape(result['at'])}\n"
        f"Workers answering: <b>{result['workers_answering']}</b>\n"
        f"Queue depth: {result['queue_depth']}\n"
        f"Worker ping round trip: {'no answer' if ping_ms is None else f'{ping_ms:.1f} ms'}\n"
        f"Redis round trip: {result['redis_ms']:.1f} ms\n"
        f"Subscribers: {result['subscribers']}"
    )
