"""The offline sandbox's starting point: a bot token and the chats a person finds on opening the page."""

import secrets

from devtools.emulator.state import EmulatorState

DEFAULT_PORT = 8765  # `make emulator`, and `make dev` unless taken or SANDBOX_PORT says otherwise
GROUP_CHAT_ID = -4000000001  # a basic group, as Telegram numbers new ones
GROUP_TITLE = "Sandbox group"
PERSON_NAME = "You"
PERSON_ID = 424242  # the page's person: the private chat's id too; `make dev` may make it a bot admin


def sandbox_token() -> str:
    """A fresh token of the shape Telegram issues (`<digits>:<35 url-safe chars>`), valid only here."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(27)}"


def sandbox_state(token: str) -> EmulatorState:
    """A private chat with the bot (its id is the person's user id, as in Telegram) and a group chat.

    The ids are fixed, so chats subscribed in an earlier run (their ids kept in Redis) are still there.
    """
    state = EmulatorState(token, user_id=PERSON_ID)
    state.add_chat(state.user_id, "private", PERSON_NAME)
    state.add_chat(GROUP_CHAT_ID, "group", GROUP_TITLE, creator=state.user_id)  # the person's group
    return state
