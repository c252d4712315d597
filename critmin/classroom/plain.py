"""Plain language for refused orders: what a student sees instead of a schema error or a field name.

The engine's checks (`WorldModel.check`) mostly speak plainly ("costs USD 99,999 m but the
treasury holds USD 1,000 m"); a few deal checks name fields, and `plain_reason` rewords those.
Malformed actions come back from `action_from_dict` as msgspec validation messages ("Expected
`float` > 0.0 - at `$.tonnes_per_year`"); `plain_reason` turns those into a sentence naming the
field.
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
    # the engine's deal checks, in the words of the page's deal form
    (re.compile(r"^a (\w+) price rule needs price_usd_per_kg$"), "a {0} price needs a price in USD/kg"),
    (
        re.compile(r"^no pending proposal '(.*)'$"),
        "proposal {0} is no longer waiting for an answer (answered, or it expired)",
    ),
    (
        re.compile(r"^seller and buyer must be the proposer and the counterparty$"),
        "one side of a deal is your country, the other the country you propose it to",
    ),
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
