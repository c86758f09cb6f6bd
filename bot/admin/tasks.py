"""Publishing a broadcast's tasks from the bot: `broadcasts.start` on Send, `broadcasts.finish` on Stop.
Fire and forget (the workers report on the panel), within BOT_DISPATCH_TIMEOUT."""

from typing import Any

from bot.celery_client.caller import BrokerUnavailableError, TaskCaller
from tasks.registry import TaskRef, TasksRegistry

TASK_EXPIRES = 86400.0


class BroadcastTasks:
    def __init__(self, caller: TaskCaller, registry: TasksRegistry) -> None:
        self._caller, self._registry = caller, registry

    async def start(self, broadcast_id: int) -> bool:
        return await self._publish(self._registry.broadcast_start, broadcast_id)

    async def finish(self, broadcast_id: int) -> bool:
        return await self._publish(self._registry.broadcast_finish, broadcast_id)

    async def _publish(self, task: TaskRef[Any, Any], broadcast_id: int) -> bool:
        """True once published; False (logged by the caller) if the broker did not take it in time."""
        try:
            await self._caller.send(task, (broadcast_id,), expires=TASK_EXPIRES)
        except BrokerUnavailableError:
            return False
        return True
