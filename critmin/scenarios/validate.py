"""Rules that span records of a scenario: known ids, no duplicates, consistent shares."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from critmin.core.vocabulary import SECTORS, STAGES
from critmin.scenarios.schema import ExportControlSpec, ScenarioFile


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file and the field."""


def check_references(spec: ScenarioFile, filename: str) -> None:
    """Raise ScenarioError for the first cross-record problem found in `spec`."""
    for problem in find_problems(spec):
        raise ScenarioError(f"{filename}: {problem}")


def find_problems(spec: ScenarioFile) -> Iterator[str]:
    """Every cross-record problem, as 'field.path: what is wrong'."""
    yield from duplicates("countries", (c.iso3 for c in spec.countries), "iso3")
    yield from duplicates("minerals", (m.id.value for m in spec.minerals), "id")
    yield from duplicates("firms", (f.id for f in spec.firms), "id")
    yield from duplicates("deals", (d.id for d in spec.deals), "id")
    yield from duplicates("agreements", (a.id for a in spec.agreements), "id")
    yield from agreement_parties(spec)
    yield from duplicate_lines(spec)
    yield from duplicate_reserves(spec)
    yield from market_ranges(spec)
    yield from mineral_chains(spec)
    yield from unknown_references(spec)
    yield from asset_shares(spec)
    yield from policy_rules(spec)
    yield from event_rules(spec)


def duplicates(table: str, ids: Iterable[str], key: str) -> Iterator[str]:
    """Duplicate ids in a table."""
    seen: set[str] = set()
    for index, value in enumerate(ids):
        if value in seen:
            yield f"{table}[{index}].{key}: duplicate id {value!r}"
        seen.add(value)


def duplicate_lines(spec: ScenarioFile) -> Iterator[str]:
    """A country x mineral x stage capacity line given twice."""
    counts = Counter((c.country, c.mineral, c.stage) for c in spec.capacity)
    for index, line in enumerate(spec.capacity):
        if counts[(line.country, line.mineral, line.stage)] > 1:
            yield (
                f"capacity[{index}]: duplicate line for {line.country} {line.mineral.value} "
                f"{line.stage.value}"
            )
            return


def duplicate_reserves(spec: ScenarioFile) -> Iterator[str]:
    """Reserves of a mineral in a country given twice."""
    seen: set[tuple] = set()
    for index, record in enumerate(spec.reserves):
        key = (record.country, record.mineral)
        if key in seen:
            yield f"reserves[{index}]: duplicate reserves for {record.country} {record.mineral.value}"
        seen.add(key)


def agreement_parties(spec: ScenarioFile) -> Iterator[str]:
    """An agreement has at least two parties, each a country of the scenario, none twice."""
    countries = {c.iso3 for c in spec.countries}
    for index, agreement in enumerate(spec.agreements):
        parties = agreement.parties
        if len(set(parties)) < 2 or len(set(parties)) != len(parties):
            yield f"agreements[{index}].parties: name at least two different countries, each once"
        for code in parties:
            if code not in countries:
                yield f"agreements[{index}].parties: unknown country {code!r}"


def market_ranges(spec: ScenarioFile) -> Iterator[str]:
    """A (low, high) range of the [market] table with its ends the wrong way round."""
    for name in (
        "discovery_size_share",
        "greenfield_lead_time_turns",
        "brownfield_lead_time_turns",
        "block_construction_turns",
    ):
        low, high = getattr(spec.market, name)
        if low > high:
            yield f"market.{name}: low {low} is above high {high}"
    for code, (low, high) in spec.market.regulatory_delay_turns.items():
        if low > high:
            yield f"market.regulatory_delay_turns.{code}: low {low} is above high {high}"
    missing = [sector.value for sector in SECTORS if sector not in spec.market.output_value_multiple]
    if missing:
        yield f"market.output_value_multiple: name every sector (missing: {', '.join(missing)})"


def mineral_chains(spec: ScenarioFile) -> Iterator[str]:
    """Each mineral's stages are unique and in chain order."""
    for index, mineral in enumerate(spec.minerals):
        order = [STAGES.index(s.stage) for s in mineral.stages]
        if not order:
            yield f"minerals[{index}].stages: a mineral needs at least one stage"
        elif order != sorted(set(order)):
            yield f"minerals[{index}].stages: stages must be unique and in order mine, refined, magnet"


def unknown_references(spec: ScenarioFile) -> Iterator[str]:
    """Countries, minerals and stages that records use but the scenario does not define."""
    countries = {c.iso3 for c in spec.countries}
    chains = {m.id: {s.stage for s in m.stages} for m in spec.minerals}
    if spec.scenario.focus is not None and spec.scenario.focus not in countries:
        yield f"scenario.focus: unknown country {spec.scenario.focus!r}"
    for path, record in referencing_records(spec):
        for key in ("country", "seller", "buyer"):
            code = getattr(record, key, None)
            if code is not None and code not in countries:
                yield f"{path}.{key}: unknown country {code!r}"
        for key in ("destinations", "origins"):
            for code in getattr(record, key, ()):
                if code not in countries:
                    yield f"{path}.{key}: unknown country {code!r}"
        yield from unknown_mineral_or_stage(path, record, chains)


def unknown_mineral_or_stage(path: str, record: object, chains: dict) -> Iterator[str]:
    """A mineral not declared in [[minerals]], or a stage outside its chain."""
    mineral = getattr(record, "mineral", None)
    if mineral is None:
        return
    if mineral not in chains:
        yield f"{path}.mineral: mineral {mineral.value!r} is not declared in [[minerals]]"
        return
    stages = getattr(record, "stages", None) or [getattr(record, "stage", None)]
    for stage in stages:
        if stage is not None and stage not in chains[mineral]:
            yield f"{path}.stage: {mineral.value} has no stage {stage.value!r}"


def referencing_records(spec: ScenarioFile) -> Iterator[tuple[str, object]]:
    """Every record that refers to countries or minerals, with its field path."""
    for table in ("capacity", "demand", "stocks", "firms", "reserves", "policies", "deals", "events"):
        for index, record in enumerate(getattr(spec, table)):
            yield f"{table}[{index}]", record
    for index, firm in enumerate(spec.firms):
        for asset_index, asset in enumerate(firm.assets):
            yield f"firms[{index}].assets[{asset_index}]", asset


def asset_shares(spec: ScenarioFile) -> Iterator[str]:
    """Firms' stakes in one capacity line may not add up to more than 100%, nor stake nothing."""
    lines = {(c.country, c.mineral, c.stage) for c in spec.capacity}
    totals: dict[tuple, float] = defaultdict(float)
    for index, firm in enumerate(spec.firms):
        for asset_index, asset in enumerate(firm.assets):
            line = (asset.country, asset.mineral, asset.stage)
            path = f"firms[{index}].assets[{asset_index}]"
            if line not in lines:
                yield f"{path}: no capacity line {asset.country} {asset.mineral.value} {asset.stage.value}"
            totals[line] += asset.share
            if totals[line] > 1 + 1e-9:
                yield f"{path}.share: stakes in this line add up to {totals[line]:.0%}, above 100%"


def policy_rules(spec: ScenarioFile) -> Iterator[str]:
    """A quota needs its tonnes; nobody controls exports to or taxes imports from itself."""
    for index, policy in enumerate(spec.policies):
        path = f"policies[{index}]"
        if isinstance(policy, ExportControlSpec):
            if policy.regime == "quota" and policy.quota_tonnes_per_year is None:
                yield f"{path}.quota_tonnes_per_year: a quota regime needs its tonnes"
            if policy.country in policy.destinations:
                yield f"{path}.destinations: a country cannot control exports to itself"
        elif policy.country in policy.origins:
            yield f"{path}.origins: a country cannot tax imports from itself"
    for index, deal in enumerate(spec.deals):
        if deal.seller == deal.buyer:
            yield f"deals[{index}].buyer: seller and buyer are the same country"


def event_rules(spec: ScenarioFile) -> Iterator[str]:
    """Events fall inside the scenario; action events carry an action."""
    for index, event in enumerate(spec.events):
        if event.turn >= spec.scenario.turns:
            last = spec.scenario.turns
            yield f"events[{index}].turn: turn {event.turn} is past the scenario's {last} turns"
        if event.kind == "action":
            yield from action_event_problems(index, event)
        elif event.kind in ("disruption", "demand_shock") and event.mineral is None:
            yield f"events[{index}].mineral: a {event.kind} event needs a mineral"
        if event.kind == "disruption" and event.stage is None:
            yield f"events[{index}].stage: a disruption event needs a stage"


def action_event_problems(index: int, event) -> Iterator[str]:
    """An 'action' event carries a well-formed action for its own country."""
    from critmin.core.actions import ActionFormatError, action_from_dict

    if not event.action:
        yield f"events[{index}].action: an 'action' event needs an action table"
        return
    try:
        action = action_from_dict({"country": event.country, **event.action})
    except ActionFormatError as error:
        yield f"events[{index}].action: {error}"
        return
    if action.country != event.country:
        yield f"events[{index}].action.country: the action is {action.country}'s, the event {event.country}'s"
