"""The schedulable tasks' declarations: their names, argument checks and rendering for people."""

from datetime import UTC, datetime, timedelta

import pytest
from celery import Celery

from core.schedules.model import Fire, Schedule, ScheduleSpec
from tasks.registry import TasksRegistry
from tasks.schedulable import render_ping, render_report
from tasks.schedules.contracts import HealthReport

SCHEDULE = Schedule("k3x9q", 1, "private", ScheduleSpec.every(60, "1m"), "ping", (), 1)


def fire(started_ago: float = 0.05) -> Fire:
    now = datetime.now(UTC)
    return Fire(SCHEDULE, now, now - timedelta(seconds=started_ago))


def test_ping_and_report_are_schedulable_and_take_no_arguments() -> None:
    schedulable = TasksRegistry(Celery(set_as_current=False)).schedulable
    assert sorted(schedulable) == ["ping", "report"]
    assert str(schedulable["report"].ref.name) == "report"
    assert schedulable["ping"].parse_args([]) == ()
    with pytest.raises(ValueError, match="ping takes no arguments"):
        schedulable["ping"].parse_args(["now"])


def test_ping_renders_the_round_trip_escaped() -> None:
    text = render_ping({"pong": True, "worker": "<w1>"}, fire(started_ago=0.25))
    assert "&lt;w1&gt;" in text
    assert "<w1>" not in text
    elapsed = int(text.rsplit("round trip ", 1)[1].split(" ms")[0])
    assert 250 <= elapsed < 5000


def test_report_renders_every_figure() -> None:
    report: HealthReport = {
        "at": "2026-01-05 10:00 UTC <now>",
        "workers_answering": 2,
        "worker_ping_ms": None,
        "queue_depth": 7,
        "redis_ms": 0.42,
        "subscribers": 12,
    }
    text = render_report(report, fire())
    assert "&lt;now&gt;" in text
    assert "Workers answering: <b>2</b>" in text
    assert "Worker ping round trip: no answer" in text
    assert "Queue depth: 7" in text
    assert "Redis round trip: 0.4 ms" in text
    assert "Subscribers: 12" in text
