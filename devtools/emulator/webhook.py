"""setWebhook, deleteWebhook and getWebhookInfo, and getUpdates refused (409) while a webhook is set.

Like a self-hosted Bot API server in local mode, the emulator accepts http:// URLs on any port.
"""

import json
import re
from typing import Any

from devtools.emulator.faults import ApiError, Faults
from devtools.emulator.state import EmulatorState
from devtools.emulator.webhook_delivery import WebhookDelivery

Params = dict[str, Any]
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
CONFLICT = ApiError(
    409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first",
)  # fmt: skip


def refuse_polling_while_webhook(state: EmulatorState) -> None:
    if state.webhook is not None:
        raise CONFLICT


def _flag(params: Params, name: str) -> bool:
    return str(params.get(name, "")).lower() in ("true", "1")


def _allowed_updates(params: Params) -> list[str]:
    value = params.get("allowed_updates") or []
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, list):
        raise ApiError(400, "Bad Request: can't parse allowed updates")
    return [str(kind) for kind in parsed]


def _delivery(state: EmulatorState, params: Params) -> WebhookDelivery:
    url, secret = str(params.get("url", "")), params.get("secret_token") or None
    if not url.startswith(("http://", "https://")):
        raise ApiError(400, "Bad Request: bad webhook: invalid webhook URL specified")
    if secret is not None and not SECRET.fullmatch(str(secret)):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")
    max_connections = int(params.get("max_connections") or 40)
    if not 1 <= max_connections <= 100:
        raise ApiError(400, "Bad Request: bad webhook: max_connections must be between 1 and 100")
    return WebhookDelivery(state, url, secret, max_connections, _allowed_updates(params))


async def set_webhook(state: EmulatorState, faults: Faults, params: Params) -> Any:
    """An empty URL removes the webhook, as in Telegram."""
    if not params.get("url"):
        return await delete_webhook(state, faults, params)
    delivery = _delivery(state, params)
    if state.webhook is not None:
        await state.webhook.stop()
    if _flag(params, "drop_pending_updates"):
        state.drop_updates()
    delivery.start()
    return True


async def delete_webhook(state: EmulatorState, faults: Faults, params: Params) -> Any:
    if state.webhook is not None:
        await state.webhook.stop()
    if _flag(params, "drop_pending_updates"):
        state.drop_updates()
    return True


async def get_webhook_info(state: EmulatorState, faults: Faults, params: Params) -> Any:
    if state.webhook is None:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": state.pending_count()}
    return state.webhook.to_api()
