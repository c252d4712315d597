"""The browser classroom's pages, served by the session server on its own port.

websockets calls `answer` with every opening request (its `process_request` hook). A websocket
upgrade goes on to the session; a plain GET is answered here with one of the files shipped in
`critmin/classroom/web/` (plain HTML, JavaScript and CSS: nothing to build) or the map's
public-domain outlines and mineral colours. The pages then talk to the server over the same
websocket protocol as every other client. A Content-Security-Policy keeps them from loading or
sending anything to another host: nothing a page does leaves the classroom network.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from critmin.core.world_map import MINERAL_COLOURS, world_geojson

WEB = resources.files("critmin.classroom") / "web"
ROUTES = {
    "/": "student.html",
    "/instructor": "instructor.html",
    "/projector": "projector.html",
}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".geojson": "application/geo+json",
    ".svg": "image/svg+xml",
}
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def answer(connection: ServerConnection, request: Request) -> Response | None:
    """A page for a plain GET; None lets a websocket upgrade through to the session."""
    if "websocket" in request.headers.get("Upgrade", "").lower():
        return None
    path = request.path.split("?", 1)[0]
    found = asset(path)
    if found is None:
        return connection.respond(404, f"no page {path}: students open /, the instructor /instructor\n")
    body, kind = found
    headers = Headers(
        [
            ("Content-Type", kind),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-cache"),
            ("Content-Security-Policy", POLICY),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Connection", "close"),
        ]
    )
    return Response(200, "OK", headers, body)


def asset(path: str) -> tuple[bytes, str] | None:
    """The bytes and content type of a page or static file, or None."""
    if path == "/world.geojson":
        return world_geojson(), TYPES[".geojson"]
    if path == "/palette.json":
        return palette(), "application/json"
    name = ROUTES.get(path) or (path.removeprefix("/static/") if path.startswith("/static/") else None)
    if not name or "/" in name or name.startswith("."):
        return None
    kind = TYPES.get(name[name.rfind(".") :]) if "." in name else None
    return (read(name), kind) if kind and (WEB / name).is_file() else None


@cache
def read(name: str) -> bytes:
    """A shipped web file (read once)."""
    return (WEB / name).read_bytes()


@cache
def palette() -> bytes:
    """The mineral colours of every map (core/world_map.py) as CSS hex, so both maps colour flows alike."""
    return json.dumps({m: "#{:02x}{:02x}{:02x}".format(*rgb) for m, rgb in MINERAL_COLOURS.items()}).encode()
