"""JSON request bodies with lone surrogate escapes (`\\ud800`) get `\\ufffd` instead.

One ASGI middleware for every JSON endpoint, so no handler ever sees a string that UTF-8
cannot encode (see `soitin.text.wellformed`). It rewrites the body bytes as they stream in,
without buffering: an escape is six bytes and its replacement too, so Content-Length holds.
Valid pairs (`\\ud83d\\ude00`) and escaped backslashes (`\\\\ud800`, literal text) stay.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LoneSurrogateMiddleware", "SurrogateRewriter"]

# Escaped backslashes are matched so that scanning stays aligned on escapes; then a valid
# high+low pair; then any lone surrogate escape.
_TOKEN = re.compile(
    rb"\\\\"
    rb"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    rb"|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
_LONGEST = 12  # bytes of the longest token, a pair
_LONE_LENGTH = 6


def _replace(match: re.Match[bytes]) -> bytes:
    token = match.group()
    return b"\\ufffd" if len(token) == _LONE_LENGTH else token


class SurrogateRewriter:
    """Feed body chunks in order; get back the rewritten bytes (some held until the next)."""

    def __init__(self) -> None:
        self._carry = b""

    def feed(self, chunk: bytes, *, final: bool) -> bytes:
        """The rewritten bytes that are settled; everything when `final`."""
        data = self._carry + chunk
        if b"\\" not in data:  # the usual case: nothing to look at, nothing to hold
            self._carry = b""
            return data
        # A token starting before `limit` is complete in `data`; later ones may not be yet.
        limit = len(data) if final else len(data) - (_LONGEST - 1)
        out: list[bytes] = []
        pos = 0
        for match in _TOKEN.finditer(data):
            if match.start() >= limit:
                break
            out += (data[pos : match.start()], _replace(match))
            pos = match.end()
        cut = max(pos, limit, 0)
        out.append(data[pos:cut])
        self._carry = data[cut:]
        return b"".join(out)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind: bytes = value.split(b";")[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return True  # FastAPI reads a body without a Content-Type as JSON


class LoneSurrogateMiddleware:
    """Rewrites lone surrogate escapes in JSON request bodies to U+FFFD escapes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        rewriter = SurrogateRewriter()

        async def rewritten() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                more = bool(message.get("more_body", False))
                body = rewriter.feed(message.get("body", b""), final=not more)
                message = {**message, "body": body}
            return message

        await self.app(scope, rewritten, send)
