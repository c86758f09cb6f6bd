"""The admin's panel message of a broadcast: its texts and its inline buttons, for the bot and the workers.

Texts are plain (no markup characters) so they read the same under the bot's HTML parse mode.
"""

import time
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from core.broadcasts.store import Broadcast, State

EDIT_INTERVAL = 3.0  # at most one edit of a panel per this many seconds, over every worker
EDIT_SLOT = EDIT_INTERVAL + 0.25  # the slot each edit holds: room for the requests' jitter
# While an edit waits for its turn (the limiter, a 429 pause) and its answer, its slot is held this long
# (re-armed to EDIT_SLOT once answered), so no second edit starts meanwhile; an edit not answered by
# then is given up (a progress edit) or raced by at most one other (the summary, written once anyway).
EDIT_HOLD = EDIT_SLOT + 15.0


class Action(StrEnum):
    SEND = "send"
    CANCEL = "cancel"
    STOP = "stop"


class BroadcastButton(CallbackData, prefix="broadcast"):
    action: Action
    id: int


def _button(text: str, action: Action, broadcast_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=BroadcastButton(action=action, id=broadcast_id).pack()
    )


def confirm_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    row = [_button("Send", Action.SEND, broadcast_id), _button("Cancel", Action.CANCEL, broadcast_id)]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def stop_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_button("Stop", Action.STOP, broadcast_id)]])


def confirm_text(recipients: int) -> str:
    chats = "chat" if recipients == 1 else "chats"
    return f"Send the message above to {recipients} subscribed {chats}?"


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


def _counts(b: Broadcast) -> str:
    return f"Sent {b.sent} · Failed {b.failed} · Blocked {b.blocked}"


def progress_text(b: Broadcast, now: float | None = None) -> str:
    """The running broadcast: counts, remaining, rate and ETA."""
    elapsed = max(0.001, (now or time.time()) - (b.started or time.time()))
    rate = b.counted / elapsed
    if b.total is None:
        return (
            f"Broadcast #{b.id}: sending…\n{_counts(b)} · Remaining: counting chats…\nRate {rate:.1f} msg/s"
        )
    remaining = max(0, b.total - b.counted)
    eta = _duration(remaining / rate) if rate > 0 else "unknown"
    return (
        f"Broadcast #{b.id}: sending… ({b.counted} of {b.total})\n"
        f"{_counts(b)} · Remaining {remaining}\nRate {rate:.1f} msg/s · ETA {eta}"
    )


def summary_text(b: Broadcast, now: float | None = None) -> str:
    """The final panel: done or stopped."""
    took = _duration((now or time.time()) - (b.started or time.time()))
    total = b.total if b.total is not None else b.counted
    if b.state is State.DONE:
        return f"Broadcast #{b.id}: done in {took}.\n{_counts(b)} of {total} chats."
    return f"Broadcast #{b.id}: stopped after {took}.\n{_counts(b)} · Not sent {max(0, total - b.counted)}."
