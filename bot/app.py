"""Assembling the Dispatcher: one Router per controller, in registration order."""

from aiogram import Dispatcher, Router

from bot.controllers import BotController
from bot.middlewares import LogContextMiddleware


def create_dispatcher(controllers: list[BotController]) -> Dispatcher:
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(LogContextMiddleware())
    for controller in controllers:
        router = Router(name=type(controller).__name__)
        controller.register(router)
        dispatcher.include_router(router)
    return dispatcher
