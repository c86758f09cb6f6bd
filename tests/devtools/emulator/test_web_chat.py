"""The chat page's server side: the page itself and its event stream (no browser here)."""

import asyncio
import json
from typing import Any

import aiohttp

from devtools.emulator.server import start_emulator
from devtools.emulator.state import EmulatorState
from tests.support.telegram import TEST_TOKEN, Telegram

CHAT = 6001


async def next_event(response: aiohttp.ClientResponse) -> tuple[str, dict[str, Any]]:
    """The next `event:`/`data:` pair of a server-sent event stream (comments skipped)."""
    name, data = "message", ""
    while True:
        line = (await asyncio.wait_for(response.content.readline(), 5)).decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif not line and data:
            return name, json.loads(data)


async def test_page_and_its_assets_are_served(telegram: Telegram) -> None:
    async with aiohttp.ClientSession(telegram.base_url) as session:
        async with session.get("/") as page:
            assert page.status == 200
            assert page.content_type == "text/html"
            html = await page.text()
        for asset in ("/static/chat.js", "/static/chat.css"):
            assert asset in html
            async with session.get(asset) as response:
                assert response.status == 200, asset
    assert "http" not in html.replace("http-equiv", ""), "the page must not load anything from elsewhere"


async def test_stream_sends_the_chats_then_history_then_live_changes(telegram: Telegram) -> None:
    state = telegram.state
    state.add_chat(CHAT, "private", "You")
    state.add_chat(-CHAT, "group", "The group")
    said = await state.user_says(CHAT, "/help")
    async with (
        aiohttp.ClientSession(telegram.base_url) as session,
        session.get("/emulator/api/events") as stream,
    ):
        assert stream.content_type == "text/event-stream"
        name, chats = await next_event(stream)
        assert name == "chats"
        assert [(c["id"], c["type"]) for c in chats["chats"]] == [(CHAT, "private"), (-CHAT, "group")]
        assert chats["bot"]["is_bot"] is True
        assert await next_event(stream) == ("message", said.to_client())
        assert await next_event(stream) == ("status", {"bot": "starting"})
        assert await next_event(stream) == ("synced", {})  # the history is over: what follows is new

        assert await state.take_updates(0, 100, 0)  # the bot's first getUpdates
        assert await next_event(stream) == ("status", {"bot": "polling"})

        answer = await state.bot_says(CHAT, "<b>Commands</b>", "HTML")
        name, message = await next_event(stream)
        assert (name, message["message_id"], message["parse_mode"]) == ("message", answer.message_id, "HTML")

        await state.bot_edits(answer, "<b>Commands:</b>", "HTML")
        name, message = await next_event(stream)
        assert (name, message["text"], message["edited"]) == ("message", "<b>Commands:</b>", True)

        state.add_chat(CHAT + 1, "private", "Someone")
        await state.user_says(CHAT + 1, "hi")
        name, chats = await next_event(stream)
        assert name == "chats"
        assert CHAT + 1 in [c["id"] for c in chats["chats"]]


async def test_stopping_the_server_does_not_wait_for_open_streams() -> None:
    emulator = await start_emulator(EmulatorState(TEST_TOKEN))
    async with aiohttp.ClientSession(emulator.base_url) as session:
        stream = await session.get("/emulator/api/events")
        assert (await next_event(stream))[0] == "chats"
        await asyncio.wait_for(emulator.stop(), 5)  # aiohttp would otherwise wait 60 s for the handler
        stream.close()


async def test_status_says_whether_the_bot_polls_yet(telegram: Telegram) -> None:
    async with aiohttp.ClientSession(telegram.base_url) as session:
        async with session.get("/emulator/api/status") as response:
            assert await response.json() == {"bot": "starting"}
        await telegram.state.take_updates(0, 100, 0)
        async with session.get("/emulator/api/status") as response:
            assert await response.json() == {"bot": "polling"}


async def test_a_person_cannot_send_more_than_telegrams_4096_characters(telegram: Telegram) -> None:
    telegram.state.add_chat(CHAT, "private", "You")
    async with aiohttp.ClientSession(telegram.base_url) as session:
        path = f"/emulator/api/chats/{CHAT}/messages"
        async with session.post(path, json={"text": "x" * 4097}) as refused:
            assert refused.status == 400
            assert await refused.text() == "text too long: 4,097 characters; Telegram allows 4,096 at most"
        async with session.post(path, json={"text": "x" * 4096}) as accepted:
            assert accepted.status == 201
    assert [len(m.text) for m in telegram.state.messages[CHAT]] == [4096]
