"""Building and running the emulator's aiohttp application."""

from dataclasses import dataclass

from aiohttp import web

from devtools.emulator.api import FAULTS, STATE, add_bot_api_routes
from devtools.emulator.client_actions import add_client_action_routes
from devtools.emulator.client_api import add_client_routes
from devtools.emulator.faults import Faults
from devtools.emulator.state import EmulatorState
from devtools.emulator.web_chat import add_web_chat_routes


def create_emulator_app(state: EmulatorState, faults: Faults | None = None) -> web.Application:
    app = web.Application()
    app[STATE] = state
    app[FAULTS] = faults or Faults()
    add_bot_api_routes(app)
    add_client_routes(app)
    add_client_action_routes(app)
    add_web_chat_routes(app)
    return app


@dataclass
class RunningEmulator:
    runner: web.AppRunner
    base_url: str
    state: EmulatorState

    async def stop(self) -> None:
        self.state.close()  # ends pending long polls: the server need not wait them out
        await self.runner.cleanup()


async def start_emulator(
    state: EmulatorState, faults: Faults | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator:
    """Serves the emulator on the running loop; port 0 picks a free port."""
    runner = web.AppRunner(create_emulator_app(state, faults), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    return RunningEmulator(runner, f"http://{host}:{bound_port}", state)
