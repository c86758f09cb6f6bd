"""`python -m bench._emulator_process`: the emulator in a process of its own, for one bot under test.

The benchmark drives it over HTTP (`/bench/...`) and the timing happens here, on the emulator's side:
the clock starts just before the update is queued and stops when the bot's reply is accepted, so every
bot is measured the same way and the driver's own work is not in the figures. Prints `listening <url>`.
"""

import asyncio
import os
import signal
import time

from aiohttp import web

from devtools.emulator.server import create_emulator_app
from tests.support.stamped import StampedEmulatorState
from tests.support.telegram import TEST_TOKEN

REPLY_TIMEOUT = 60.0
STATE = web.AppKey("bench_state", StampedEmulatorState)
FLOODS = web.AppKey("bench_floods", set[asyncio.Task[None]])


async def ready(request: web.Request) -> web.Response:
    return web.json_response({"polling": "getUpdates" in request.app[STATE].method_calls})


async def round_trip(request: web.Request) -> web.Response:
    """One update in one chat: milliseconds until the bot's reply, and the reply."""
    state, body = request.app[STATE], await request.json()
    chat_id = int(body["chat_id"])
    reply = state.expect_reply(chat_id)
    started = time.monotonic()
    await state.user_says(chat_id, str(body["text"]))
    replied_at, text = await asyncio.wait_for(reply, REPLY_TIMEOUT)
    return web.json_response({"ms": (replied_at - started) * 1e3, "text": text})


async def burst(request: web.Request) -> web.Response:
    """One update in each of `count` chats at once: seconds from the first queued to the last reply."""
    state, body = request.app[STATE], await request.json()
    chats = range(int(body["first_chat"]), int(body["first_chat"]) + int(body["count"]))
    for chat_id in chats:
        state.add_chat(chat_id)
    replies = [state.expect_reply(chat_id) for chat_id in chats]
    started = time.monotonic()
    for chat_id in chats:
        await state.user_says(chat_id, str(body["text"]))
    done = await asyncio.wait_for(asyncio.gather(*replies), REPLY_TIMEOUT)
    finished = max(replied_at for replied_at, _ in done)
    return web.json_response({"seconds": finished - started, "replies": [text for _, text in done]})


async def flood(request: web.Request) -> web.Response:
    """`count` updates in one chat, spread over `seconds`, in the background (a user flooding)."""
    state, body = request.app[STATE], await request.json()
    chat_id, count, seconds = int(body["chat_id"]), int(body["count"]), float(body["seconds"])

    async def send() -> None:
        for _ in range(count):
            await state.user_says(chat_id, str(body["text"]))
            await asyncio.sleep(seconds / count)

    request.app[FLOODS].add(task := asyncio.create_task(send()))
    task.add_done_callback(request.app[FLOODS].discard)
    return web.json_response({"started": True})


async def replies(request: web.Request) -> web.Response:
    chat_id = int(request.query["chat_id"])
    return web.json_response({"replies": [m.text for m in request.app[STATE].bot_messages(chat_id)]})


async def serve() -> None:
    state = StampedEmulatorState(os.environ.get("TELEGRAM_BOT_TOKEN", TEST_TOKEN))
    app = create_emulator_app(state)
    app[STATE] = state
    app[FLOODS] = set()
    app.router.add_get("/bench/ready", ready)
    app.router.add_post("/bench/round_trip", round_trip)
    app.router.add_post("/bench/burst", burst)
    app.router.add_post("/bench/flood", flood)
    app.router.add_get("/bench/replies", replies)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(f"listening http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    state.close()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve())
