"""The policy book: export controls and tariffs in force, and the route rules they make."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from critmin.core.export_control import BAN, LICENCE, ExportControl
from critmin.core.vocabulary import TURNS_PER_YEAR

if TYPE_CHECKING:
    from critmin.engine.state import Index

__all__ = ["ExportControl", "PolicyBook", "RouteRules", "Subsidy", "Tariff", "quota_per_turn", "read_only"]


@dataclass(frozen=True)
class Tariff:
    """An importer's ad-valorem tariff on one mineral at one stage, from origins (all if empty)."""

    country: str
    mineral: str
    stage: str
    rate: float
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subsidy:
    """A production-linked incentive: the treasury pays `rate` of the line's sales value until a turn."""

    country: str
    mineral: str
    stage: str
    rate: float
    until_turn: int


@dataclass
class RouteRules:
    """What the policies mean for one market's routes."""

    route_open: np.ndarray  # (C, C) bool
    licensed: np.ndarray  # (C, C) bool
    export_cap: np.ndarray  # (C,) tonnes per turn, inf = none
    licence_cap: np.ndarray  # (C,) tonnes per turn
    delay: np.ndarray  # (C,) turns exports from i over licensed routes take
    tariff: np.ndarray  # (C, C) ad-valorem rate from i into j
    leak_cap: np.ndarray  # (C,) tonnes per turn of i's goods that get round its control (engine/leakage.py)
    leak_open: np.ndarray  # (C, C) bool: where those goods may go (not where a ban stands beside the regime)

    @cached_property
    def controlled(self) -> bool:
        """True if any export control (ban, quota or licence) applies."""
        return bool(self.licensing or np.isfinite(self.export_cap).any() or not self.all_open)

    @cached_property
    def licensing(self) -> bool:
        """True if some route is licensed."""
        return bool(self.licensed.any())

    @cached_property
    def all_open(self) -> bool:
        """True if no route is closed."""
        return bool(self.route_open.all())

    @cached_property
    def tariffed(self) -> bool:
        """True if some route pays a tariff."""
        return bool(self.tariff.any())

    @cached_property
    def leaking(self) -> bool:
        """True if some exporter's goods get round its control (`leak_cap`)."""
        return bool(self.leak_cap.any())

    @cached_property
    def licensing_or_banning(self) -> np.ndarray:
        """(C,) bool, read-only: the exporters with a licensed or a closed route."""
        rows = self.licensed.any(axis=1) | ~self.route_open.all(axis=1)
        rows.flags.writeable = False
        return rows

    @cached_property
    def delays(self) -> bool:
        """True if some exporter's licensed exports take turns to arrive (`delay`)."""
        return bool(self.delay.any())

    def controlled_exporters(self) -> np.ndarray:
        """The exporters with a control (a quota, a licence, a closed route): no other row is under one."""
        return np.flatnonzero(under_control(self))

    @classmethod
    def unrestricted(cls, n: int) -> RouteRules:
        """Rules of a market without any policy: every route open, no cap, no tariff."""
        return cls(
            route_open=np.ones((n, n), dtype=bool),
            licensed=np.zeros((n, n), dtype=bool),
            export_cap=np.full(n, np.inf),
            licence_cap=np.full(n, np.inf),
            delay=np.zeros(n, dtype=int),
            tariff=np.zeros((n, n)),
            leak_cap=np.zeros(n),
            leak_open=np.ones((n, n), dtype=bool),
        )


def under_control(rules) -> np.ndarray:
    """(..., C) bool: the exporters with a control, in `rules` of one market or stacked by market."""
    closed = ~rules.route_open.all(axis=-1)
    return np.isfinite(rules.export_cap) | rules.licensed.any(axis=-1) | closed


def read_only(rules: RouteRules) -> RouteRules:
    """`rules` with every array made read-only."""
    for item in fields(rules):
        getattr(rules, item.name).flags.writeable = False
    return rules


@dataclass
class PolicyBook:
    """Controls and tariffs in force, keyed by (country, mineral, stage)."""

    controls: dict[tuple[str, str, str], ExportControl] = field(default_factory=dict)
    tariffs: dict[tuple[str, str, str], Tariff] = field(default_factory=dict)
    subsidies: dict[tuple[str, str, str], Subsidy] = field(default_factory=dict)
    _rules: dict | None = field(default=None, init=False, repr=False, compare=False)
    _stale: set = field(default_factory=set, init=False, repr=False, compare=False)

    def impose(self, control: ExportControl) -> None:
        """Put a control in force on its line.

        A new control replaces the line's previous one, except that bans aimed at named
        destinations survive beside another regime: a ban to some plus a licence for the rest.
        """
        key = (control.country, control.mineral, control.stage)
        self.controls[key] = merged(self.controls.get(key), control)
        self._stale.add(key[1:])

    def lift(self, country: str, mineral: str, stage: str) -> bool:
        """Remove a control; False if there was none."""
        self._stale.add((mineral, stage))
        return self.controls.pop((country, mineral, stage), None) is not None

    def set_tariff(self, tariff: Tariff) -> None:
        """Set (or with rate 0, remove) a tariff."""
        key = (tariff.country, tariff.mineral, tariff.stage)
        self._stale.add(key[1:])
        if tariff.rate > 0:
            self.tariffs[key] = tariff
        else:
            self.tariffs.pop(key, None)

    def set_subsidy(self, subsidy: Subsidy) -> None:
        """Set (or with rate 0, remove) a production subsidy."""
        key = (subsidy.country, subsidy.mineral, subsidy.stage)
        if subsidy.rate > 0:
            self.subsidies[key] = subsidy
        else:
            self.subsidies.pop(key, None)

    def end_subsidies(self, turn: int) -> list[Subsidy]:
        """Remove and return the subsidies whose last turn has passed."""
        ended = [s for s in self.subsidies.values() if s.until_turn < turn]
        for subsidy in ended:
            del self.subsidies[(subsidy.country, subsidy.mineral, subsidy.stage)]
        return ended

    def subsidy_rates(self, index) -> np.ndarray:
        """(C, M, S) subsidy rate of every line (0 where none)."""
        rates = np.zeros((len(index.countries), len(index.minerals), len(index.stages)))
        for subsidy in self.subsidies.values():
            rates[
                index.country[subsidy.country], index.mineral[subsidy.mineral], index.stage[subsidy.stage]
            ] = subsidy.rate
        return rates

    def market_rules(self, countries: dict[str, int]) -> dict[tuple[str, str], RouteRules]:
        """Route rules (read-only) of every market (mineral, stage) that has a policy in force.

        Kept between calls: a market's rules are made again only after one of its policies changed.
        """
        if self._rules is None:
            self._rules, self._stale = {}, self.markets()
        if self._stale:
            kept = self._rules.items()
            self._rules = {market: rules for market, rules in kept if market not in self._stale}
            for market in self._stale & self.markets():
                self._rules[market] = read_only(self.rules(countries, *market))
            self._stale = set()
        return self._rules

    def controlled_lines(self, index: Index, shape: tuple[int, int, int]) -> np.ndarray:
        """(C, M, S) True at the lines under an export control (one naming what `index` lacks is on none)."""
        lines = np.zeros(shape, dtype=bool)
        for country, mineral, stage in self.controls:
            at = (index.country.get(country), index.mineral.get(mineral), index.stage.get(stage))
            if None not in at:
                lines[at] = True
        return lines

    def markets(self) -> set[tuple[str, str]]:
        """The markets (mineral, stage) with a control or a tariff in force."""
        return {key[1:] for key in self.controls} | {key[1:] for key in self.tariffs}

    def rules(self, countries: dict[str, int], mineral: str, stage: str) -> RouteRules:
        """Route rules of one market under the policies in force."""
        rules = RouteRules.unrestricted(len(countries))
        for (_, m, s), control in self.controls.items():
            if m == mineral and s == stage:
                apply_control(rules, control, countries)
        for (country, m, s), tariff in self.tariffs.items():
            if m == mineral and s == stage:
                origins = [countries[o] for o in tariff.origins] or slice(None)
                rules.tariff[origins, countries[country]] = tariff.rate
        np.fill_diagonal(rules.route_open, True)
        np.fill_diagonal(rules.licensed, False)
        np.fill_diagonal(rules.tariff, 0.0)
        return rules

    def records(self) -> list[dict]:
        """Canonical, sorted plain data (for hashing, saving and observations)."""
        controls = [vars(c) | {"kind": "export_control"} for _, c in sorted(self.controls.items())]
        tariffs = [vars(t) | {"kind": "tariff"} for _, t in sorted(self.tariffs.items())]
        subsidies = [vars(s) | {"kind": "subsidy"} for _, s in sorted(self.subsidies.items())]
        return controls + tariffs + subsidies


def merged(old: ExportControl | None, new: ExportControl) -> ExportControl:
    """`new`, keeping the destination bans of `old` that `new` does not itself cover."""
    if old is None:
        return new
    kept = set(old.also_banned)
    if old.regime == "ban" and old.destinations:
        kept |= set(old.destinations)
    if new.regime == "ban" and new.destinations and old.regime != "ban":
        return replace(old, also_banned=tuple(sorted(kept | set(new.destinations))))
    if new.regime == "ban" and not new.destinations:
        return new
    kept -= set(new.destinations) if new.regime == "ban" else set()
    return replace(new, also_banned=tuple(sorted(kept | set(new.also_banned))))


def apply_control(rules: RouteRules, control: ExportControl, countries: dict[str, int]) -> None:
    """Write one control into its exporter's row of a market's route rules (`destination_rows`)."""
    exporter = countries[control.country]
    banned, licensed, leaks = destination_rows(control, countries)
    rules.route_open[exporter] = ~banned
    rules.licensed[exporter] = licensed
    rules.leak_open[exporter] = leaks
    rules.export_cap[exporter] = control.direct_cap()
    rules.licence_cap[exporter] = control.licence_cap()
    rules.delay[exporter] = max(control.delay_turns, 0) if licensed.any() else 0
    rules.leak_cap[exporter] = control.leak_cap()


def destination_rows(control: ExportControl, countries: dict[str, int]) -> tuple[np.ndarray, ...]:
    """(C,) bool rows of `control.bans`, `licenses` and `leaks_to` over `countries`, in one array pass.

    Names not among `countries` are left out; the exporter's own entry is never banned or
    licensed. The delay of a licensed destination is `delay_turns`, of any other 0. The same
    answers as `ExportControl.regime_for` (tests/engine/test_policies.py holds them to it).
    """
    n = len(countries)
    also_banned = np.zeros(n, dtype=bool)
    also_banned[[countries[d] for d in control.also_banned if d in countries]] = True
    covered = np.zeros(n, dtype=bool) if control.destinations else np.ones(n, dtype=bool)
    covered[[countries[d] for d in control.destinations if d in countries]] = True
    own = countries[control.country]
    covered[own] = False
    banned = also_banned | covered if control.regime == BAN else also_banned.copy()
    licensed = covered & ~also_banned if control.regime == LICENCE else np.zeros(n, dtype=bool)
    banned[own] = False
    return banned, licensed, ~also_banned


def quota_per_turn(tonnes_per_year: float | None) -> float:
    """An annual quota as tonnes per turn."""
    return (tonnes_per_year or 0.0) / TURNS_PER_YEAR
