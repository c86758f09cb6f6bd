"""Celery side: the app factory, the typed task registry and the task controllers."""
