"""Experiments: which scenario, what varies, how it is sampled, how often, and what is kept.

An experiment is a TOML file (see `critmin batch --example` and docs/researcher-guide.md):

    [experiment]   name, scenario, turns, replications, seed, common_random_numbers
    [design]       kind = full_factorial | latin_hypercube | sobol | morris | fast, samples, ...
    [[factors]]    name, kind = set | scale | include | action | dummy, target, levels or range, ...
    [[metrics]]    user metrics: a function by import path, or a selector over a snapshot table
    [outputs]      focus country, metrics, minerals and countries kept
    [[outcomes]]   named scalar summaries of a metric, for `critmin analyze` and EMA

Unknown fields are refused. Every problem is reported as `FILE: field.path: what is wrong`,
and each factor level is tried on the scenario before anything runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from critmin.research.experiment_file import (
    DEFAULT_OUTCOME,
    ExperimentFile,
    FactorSpec,
    Level,
    OutcomeSpec,
)
from critmin.research.factors import FactorError, build_content, parse_target
from critmin.research.metrics import BUILT_IN, MetricInfo
from critmin.research.user_metrics import MetricError, add_search_path, resolve, selector_problems
from critmin.scenarios.loader import (
    Scenario,
    describe_validation_error,
    is_file,
    load_scenario,
    scenario_from_content,
)
from critmin.scenarios.reading import ReadError, parse_toml, read_text
from critmin.scenarios.validate import ScenarioError

RESERVED = frozenset(
    {"run_id", "point", "replication", "seed", "turn", "metric", "country", "partner", "mineral", "stage"}
    | {"value", "usd_per_kg", "share", "ratio", "tonnes", "tonnes_per_turn", "usd_million", "count"}
)
MAX_RUNS = 10_000_000
# Below these base samples SALib's estimates are unstable: a batch refuses them unless forced.
MINIMUM_SAMPLES = {"sobol": 64, "morris": 10, "fast": 65}


class ExperimentError(ValueError):
    """An experiment file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Experiment:
    """A loaded, checked experiment and the scenario it starts from.

    Attributes:
        spec: the typed records.
        scenario: the base scenario (before factors).
        origin: the experiment file (or '<data>').
        text: the file as written (kept in the manifest).

    """

    spec: ExperimentFile
    scenario: Scenario
    origin: str = "<data>"
    text: str = ""

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.spec.experiment.name

    @property
    def turns(self) -> int:
        """Turns per run: the experiment's, else the scenario's."""
        return self.spec.experiment.turns or self.scenario.spec.scenario.turns

    @property
    def outcomes(self) -> tuple[OutcomeSpec, ...]:
        """The named outcomes, or the default one (world shortage value share)."""
        return self.spec.outcomes or (DEFAULT_OUTCOME,)

    def fingerprint(self) -> str:
        """sha256 of the experiment's records and the base scenario's content hash."""
        data = {"experiment": msgspec.to_builtins(self.spec), "scenario": self.scenario.hash}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def factor(self, name: str) -> FactorSpec:
        """A factor by name."""
        return next(f for f in self.spec.factors if f.name == name)


def known_metrics(spec: ExperimentFile) -> dict[str, MetricInfo]:
    """Built-in metrics and the experiment's own, by name."""
    return BUILT_IN | {m.name: m.info() for m in spec.metrics}


def kept_metrics(spec: ExperimentFile) -> dict[str, MetricInfo]:
    """The metrics a run keeps: those of outputs.metrics, then every user metric."""
    known = known_metrics(spec)
    names = [*spec.outputs.metrics, *(m.name for m in spec.metrics if m.name not in spec.outputs.metrics)]
    return {name: known[name] for name in names if name in known}


def load_experiment(path: str | Path) -> Experiment:
    """Read, convert and check an experiment file; ExperimentError names the field at fault."""
    try:
        text = read_text(Path(path), "experiment file")
    except ReadError as error:
        raise ExperimentError(str(error)) from None
    return experiment_from_text(text, origin=str(path))


def experiment_from_text(text: str, origin: str = "<data>") -> Experiment:
    """An experiment from TOML text; relative scenario paths are read beside `origin`."""
    filename = Path(origin).name
    try:
        data = parse_toml(text, filename)
    except ReadError as error:
        raise ExperimentError(str(error)) from None
    return experiment_from_data(data, origin=origin, text=text)


def experiment_from_data(data: dict[str, Any], origin: str = "<data>", text: str = "") -> Experiment:
    """An experiment from plain data (e.g. the copy in a manifest)."""
    filename = Path(origin).name
    try:
        spec = msgspec.convert(data, ExperimentFile)
    except msgspec.ValidationError as error:
        message = describe_validation_error(filename, str(error)).replace(" | null`", "`")
        raise ExperimentError(message) from None
    if origin != "<data>" and any(m.function for m in spec.metrics):
        add_search_path(Path(origin).parent)
    scenario = read_scenario(spec.experiment.scenario, origin, filename)
    experiment = Experiment(spec=spec, scenario=scenario, origin=origin, text=text)
    for problem in find_problems(experiment):
        raise ExperimentError(f"{filename}: {problem}")
    return experiment


def read_scenario(name: str, origin: str, filename: str) -> Scenario:
    """The experiment's scenario: a packaged name, or a path (tried beside the experiment file first)."""
    candidates = [Path(origin).parent / name] if origin != "<data>" and name.endswith(".toml") else []
    for candidate in candidates:
        if is_file(candidate):
            name = str(candidate)
    try:
        return load_scenario(name)
    except ScenarioError as error:
        raise ExperimentError(f"{filename}: experiment.scenario: {error}") from None


def find_problems(experiment: Experiment):
    """Every problem of a converted experiment, as 'field.path: what is wrong' (first ones first)."""
    spec = experiment.spec
    yield from design_problems(spec)
    names = [f.name for f in spec.factors]
    for index, factor in enumerate(spec.factors):
        where = f"factors[{index}]"
        if factor.name in RESERVED:
            yield f"{where}.name: {factor.name!r} is reserved for a dataset column; choose another name"
        elif names.count(factor.name) > 1:
            yield f"{where}.name: factor {factor.name!r} is defined twice"
        yield from factor_problems(factor, where, spec.design.kind)
        yield from level_problems(experiment, factor, where)
    yield from metric_problems(spec)
    yield from output_problems(experiment)


def design_problems(spec: ExperimentFile):
    """The design's own rules."""
    design = spec.design
    if design.kind != "full_factorial" and design.samples is None:
        yield f"design.samples: the {design.kind} design needs a number of samples"
    if design.kind != "full_factorial" and not spec.factors:
        yield f"design.kind: a {design.kind} design needs at least one factor"
    if design.kind == "sobol" and spec.factors and design.samples and design.samples & (design.samples - 1):
        yield f"design.samples: a sobol design needs a power of two (64, 128, ...), got {design.samples}"
    if design.kind == "fast" and design.samples and design.samples <= 4 * design.harmonics**2:
        yield (
            f"design.samples: eFAST needs more than 4 x harmonics^2 = {4 * design.harmonics**2} "
            f"samples, got {design.samples}"
        )
    if design.kind == "morris" and design.samples is not None and design.samples < 2:
        yield "design.samples: a morris design needs at least 2 trajectories"
    runs = count_points(spec) * spec.experiment.replications
    if runs > MAX_RUNS:
        yield f"design: {runs:,} runs is more than the {MAX_RUNS:,} a batch accepts"


def count_points(spec: ExperimentFile) -> int:
    """Design points (before replications)."""
    design = spec.design
    if design.kind == "full_factorial":
        points = 1
        for factor in spec.factors:
            points *= len(factor.levels or ())
        return points
    if design.kind == "latin_hypercube":
        return design.samples or 0
    factors = len(spec.factors)
    width = {
        "sobol": 2 * factors + 2 if design.second_order else factors + 2,
        "morris": factors + 1,
        "fast": factors,
    }[design.kind]
    return (design.samples or 0) * width


def small_design(spec: ExperimentFile) -> str | None:
    """Why the design is too small for stable sensitivity indices, or None."""
    design = spec.design
    minimum = MINIMUM_SAMPLES.get(design.kind)
    if minimum is None or (design.samples or 0) >= minimum:
        return None
    unit = "trajectories" if design.kind == "morris" else "samples"
    return (
        f"design.samples: {design.samples} {unit} is below the {minimum} a {design.kind} design needs "
        "for stable indices (intervals would be wider than the indices); raise it, or force the batch "
        "(--force)"
    )


def factor_problems(factor: FactorSpec, where: str, design: str):
    """The fields a factor needs for its kind and for the design."""
    if factor.kind == "dummy":
        if factor.target is not None or factor.action is not None:
            yield f"{where}: a dummy factor changes nothing, so it takes no target or action"
    elif factor.kind == "action":
        if factor.action is None:
            yield f"{where}.action: an action factor needs an action table"
        if factor.target is not None:
            yield f"{where}.target: an action factor has no target (its action is added as an event)"
    elif factor.target is None:
        yield f"{where}.target: a {factor.kind} factor needs a target"
    else:
        try:
            parse_target(factor.target)
        except FactorError as error:
            yield f"{where}.target: {error}"
    if design == "full_factorial" and factor.levels is None:
        yield f"{where}.levels: the full_factorial design needs levels for every factor"
    if factor.levels is None and factor.range is None:
        yield f"{where}: give levels or a range"
    if factor.range is not None and not factor.range[0] < factor.range[1]:
        yield f"{where}.range: low must be below high, got {list(factor.range)}"
    yield from level_type_problems(factor, where)


def level_type_problems(factor: FactorSpec, where: str):
    """Levels of the right type for the factor's kind."""
    levels = factor.levels or ()
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in levels)
    if factor.kind == "include" and not all(isinstance(v, bool) for v in levels):
        yield f"{where}.levels: an include factor takes true/false levels"
    if factor.kind == "include" and factor.range is not None:
        yield f"{where}.range: an include factor takes levels true/false, not a range"
    if factor.kind == "scale" and not numeric:
        yield f"{where}.levels: a scale factor takes numbers"
    if len({type(v) for v in levels} - {int, float}) > 1 or (
        not numeric and len({type(v) for v in levels}) > 1
    ):
        yield f"{where}.levels: mixes types ({', '.join(sorted({type(v).__name__ for v in levels}))})"
    if factor.kind == "action" and factor.field == "turn" and not numeric:
        yield f"{where}.levels: an action factor's levels are turns (whole numbers)"


def trial_levels(factor: FactorSpec) -> list[Level]:
    """The levels tried on the scenario at load: every level, or a range's two ends."""
    if factor.levels is not None:
        return [factor.coerce(v) for v in factor.levels]
    low, high = factor.range or (0.0, 0.0)
    return [factor.coerce(low), factor.coerce(high)]


def level_problems(experiment: Experiment, factor: FactorSpec, where: str):
    """Apply each trial level to the scenario; report the first that breaks it."""
    scenario = experiment.scenario
    for level in trial_levels(factor):
        try:
            content = build_content(scenario.content, experiment.turns, [(factor, level)])
            scenario_from_content(content, origin=scenario.origin)
        except FactorError as error:
            yield f"{where}.{'action' if factor.kind == 'action' else 'target'}: {error}"
            return
        except ScenarioError as error:
            field = "action" if factor.kind == "action" else "levels"
            yield f"{where}.{field}: level {level!r} makes the scenario invalid: {error}"
            return


def metric_problems(spec: ExperimentFile):
    """User metrics: a known import path, or a selector on a known table and column."""
    names = [m.name for m in spec.metrics]
    for index, metric in enumerate(spec.metrics):
        where = f"metrics[{index}]"
        if metric.name in BUILT_IN or names.count(metric.name) > 1:
            yield f"{where}.name: metric {metric.name!r} is defined twice (or is a built-in metric)"
        if (metric.function is None) == (metric.table is None):
            yield f"{where}: give either function = 'module:function' or table (a selector)"
        elif metric.function is not None:
            if metric.by or metric.where or metric.column:
                yield f"{where}: a function metric takes dimensions, not column, where or by"
            try:
                resolve(metric.function)
            except MetricError as error:
                yield f"{where}.function: {error}"
        else:
            if metric.column is None:
                yield f"{where}.column: a selector needs the column it reads"
            elif metric.dimensions:
                yield f"{where}.dimensions: a selector's dimensions are its `by`"
            else:
                for problem in selector_problems(metric):
                    yield f"{where}.{problem}"


def output_problems(experiment: Experiment):
    """Outputs and outcomes refer to what the scenario has."""
    spec, scenario = experiment.spec, experiment.scenario.spec
    known = known_metrics(spec)
    for name in spec.outputs.metrics:
        if name not in known:
            yield f"outputs.metrics: unknown metric {name!r} (built-in: {', '.join(BUILT_IN)})"
    kept = kept_metrics(spec)
    countries = {c.iso3 for c in scenario.countries}
    minerals = {m.id.value for m in scenario.minerals}
    if spec.outputs.focus not in countries:
        yield f"outputs.focus: {spec.outputs.focus} is not a country of scenario {scenario.scenario.id}"
    for name, existing, chosen in (
        ("minerals", minerals, spec.outputs.minerals),
        ("countries", countries, spec.outputs.countries),
    ):
        unknown = sorted(set(chosen) - existing)
        if unknown:
            yield f"outputs.{name}: not in the scenario: {', '.join(unknown)}"
    names = [o.name for o in spec.outcomes]
    for index, outcome in enumerate(spec.outcomes):
        where = f"outcomes[{index}]"
        if names.count(outcome.name) > 1:
            yield f"{where}.name: outcome {outcome.name!r} is defined twice"
        if outcome.metric not in kept:
            yield f"{where}.metric: {outcome.metric} is not among outputs.metrics or the [[metrics]]"
            continue
        yield from outcome_dimension_problems(outcome, where, kept, countries | {"WLD"}, minerals)
        kept_minerals, kept_countries = spec.outputs.minerals, spec.outputs.countries
        if kept_minerals and outcome.mineral is not None and outcome.mineral not in kept_minerals:
            yield f"{where}.mineral: {outcome.mineral} is not among outputs.minerals, so it is not kept"
        if kept_countries and outcome.country not in (None, "WLD", *kept_countries):
            yield f"{where}.country: {outcome.country} is not among outputs.countries, so it is not kept"


def outcome_dimension_problems(
    outcome: OutcomeSpec,
    where: str,
    metrics: dict[str, MetricInfo],
    countries: set[str] | None = None,
    minerals: set[str] | None = None,
):
    """An outcome names exactly the dimensions its metric has, with known values (when given)."""
    if outcome.metric not in metrics:
        yield f"{where}.metric: unknown metric {outcome.metric!r} (known: {', '.join(metrics)})"
        return
    needed = metrics[outcome.metric].dimensions
    for dimension in ("country", "partner", "mineral", "stage"):
        value = getattr(outcome, dimension)
        if dimension in needed and value is None:
            yield f"{where}.{dimension}: metric {outcome.metric} needs a {dimension} ({', '.join(needed)})"
        elif dimension not in needed and value is not None:
            yield f"{where}.{dimension}: {outcome.metric} has no {dimension} (it has {', '.join(needed)})"
    for dimension in ("country", "partner"):
        value = getattr(outcome, dimension)
        if countries is not None and value is not None and value not in countries:
            yield f"{where}.{dimension}: {value} is not a country of the scenario"
    if minerals is not None and outcome.mineral is not None and outcome.mineral not in minerals:
        yield f"{where}.mineral: {outcome.mineral} is not a mineral of the scenario"
