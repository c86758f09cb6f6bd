"""Per-chat schedules: the model, the timing (cron and time zones) and the Redis store."""
