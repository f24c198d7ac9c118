"""A body-size cap as pure ASGI middleware: :class:`BodyLimit`.

The cap must hold before anything parses the body, and for every way a body arrives: with a
``Content-Length`` that is too large (refused before a byte is read), and chunked, without
one (refused as soon as the running total passes the cap). So the middleware reads the body
itself, up to the cap, and hands the application one complete ``http.request`` message: the
application never sees a partial or oversize body, and reads the body with one ``receive()``.
"""

from __future__ import annotations

from typing import Any

from workbench.serving._predict_worker import error_body

#: Default cap on a request body: 8 MiB.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024


def too_large_message(limit: int) -> str:
    return (
        f"The request body is larger than the server accepts ({limit} bytes). Send fewer rows "
        "per request, or start the server with a larger max_body_bytes."
    )


async def send_json(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a complete JSON response through the raw ASGI ``send``."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over ``max_body_bytes`` with 413 and MLflow-style JSON."""

    def __init__(self, app: Any, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = int(max_body_bytes)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_json(send, 400, error_body("BAD_REQUEST", "Invalid Content-Length header."))
                    return
                if declared > limit:
                    await self._refuse(send)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    await self._refuse(send)
                    return
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        delivered = False

        async def replay() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as ASGI does

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any) -> None:
        await send_json(send, 413, error_body("REQUEST_LIMIT_EXCEEDED", too_large_message(self.max_body_bytes)))
