"""The JSON log lines (LOG_FORMAT=json) of the project's processes, read while they may still write."""

import json
from typing import Any


def json_lines(output: str) -> list[dict[str, Any]]:
    """Every complete JSON line of `output`; other lines (a Celery banner) and a partial last line skipped."""
    complete = output[: output.rfind("\n") + 1]
    return [json.loads(line) for line in complete.splitlines() if line.startswith("{")]


def events(output: str, event: str) -> list[dict[str, Any]]:
    """The JSON lines of `output` logging `event`, in order."""
    return [line for line in json_lines(output) if line.get("event") == event]
