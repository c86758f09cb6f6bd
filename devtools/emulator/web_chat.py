"""The sandbox's web chat page (`/`) and the event stream that keeps it live.

`GET /emulator/api/events` is a server-sent event stream: on connect, one `chats` event, a `message`
event per message so far, a `status` event (`{"bot": "starting"}` until the bot's first getUpdates, then
`{"bot": "polling"}`) and one `synced` event (what follows is live: the page counts unread messages
from then on); then a `message` event for every new or edited message, a `chats` event when the chat
list changes (a group's `my_status` included), a `callback_answer` event (`{"id", "text", "show_alert"}`)
when the bot answers a pressed button, and a `status` event when the bot starts polling. Each connection
sends only what it has not sent yet, so a reconnecting page (EventSource retries by itself) catches up
without gaps or duplicates.
"""

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from devtools.emulator.api import STATE
from devtools.emulator.client_api import chats_payload
from devtools.emulator.state import EmulatorState

STATIC = Path(__file__).with_name("static")
KEEP_ALIVE = 15.0
STREAMS = web.AppKey[set[asyncio.Task[Any]]]("event_streams")


class _Sent:
    """What one connection has sent so far, to send only the difference."""

    def __init__(self) -> None:
        self.chats: list[dict[str, Any]] | None = None
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.status: dict[str, str] | None = None
        self.answers: set[str] = set()

    def pending(self, state: EmulatorState) -> list[str]:
        events = []
        chats = chats_payload(state)
        if chats != self.chats:
            self.chats = chats
            events.append(_event("chats", {"chats": chats, "bot": state.bot_user()}))
        for messages in state.messages.values():
            for message in messages:
                payload, key = message.to_client(), (message.chat_id, message.message_id)
                if self.messages.get(key) != payload:
                    self.messages[key] = payload
                    events.append(_event("message", payload))
        for query_id, answer in state.callback_answers.items():
            if query_id not in self.answers:
                self.answers.add(query_id)
                events.append(_event("callback_answer", {"id": query_id, **answer}))
        status = {"bot": "polling" if state.bot_polling else "starting"}
        if status != self.status:
            events.append(_event("status", status) + ("" if self.status else _event("synced", {})))
            self.status = status
        return events


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream_events(request: web.Request) -> web.StreamResponse:
    state, sent = request.app[STATE], _Sent()
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    streams, task = request.app[STREAMS], asyncio.current_task()
    if task is not None:
        streams.add(task)
    try:
        while True:
            events = sent.pending(state)
            if events:  # then look again at once: something may have changed while writing
                await response.write("".join(events).encode())
                continue
            try:  # no await between `pending` and here, so no change slips through unseen
                await state.wait_changed(KEEP_ALIVE)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")  # also finds out when the page has gone
    except ConnectionResetError:  # the page has gone
        pass
    finally:
        if task is not None:
            streams.discard(task)
    return response


async def _end_streams(app: web.Application) -> None:
    """Streams never end by themselves: cancel them so shutting the server down does not wait on them."""
    streams = app[STREAMS]
    for task in list(streams):
        task.cancel()


async def chat_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


def add_web_chat_routes(app: web.Application) -> None:
    streams: set[asyncio.Task[Any]] = set()
    app[STREAMS] = streams
    app.on_shutdown.append(_end_streams)
    app.router.add_get("/", chat_page)
    app.router.add_get("/emulator/api/events", stream_events)
    app.router.add_static("/static/", STATIC)
