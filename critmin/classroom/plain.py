"""Plain language for orders the engine cannot read: what a student sees instead of a schema error.

The engine's checks (`WorldModel.check`) already speak plainly ("costs USD 99,999 m but the
treasury holds USD 1,000 m"). Malformed actions come back from `action_from_dict` as msgspec
validation messages ("Expected `float` > 0.0 - at `$.tonnes_per_year`"); `plain_reason` turns
those into a sentence naming the field.
"""

from __future__ import annotations

import re

PREFIX = "bad action: "
FIELD = re.compile(r" - at `\$\.([a-z_]+)[^`]*`$")
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Expected `(?:float|int)` >= (\S+)$"), "{field} must be at least {0}"),
    (re.compile(r"^Expected `(?:float|int)` > (\S+)$"), "{field} must be more than {0}"),
    (re.compile(r"^Expected `(?:float|int)` <= (\S+)$"), "{field} must be at most {0}"),
    (re.compile(r"^Expected `(?:float|int)` < (\S+)$"), "{field} must be less than {0}"),
    (re.compile(r"^Expected `(?:float|int)`, got `\w+`$"), "{field} must be a number"),
    (re.compile(r"^Expected `str`, got `\w+`$"), "{field} must be text"),
    (re.compile(r"^Invalid enum value '(.*)'$"), "{field} '{0}' is not one of the choices"),
    (re.compile(r"^Invalid value '(.*)'$"), "'{0}' is not a kind of order"),
    (re.compile(r"^Object missing required field `(\w+)`$"), "the order lacks its {0}"),
    (re.compile(r"^Object contains unknown field `(\w+)`$"), "'{0}' is not part of this kind of order"),
)


def words(field: str) -> str:
    """A field name as words: 'tonnes_per_year' -> 'tonnes per year'."""
    return field.replace("usd_m", "amount (USD m)").replace("_", " ")


def plain_reason(message: str) -> str:
    """A malformed-action message as a sentence for students (unknown shapes pass through)."""
    text = message.removeprefix(PREFIX)
    found = FIELD.search(text)
    field = words(found.group(1)) if found else "a value"
    core = text[: found.start()] if found else text
    for pattern, template in RULES:
        match = pattern.match(core)
        if match:
            sentence = template.format(*match.groups(), field=field)
            return sentence[0].upper() + sentence[1:]
    return text
