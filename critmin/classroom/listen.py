"""What `critmin serve` checks before it creates a session, and what it undoes when it cannot serve.

A teacher whose port is taken, or who mistypes the host or a team, gets one error and no session
left in `--state` (otherwise the next try is told to `--resume` a session that never ran).
"""

from __future__ import annotations

import argparse
import errno
import shutil
import socket
from pathlib import Path

from critmin.core.console import UserError

HIGHEST_PORT = 65535


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= port <= HIGHEST_PORT:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to {HIGHEST_PORT}, got {port}")
    return port


def check_listen(host: str, port: int) -> None:
    """Refuse a host that does not resolve or a port another program listens on, before anything is made."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, protocol, _, address in addresses:
            with socket.socket(family, kind, protocol) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's server does
                probe.bind(address)
    except OSError as error:
        reason = getattr(error, "strerror", None) or str(error)
        taken = " (another program, or another session, listens there: pick another --port)"
        hint = taken if getattr(error, "errno", None) == errno.EADDRINUSE else ""
        raise UserError(f"cannot listen on {host}:{port}: {reason}{hint}") from None


class NewState:
    """The files a new session adds to `--state` (and the codes file), removed again if it fails."""

    def __init__(self, state: Path, codes_file: Path | None) -> None:
        self.state = Path(state)
        self.existed = self.state.exists()
        self.before = set(self.state.iterdir()) if self.state.is_dir() else set()
        self.codes_file = codes_file
        self.codes_existed = codes_file is not None and codes_file.exists()

    def undo(self) -> None:
        """Remove what was added since: the folder if it was made here, else only the new files."""
        if self.codes_file is not None and not self.codes_existed:
            self.codes_file.unlink(missing_ok=True)
        if not self.existed:
            shutil.rmtree(self.state, ignore_errors=True)
            return
        for path in set(self.state.iterdir()) - self.before if self.state.is_dir() else ():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
