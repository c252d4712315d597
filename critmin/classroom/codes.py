"""Join codes: random, unguessable, easy to read aloud; stored only as digests.

A code is 20 characters from a 32-letter alphabet without look-alikes (no I, O, 0, 1), drawn
with `secrets` and grouped by five: `K7QX2-MWN4D-...`. That is 100 bits of entropy: guessing
one over the network is out of reach. The server keeps sha256 digests, never the codes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import secrets
from pathlib import Path

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GROUPS = 4
GROUP_LENGTH = 5
INSTRUCTOR = "instructor"


def new_code() -> str:
    """A fresh join code, e.g. 'K7QX2-MWN4D-8RTZC-PL3HV'."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def entropy_bits() -> float:
    """Bits of entropy of a code."""
    return GROUPS * GROUP_LENGTH * math.log2(len(ALPHABET))


def normalise(code: str) -> str:
    """A typed code in canonical form: upper case, without dashes or spaces."""
    return "".join(code.split()).replace("-", "").upper()


def digest(code: str) -> str:
    """The sha256 digest under which a code is stored."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def new_codes(teams: list[str]) -> dict[str, str]:
    """One code per team and one for the instructor, all distinct."""
    codes: dict[str, str] = {}
    for seat in [*teams, INSTRUCTOR]:
        code = new_code()
        while code in codes.values():  # practically never; keeps codes distinct
            code = new_code()
        codes[seat] = code
    return codes


def seat_of(code: str, digests: dict[str, str]) -> str | None:
    """The seat ('IND', …, 'instructor') a code opens, or None; compared in constant time."""
    given = digest(code)
    found = None
    for seat, stored in digests.items():
        if hmac.compare_digest(given, stored):
            found = seat
    return found


def write_code(path: Path, seat: str, code: str) -> None:
    """Put a seat's new code in a codes file (created if missing), owner-readable, replaced atomically."""
    known = json.loads(path.read_text()) if path.is_file() else {}
    known[seat] = code
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        json.dump(known, stream, indent=1)
    temporary.chmod(0o600)
    temporary.replace(path)
