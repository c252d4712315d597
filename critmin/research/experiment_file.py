"""The experiment file's records: [experiment], [design], [[factors]], [[metrics]], [outputs], [[outcomes]].

Plain msgspec Structs, immutable and strict about unknown fields; experiment.py reads a file into
an `ExperimentFile` and checks it against its scenario.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from critmin.research.metrics import DEFAULT_METRICS, Dimension, MetricInfo, Unit

Name = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Identifier = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Iso3 = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Level = bool | int | float | str
MAX_LEVELS = 256  # each level is tried on the scenario at load


class Spec(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of every experiment record: immutable, strict about unknown fields."""


class ExperimentInfo(Spec, kw_only=True):
    """The [experiment] table."""

    name: Identifier
    description: str = ""
    scenario: str
    turns: Annotated[int, msgspec.Meta(ge=1, le=400)] | None = None
    replications: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 1
    seed: Annotated[int, msgspec.Meta(ge=0)] = 0
    common_random_numbers: bool = True


class DesignSpec(Spec, kw_only=True):
    """The [design] table: how factor levels are combined or sampled."""

    kind: Literal["full_factorial", "latin_hypercube", "sobol", "morris", "fast"] = "full_factorial"
    samples: Annotated[int, msgspec.Meta(ge=1)] | None = None
    second_order: bool = False
    levels: Annotated[int, msgspec.Meta(ge=2, le=20)] = 4  # Morris: grid levels per factor
    harmonics: Annotated[int, msgspec.Meta(ge=1, le=10)] = 4  # eFAST: interference parameter M


class FactorSpec(Spec, kw_only=True):
    """One [[factors]] entry: what it changes and the values it takes."""

    name: Name
    kind: Literal["set", "scale", "include", "action", "dummy"] = "set"
    target: str | None = None
    levels: Annotated[tuple[Level, ...], msgspec.Meta(min_length=1, max_length=MAX_LEVELS)] | None = None
    range: tuple[float, float] | None = None
    integer: bool = False
    role: Literal["uncertainty", "lever"] = "uncertainty"
    action: dict[str, Any] | None = None
    field: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+$")] = "turn"
    turn: Annotated[int, msgspec.Meta(ge=0)] = 0
    description: str = ""
    unit: str = ""

    def meaning(self) -> str:
        """What the factor's column holds, for the dataset's schema."""
        if self.description:
            return self.description
        if self.kind == "dummy":
            return "dummy factor: changes nothing (a yardstick for the estimators' noise)"
        if self.kind == "action":
            kind = (self.action or {}).get("type", "action")
            return f"{kind} added as a scripted action; the level sets its {self.field}"
        return {"set": "value set at", "scale": "multiplier of", "include": "records kept (true) at"}[
            self.kind
        ] + f" {self.target}"

    def column_type(self) -> str:
        """The dataset column type of this factor: bool, int, float or string."""
        if self.kind == "include" or (self.kind == "action" and self.field == "enabled"):
            return "bool"
        values = self.levels or ()
        if values and all(isinstance(v, str) for v in values):
            return "string"
        if values and all(isinstance(v, bool) for v in values):
            return "bool"
        integral = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        if (
            self.integer
            or (self.kind == "action" and self.field == "turn")
            or (integral and self.range is None)
        ):
            return "int"
        return "float"

    def coerce(self, value: Any) -> Level:
        """A level as the factor's column type."""
        kind = self.column_type()
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        return bool(value) if kind == "bool" else str(value)


class OutputSpec(Spec, kw_only=True):
    """The [outputs] table: per-turn metrics kept in the dataset."""

    focus: Iso3 = "CHN"
    metrics: tuple[str, ...] = DEFAULT_METRICS
    minerals: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


class OutcomeSpec(Spec, kw_only=True):
    """One [[outcomes]] entry: a metric series reduced to one number per run."""

    name: Name
    metric: str
    country: str | None = None
    partner: str | None = None
    mineral: str | None = None
    stage: str | None = None
    reduce: Literal["mean", "last", "max", "min", "sum"] = "mean"
    from_turn: Annotated[int, msgspec.Meta(ge=0)] = 0


class MetricSpec(Spec, kw_only=True):
    """One [[metrics]] entry: a user metric, by function or by selector (see `user_metrics`)."""

    name: Name
    unit: Unit
    description: str = ""
    function: str | None = None
    dimensions: tuple[Dimension, ...] = ()
    table: Literal["figures", "flows"] | None = None
    column: str | None = None
    where: dict[str, str | list[str]] = {}
    by: tuple[Dimension, ...] = ()
    aggregate: Literal["sum", "mean", "max", "min"] = "sum"

    def info(self) -> MetricInfo:
        """Its dimensions, unit and meaning."""
        dimensions = self.dimensions if self.function is not None else self.by
        return MetricInfo(self.name, dimensions, self.unit, self.description or f"user metric {self.name}")


class ExperimentFile(Spec, kw_only=True):
    """A whole experiment file."""

    experiment: ExperimentInfo
    design: DesignSpec = DesignSpec()
    factors: tuple[FactorSpec, ...] = ()
    metrics: tuple[MetricSpec, ...] = ()
    outputs: OutputSpec = OutputSpec()
    outcomes: tuple[OutcomeSpec, ...] = ()


DEFAULT_OUTCOME = OutcomeSpec(name="world_shortage_value_share", metric="shortage_value_share", country="WLD")
