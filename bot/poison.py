"""Updates aiogram cannot parse are logged and skipped instead of stopping polling for good.

A getUpdates answer holding one update that does not validate fails as a whole (`ClientDecodeError`),
and aiogram asks again at the same offset, forever. This request middleware reads such an answer update
by update: the good ones go on to the Dispatcher, each bad one is logged (`update_skipped`) and confirmed
by moving the offset past it. A body that is not a Bot API answer at all is left to aiogram's backoff.
"""

from typing import Any, cast

import structlog
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from pydantic import ValidationError

log = structlog.get_logger(__name__)


class SkipUnparseableUpdates(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        get_updates = method  # narrowed apart: `method` keeps its type for make_request
        if not isinstance(get_updates, GetUpdates):
            return await make_request(bot, method)
        try:
            return await make_request(bot, method)
        except ClientDecodeError as error:
            raw = _raw_updates(error.data)
            if not raw:
                raise
            return cast(Response[TelegramType], _parseable(bot, get_updates, raw))


def _raw_updates(data: Any) -> list[dict[str, Any]] | None:
    """The updates of a well-formed getUpdates answer that only some update spoiled, else None."""
    if not isinstance(data, dict) or data.get("ok") is not True or not isinstance(data.get("result"), list):
        return None
    updates = [item for item in data["result"] if isinstance(item, dict)]
    if len(updates) != len(data["result"]) or not all(isinstance(u.get("update_id"), int) for u in updates):
        return None
    return updates


def parse_update(bot: Bot, raw: dict[str, Any]) -> Update | None:
    """The update, or None (logged as `update_skipped`) when aiogram cannot parse it."""
    try:
        return Update.model_validate(raw, context={"bot": bot})
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) + ": " + first["msg"]
        log.error("update_skipped", update_id=raw.get("update_id"), errors=exc.error_count(), first=where)
        return None


def _parseable(bot: Bot, method: GetUpdates, raw: list[dict[str, Any]]) -> list[Update]:
    good = [update for item in raw if (update := parse_update(bot, item)) is not None]
    if not good:  # aiogram moves the offset past the updates it gets; with none, move it here
        method.offset = max(item["update_id"] for item in raw) + 1
    return good
