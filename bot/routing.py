"""The bot's routing, in one place: which Router sees an update first is decided here, in this order."""

from aiogram import Dispatcher, Router

from bot.admin.broadcast import BroadcastCommandController
from bot.admin.stats import StatsCommandController
from bot.controllers import BotController
from bot.controllers.errors import ErrorsController
from bot.controllers.fallback import FallbackController
from bot.controllers.help import HelpCommandController
from bot.controllers.lifecycle import LifecycleController
from bot.controllers.ping import PingCommandController
from bot.controllers.schedules import ScheduleCommandController
from bot.controllers.schedules_timezone import TimezoneCommandController
from bot.controllers.subscriptions import SubscriptionCommandController
from bot.middlewares import LogContextMiddleware


def create_dispatcher(
    *,
    lifecycle: LifecycleController,
    errors: ErrorsController,
    help_: HelpCommandController,
    ping: PingCommandController,
    subscriptions: SubscriptionCommandController,
    schedules: ScheduleCommandController,
    timezone: TimezoneCommandController,
    admin_broadcast: BroadcastCommandController,
    admin_stats: StatsCommandController,
    fallback: FallbackController,
) -> Dispatcher:
    """One Router per controller, in routing order. Add a command's controller before the fallback,
    which takes whatever no other router matched."""
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(LogContextMiddleware())
    commands = (ping, subscriptions, schedules, timezone, admin_broadcast, admin_stats)
    for controller in (lifecycle, errors, help_, *commands, fallback):
        dispatcher.include_router(router_of(controller))
    return dispatcher


def router_of(controller: BotController) -> Router:
    router = Router(name=type(controller).__name__)
    controller.register(router)
    return router
