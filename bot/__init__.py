"""aiogram front-end: command controllers that dispatch Celery tasks through the typed registry."""
