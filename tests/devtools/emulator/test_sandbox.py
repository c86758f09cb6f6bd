"""`python -m devtools.emulator`: the sandbox as its own process, as `make dev` and `make emulator` run it."""

import json
import re
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.emulator.sandbox import GROUP_CHAT_ID, PERSON_ID
from devtools.ports import free_port
from tests.support.ports import port_in_use
from tests.support.processes import CapturedProcess
from tests.support.waiting import wait_for


class Emulator(CapturedProcess):
    def __init__(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        """In `cwd`, else an empty folder: a developer's own `.env` must not leak into the test."""
        command = [sys.executable, "-m", "devtools.emulator", *args]
        cwd = cwd or Path(tempfile.mkdtemp(prefix="emulator-"))
        super().__init__(command, cwd, env or {}, own_group=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def emulator_process() -> Iterator[Emulator]:
    emulator = Emulator("--port", str(free_port()))
    yield emulator
    emulator.stop()


def get(url: str) -> tuple[str, Any]:
    """Content type and body (parsed when JSON) of a GET."""
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read().decode()
        content_type = response.headers["Content-Type"]
    return content_type, json.loads(body) if content_type.startswith("application/json") else body


def page_address(emulator: Emulator) -> str:
    def announced() -> str | None:
        assert emulator.process.poll() is None, emulator.output()
        found = re.search(r"sandbox chat page: (http://127\.0\.0\.1:\d+/)", emulator.output())
        return found.group(1) if found else None

    return wait_for(announced, 15, "the emulator to announce its chat page")


def test_starts_with_a_private_chat_and_a_group(emulator_process: Emulator) -> None:
    address = page_address(emulator_process)
    _, listing = get(f"{address}emulator/api/chats")
    chats = {chat["type"]: chat for chat in listing["chats"]}
    assert set(chats) == {"private", "group"}
    assert chats["private"]["id"] == PERSON_ID == 424242  # a private chat's id is the person's user id
    assert chats["group"]["id"] == GROUP_CHAT_ID
    assert chats["group"]["my_status"] == "creator"  # the person's group: getChatMember says so
    assert get(address)[0].startswith("text/html")


def test_generated_token_is_printed_and_accepted(emulator_process: Emulator) -> None:
    address = page_address(emulator_process)
    found = re.search(r"TELEGRAM_BOT_TOKEN=(\S+)", emulator_process.output())
    assert found, emulator_process.output()
    _, me = get(f"{address}bot{found.group(1)}/getMe")
    assert me["ok"] is True
    assert me["result"]["is_bot"] is True


def test_token_from_the_environment_is_used_and_not_printed() -> None:
    token = "42:" + "s" * 30
    emulator = Emulator("--port", str(free_port()), env={"TELEGRAM_BOT_TOKEN": token})
    try:
        address = page_address(emulator)
        assert get(f"{address}bot{token}/getMe")[1]["ok"] is True
        assert token not in emulator.output()
    finally:
        emulator.stop()


def test_token_and_port_from_dot_env_are_used(tmp_path: Path) -> None:
    token, port = "43:" + "e" * 30, free_port()
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={token}\nSANDBOX_PORT={port}\n")
    emulator = Emulator(cwd=tmp_path)  # `make emulator` with the bot's .env
    try:
        address = page_address(emulator)
        assert address == f"http://127.0.0.1:{port}/"
        assert get(f"{address}bot{token}/getMe")[1]["ok"] is True
        assert token not in emulator.output()
    finally:
        emulator.stop()


def test_port_in_use_is_one_clear_line() -> None:
    with port_in_use() as port:
        emulator = Emulator("--port", str(port))
        code = emulator.process.wait(15)
        emulator.stop()
    assert code != 0
    assert emulator.lines == [f"emulator: cannot listen on 127.0.0.1:{port}: the port is already in use"]
