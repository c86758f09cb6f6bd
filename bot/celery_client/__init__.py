"""The bot's Celery client: publish a task and await its result on the event loop, never blocking it.

`TaskCaller.call(registry.ping)` is what handlers use; `AsyncTaskPublisher` and `ResultWaiter` are its
two halves.
"""
