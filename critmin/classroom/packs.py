"""Teaching packs: what a class needs around a scenario, in TOML under critmin/scenarios/teaching/.

A pack names its scenario and holds a briefing, learning objectives, key figures with their
sources, role cards (one or more per team: a ministry, a state firm, …) with public brief,
private information, levers and measurable goals, events the instructor may inject by name,
debrief questions, a class-length agenda (minutes per activity) and a grading rubric (criteria
with weights, what each level looks like and where the debrief shows the evidence). The server
sends each team its role cards; the debrief scores the goals.

Goal metrics (computed per turn from the public snapshot):

- `supply_security`: consumption / demand of a mineral at a stage (at least `target`);
- `import_share`: share of the team's imports of a mineral at a stage that come from `origin`
  (at most `target`);
- `export_share`: the team's share of world exports of a mineral at a stage (at least `target`);
- `treasury`: treasury relative to the start of the session (at least `target`);
- `assets_abroad`: number of mineral lines abroad (host and mineral) the team holds through its
  firms' stakes, joint explorations and partnerships (at least `target`; the NCMM's 50 mines abroad);
- `stockpile_cover`: months of the team's final demand of a mineral at a stage held in its strategic
  stockpile (at least `target`; the national stockpile's two months);
- `exploration_projects`: the team's money put into exploration at home so far, counted in projects
  of `unit_usd_m` each (at least `target`; the NCMM's 1,200 projects);
- `blocks_auctioned`: mineral blocks auctioned in the team's country so far (at least `target`; the
  NCMM's 100+ blocks);
- `recycled_tonnes`: tonnes a year of critical minerals the team's country recovers from scrap (at
  least `target`; the recycling scheme's 40 kt/yr).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from critmin.core.vocabulary import Mineral, Stage

TEACHING = resources.files("critmin.scenarios") / "teaching"
Iso3 = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Seat = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")]  # a country or a firm id
Identifier = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
Metric = Literal[
    "supply_security", "import_share", "export_share", "treasury", "assets_abroad", "stockpile_cover",
    "exploration_projects", "blocks_auctioned", "recycled_tonnes",
]  # fmt: skip
WHOLE_TEAM = frozenset(  # metrics of no one mineral line
    {"treasury", "assets_abroad", "exploration_projects", "blocks_auctioned", "recycled_tonnes"}
)
AT_MOST = frozenset({"import_share"})


class PackError(ValueError):
    """A teaching pack that is missing or malformed; the message names the file and field."""


class PackRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of pack records: immutable, strict about unknown fields."""


class Goal(PackRecord, kw_only=True):
    """A measurable goal of a role, checked each turn in the debrief."""

    text: str
    metric: Metric
    target: Annotated[float, msgspec.Meta(ge=0)]
    mineral: Mineral | None = None
    stage: Stage | None = None
    origin: Iso3 | None = None
    unit_usd_m: Annotated[float, msgspec.Meta(gt=0)] | None = None  # exploration_projects: USD m a project

    @property
    def at_most(self) -> bool:
        """True when the goal is met at or below its target (an import share), else at or above."""
        return self.metric in AT_MOST

    def label(self) -> str:
        """A short label, e.g. 'ree_heavy magnet supply_security >= 0.8'."""
        line = " ".join(x.value for x in (self.mineral, self.stage) if x is not None)
        origin = f" from {self.origin}" if self.origin else ""
        return f"{line} {self.metric}{origin} {'<=' if self.at_most else '>='} {self.target:g}".strip()


class Role(PackRecord, kw_only=True):
    """A role card: who the players are, what they want, what only they know."""

    id: Identifier
    team: Seat
    title: str
    brief: str
    private: tuple[str, ...] = ()
    levers: tuple[str, ...] = ()
    goals: tuple[Goal, ...] = ()


class Figure(PackRecord, kw_only=True):
    """A key figure for the briefing, with its source and confidence."""

    label: str
    value: str
    source: str


class Inject(PackRecord, kw_only=True):
    """An event the instructor may inject by name (`critmin instructor ... inject ID`)."""

    id: Identifier
    title: str
    kind: Literal["action", "disruption", "discovery", "demand_shock"]
    country: Iso3
    mineral: Mineral | None = None
    stage: Stage | None = None
    action: dict[str, object] | None = None
    share: float = 0.0
    duration_turns: int = 1
    tonnes_per_year: float = 0.0
    source: str
    note: str = ""

    def event(self) -> dict:
        """The scenario event record (without its turn) this inject stands for."""
        data = msgspec.to_builtins(self)
        return {k: v for k, v in data.items() if k not in ("id", "note") and v is not None}


class AgendaItem(PackRecord, kw_only=True):
    """One block of the class: how long, what happens, what the instructor does."""

    minutes: Annotated[int, msgspec.Meta(ge=1, le=240)]
    activity: str
    notes: str = ""
    turns: int = 0  # game turns played in this block


class Criterion(PackRecord, kw_only=True):
    """One criterion of the grading rubric, with what strong, adequate and weak work look like."""

    criterion: str
    weight: Annotated[float, msgspec.Meta(gt=0, le=1)]
    strong: str
    adequate: str
    weak: str
    evidence: str = ""  # where the debrief shows it (a section or CSV column)


class PackInfo(PackRecord, kw_only=True):
    """The [pack] table."""

    id: Identifier
    scenario: str
    title: str
    audience: str = ""
    duration: str = ""
    teams: tuple[Seat, ...]  # countries' ISO3 codes and state firms' ids
    turns: Annotated[int, msgspec.Meta(ge=1)] | None = None
    turn_seconds: Annotated[float, msgspec.Meta(gt=0)] | None = None


class Pack(PackRecord, kw_only=True):
    """A whole teaching pack."""

    pack: PackInfo
    briefing: str
    objectives: tuple[str, ...]
    figures: tuple[Figure, ...] = ()
    roles: tuple[Role, ...]
    injects: tuple[Inject, ...] = ()
    debrief: tuple[str, ...] = ()
    agenda: tuple[AgendaItem, ...] = ()
    rubric: tuple[Criterion, ...] = ()

    @property
    def agenda_minutes(self) -> int:
        """The length of the class the agenda plans."""
        return sum(item.minutes for item in self.agenda)

    def roles_of(self, team: str) -> list[Role]:
        """The role cards of a team."""
        return [role for role in self.roles if role.team == team]

    def goals_of(self, team: str) -> list[Goal]:
        """Every goal of a team's roles."""
        return [goal for role in self.roles_of(team) for goal in role.goals]

    def inject(self, name: str) -> Inject | None:
        """A named inject."""
        return next((i for i in self.injects if i.id == name), None)

    def role_card(self, team: str) -> dict:
        """What a team receives when it joins: the briefing and its own role cards (JSON-ready)."""
        return {
            "pack": self.pack.id,
            "title": self.pack.title,
            "briefing": self.briefing,
            "objectives": list(self.objectives),
            "roles": [msgspec.to_builtins(role) for role in self.roles_of(team)],
        }


def pack_names() -> list[str]:
    """Names of the packaged teaching packs."""
    if not TEACHING.is_dir():
        return []
    return sorted(p.name.removesuffix(".toml") for p in TEACHING.iterdir() if p.name.endswith(".toml"))


def load_pack(name_or_path: str | Path) -> Pack:
    """A packaged pack by name (its scenario's name) or a pack file by path."""
    path = Path(name_or_path)
    if not path.is_file():
        packaged = TEACHING / f"{name_or_path}.toml"
        if not packaged.is_file():
            raise PackError(f"{name_or_path}: no such teaching pack (packaged: {', '.join(pack_names())})")
        path = Path(str(packaged))
    try:
        content = tomllib.loads(path.read_text(encoding="utf-8"))
        return msgspec.convert(content, Pack)
    except tomllib.TOMLDecodeError as error:
        raise PackError(f"{path.name}: TOML syntax error: {error}") from None
    except msgspec.ValidationError as error:
        raise PackError(f"{path.name}: {error}") from None


def load_optional_pack(name: str | None) -> Pack | None:
    """A session's teaching pack, if it names one that can be loaded."""
    if not name:
        return None
    try:
        return load_pack(name)
    except PackError:
        return None


def pack_for(scenario_id: str) -> Pack | None:
    """The packaged pack written for a scenario, if any."""
    for name in pack_names():
        pack = load_pack(name)
        if pack.pack.scenario == scenario_id:
            return pack
    return None


def check_pack(
    pack: Pack, countries: set[str], chains: dict[str, list[str]], firms: frozenset[str] = frozenset()
) -> list[str]:
    """Problems of a pack against its scenario's countries, firms and mineral chains (empty if none)."""
    seats = countries | firms
    problems = [f"pack team {t} is not in the scenario" for t in pack.pack.teams if t not in seats]
    for role in pack.roles:
        if role.team not in seats:
            problems.append(f"role {role.id}: team {role.team} is not in the scenario")
        for goal in role.goals:
            problems += goal_problems(role.id, goal, countries, chains)
    for inject in pack.injects:
        if inject.country not in countries:
            problems.append(f"inject {inject.id}: country {inject.country} is not in the scenario")
    weights = sum(c.weight for c in pack.rubric)
    if pack.rubric and abs(weights - 1.0) > 1e-6:
        problems.append(f"rubric weights add up to {weights:g}, not 1")
    return problems


def goal_problems(role: str, goal: Goal, countries: set[str], chains: dict[str, list[str]]) -> list[str]:
    """Problems of one goal: a line the scenario lacks, a missing origin."""
    problems = []
    if goal.metric not in WHOLE_TEAM:
        if goal.mineral is None or goal.stage is None:
            problems.append(f"role {role}: goal '{goal.text}' needs a mineral and a stage")
        elif goal.stage.value not in chains.get(goal.mineral.value, []):
            problems.append(f"role {role}: {goal.mineral.value} has no {goal.stage.value} stage")
    if goal.metric == "import_share" and goal.origin not in countries:
        problems.append(f"role {role}: goal '{goal.text}' needs an origin country in the scenario")
    if goal.metric == "exploration_projects" and goal.unit_usd_m is None:
        problems.append(f"role {role}: goal '{goal.text}' needs unit_usd_m, the money of one project")
    return problems


def pack_markdown(pack: Pack, team: str | None = None) -> str:
    """A pack as Markdown: the whole instructor's copy, or one team's handout."""
    lines = [f"# {pack.pack.title}", "", pack.briefing.strip(), "", "## Learning objectives", ""]
    lines += [f"- {objective}" for objective in pack.objectives]
    if pack.figures:
        lines += ["", "## Key figures", "", "| figure | value | source |", "|---|---|---|"]
        lines += [f"| {f.label} | {f.value} | {f.source} |" for f in pack.figures]
    for role in pack.roles if team is None else pack.roles_of(team):
        lines += ["", f"## {role.title} ({role.team})", "", role.brief.strip()]
        for heading, items in (
            ("Private information", role.private),
            ("Levers", role.levers),
            ("Goals", [f"{g.text} ({g.label()})" for g in role.goals]),
        ):
            if items:
                lines += ["", f"**{heading}**", "", *[f"- {item}" for item in items]]
    if team is None and pack.agenda:
        lines += ["", f"## Agenda ({pack.agenda_minutes} minutes)", "", "| minutes | activity | notes |"]
        lines += ["|---|---|---|", *[f"| {a.minutes} | {a.activity} | {a.notes} |" for a in pack.agenda]]
    if team is None and pack.rubric:
        lines += ["", "## Grading rubric", "", "| criterion | weight | strong | adequate | weak | evidence |"]
        lines += ["|---|---|---|---|---|---|"]
        lines += [
            f"| {c.criterion} | {c.weight:.0%} | {c.strong} | {c.adequate} | {c.weak} | {c.evidence} |"
            for c in pack.rubric
        ]
    if team is None:
        lines += ["", "## Events the instructor may inject", ""]
        lines += [f"- `{i.id}`: {i.title} ({i.source})" for i in pack.injects]
        lines += ["", "## Debrief questions", "", *[f"{n}. {q}" for n, q in enumerate(pack.debrief, 1)]]
    return "\n".join(lines) + "\n"
