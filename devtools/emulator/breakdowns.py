"""Broken answers from the Bot API's front (a proxy, a load balancer), not from Telegram's logic: what
aiogram cannot parse as a Bot API answer, or no answer at all. `Faults.break_next` schedules them."""

from enum import StrEnum

from aiohttp import web

HTML_502_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class Breakdown(StrEnum):
    HTML_502 = "html_502"  # nginx's HTML error page, status 502
    INVALID_JSON = "invalid_json"  # status 200 and a body cut off mid-JSON
    SERVER_ERROR = "server_error"  # Telegram's JSON 500 "Internal Server Error"
    DROP = "drop"  # the connection is closed without an answer (before the request is processed)


def breakdown_response(kind: Breakdown, request: web.Request) -> web.StreamResponse:
    if kind is Breakdown.HTML_502:
        return web.Response(status=502, text=HTML_502_PAGE, content_type="text/html")
    if kind is Breakdown.INVALID_JSON:
        return web.Response(
            status=200, text='{"ok":true,"result":{"message_id":', content_type="application/json"
        )
    if kind is Breakdown.SERVER_ERROR:
        body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        return web.json_response(body, status=500)
    if request.transport is not None:
        request.transport.close()  # the client sees the server disconnect; what follows is not sent
    return web.Response(status=204)
