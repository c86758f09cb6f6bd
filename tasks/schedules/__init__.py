"""The per-chat schedules' engine, run inside `celery beat` (no task bodies here: beat only publishes)."""
