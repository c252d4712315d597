"""The base of every scenario record and the bounded field types records share.

Physical figures (tonnes, USD, prices) are finite and below 1e12 in the file's units.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

NonNegative = Annotated[float, msgspec.Meta(ge=0, le=1e12)]
Positive = Annotated[float, msgspec.Meta(gt=0, le=1e12)]
Share = Annotated[float, msgspec.Meta(ge=0, le=1)]
Iso3 = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Identifier = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
TurnIndex = Annotated[int, msgspec.Meta(ge=0)]
Source = Annotated[str, msgspec.Meta(min_length=3)]
LeadTurns = Annotated[int, msgspec.Meta(ge=1, le=70)]  # the construction pipeline holds 71 turns


class Record(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of every scenario record: immutable, strict about unknown fields."""
