"""Test infrastructure: real processes (redis-server, Celery workers) and condition waits."""
