from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """One delivery task's work: `text` for tick `tick`, claimed as `owner` (the Celery task id),
    until `deadline` (a `time.monotonic()` value)."""

    tick: str
    text: str
    owner: str
    deadline: float
    concurrency: int
