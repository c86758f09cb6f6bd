"""Bot controllers: plain classes whose `register(router)` adds their handlers to a Router."""

from typing import Protocol

from aiogram import Router


class BotController(Protocol):
    def register(self, router: Router) -> None: ...
