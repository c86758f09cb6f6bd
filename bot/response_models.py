"""Keeps aiogram's answer models alive for the process's life.

aiogram parses every Bot API answer with `Response[<the method's result type>]`, a pydantic generic
model. pydantic caches parametrized generics in a WeakValueDictionary, so once the garbage collector
drops `Response[Message]` the next answer builds the class again: schema generation, several ms of CPU,
and under load it happens again and again (py-spy showed ~9 % of the bot's samples there). Building
each of them once at start-up (~0.15 s) and holding them makes every later `Response[...]` a lookup.
"""

from typing import Any

from aiogram import methods
from aiogram.methods.base import Response, TelegramMethod

_held: list[type[Any]] = []


def hold_response_models() -> int:
    """Builds and holds `Response[T]` for every Bot API method's result type; the number held."""
    if not _held:
        returning = {
            method.__returning__
            for method in vars(methods).values()
            if isinstance(method, type)
            and issubclass(method, TelegramMethod)
            and method is not TelegramMethod
        }
        generic: Any = Response  # parametrized with run-time values, as aiogram does
        _held.extend(generic[result] for result in returning)
    return len(_held)
