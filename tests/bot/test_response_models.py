"""aiogram's answer models survive the garbage collector once held (bot/response_models.py)."""

import gc

from aiogram.methods.base import Response
from aiogram.types import Message, Update

from bot.response_models import hold_response_models


def test_held_answer_models_are_built_once() -> None:
    assert hold_response_models() > 30
    message_model, updates_model = id(Response[Message]), id(Response[list[Update]])
    gc.collect()
    assert (id(Response[Message]), id(Response[list[Update]])) == (message_model, updates_model)
