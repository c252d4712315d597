"""Load scenario files: find them, read TOML, resolve `extends`, convert, validate, hash."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from critmin.scenarios import reading
from critmin.scenarios.reading import ReadError, check_bounds
from critmin.scenarios.schema import ScenarioFile
from critmin.scenarios.validate import ScenarioError, find_problems

PACKAGED = resources.files("critmin.scenarios") / "data"
LIST_TABLES = (
    "minerals",
    "countries",
    "capacity",
    "demand",
    "stocks",
    "firms",
    "reserves",
    "policies",
    "deals",
    "agreements",
    "events",
)
MAX_EXTENDS = 16
FIELD_PATH = re.compile(r"^(?P<table>[A-Za-z_]+)(?:\[(?P<index>\d+)\])?(?P<rest>[.\[:].*|)$", re.S)
UNKNOWN_FIELD = re.compile(r"^\(top level\): object contains unknown field `([A-Za-z_]+)`$")
# Where each top-level key of merged content came from: a file name, or per record of a list
# table its file name and index in that file's own list.
Origins = dict[str, str | list[tuple[str, int]]]


@dataclass(frozen=True)
class Scenario:
    """A loaded, validated, immutable scenario.

    Attributes:
        spec: the typed records.
        content: the resolved content as plain data (what a save file embeds).
        hash: sha256 of the canonical JSON of `content`.
        origin: where it was read from.

    """

    spec: ScenarioFile
    content: dict[str, Any] = field(repr=False)
    hash: str
    origin: str

    @property
    def id(self) -> str:
        """The scenario id, e.g. 'world-2024'."""
        return self.spec.scenario.id


def packaged_names() -> list[str]:
    """Names of the scenarios shipped with critmin."""
    return sorted(p.name.removesuffix(".toml") for p in PACKAGED.iterdir() if p.name.endswith(".toml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a packaged scenario by name, or a scenario file by path.

    Raises:
        ScenarioError: the file is missing, not UTF-8 TOML, out of bounds or breaks the schema;
            the message names the file (an `extends` base by its own name) and the field, with
            list indexes counted in that file's own list.

    """
    path = resolve_path(name_or_path)
    content, origins = merge_layers(read_chain(path))
    return scenario_from_content(content, origin=str(path), origins=origins, bounded=True)


def scenario_from_content(
    content: dict[str, Any],
    origin: str = "<data>",
    origins: Origins | None = None,
    bounded: bool = False,
) -> Scenario:
    """Build a Scenario from already resolved content (e.g. the copy inside a save file).

    `origins` (from `merge_layers`) says which file and index each record came from, so
    errors speak in each file's own terms; `bounded` says the files were bounds-checked.
    """
    name = Path(origin).name
    try:
        if not bounded:
            check_bounds(content, name)
    except ReadError as error:
        raise ScenarioError(str(error)) from None
    spec = convert(content, name, origins)
    for problem in find_problems(spec):
        raise ScenarioError(locate(problem, origins or {}, name))
    return Scenario(spec=spec, content=content, hash=content_hash(content), origin=origin)


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of the canonical JSON form of scenario content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def resolve_path(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """A scenario name (packaged, or beside `relative_to`) or a path, as an existing file."""
    name = str(name_or_path)
    candidates = [Path(name_or_path)] if name else []
    if name and not name.endswith(".toml") and "\x00" not in name:
        if relative_to is not None:
            candidates.append(relative_to.parent / f"{name}.toml")
        candidates.append(Path(str(PACKAGED / f"{name}.toml")))
    for candidate in candidates:
        if is_file(candidate):
            return candidate
    known = ", ".join(packaged_names())
    where = f"{relative_to.name}: scenario.extends: " if relative_to is not None else ""
    raise ScenarioError(
        f"{where}{name or repr(name)}: no such scenario file or packaged scenario (packaged: {known})"
    )


def is_file(path: Path) -> bool:
    """True for an existing regular file; False for bad names (NUL bytes, too long) too."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_chain(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file name, content) of a scenario and the bases it extends, base first."""
    layers: list[tuple[str, dict[str, Any]]] = []
    seen: list[Path] = []
    while True:
        if path.resolve() in seen:
            raise ScenarioError(
                f"{path.name}: scenario.extends: forms a cycle ({' -> '.join(p.name for p in seen)})"
            )
        if len(seen) >= MAX_EXTENDS:
            raise ScenarioError(f"{path.name}: scenario.extends: a chain of more than {MAX_EXTENDS} files")
        seen.append(path.resolve())
        content = read_toml(path)
        layers.insert(0, (path.name, content))
        base = extends_of(content, path.name)
        if base is None:
            return layers
        path = resolve_path(base, relative_to=path)


def read_toml(path: Path) -> dict[str, Any]:
    """Read, decode, parse and bound a TOML file; errors name the file."""
    try:
        return reading.read_toml(path, "scenario file")
    except ReadError as error:
        raise ScenarioError(str(error)) from None


def extends_of(content: dict[str, Any], name: str) -> str | None:
    """The `scenario.extends` of a file's content, checked for its type."""
    info = content.get("scenario")
    if not isinstance(info, dict):
        got = "nothing" if info is None else f"a {type(info).__name__}"
        raise ScenarioError(f"{name}: scenario: expected a [scenario] table, got {got}")
    base = info.get("extends")
    if base is not None and (not isinstance(base, str) or not base):
        raise ScenarioError(
            f"{name}: scenario.extends: expected a scenario name or path (text), got {base!r}"
        )
    return base


def merge_layers(layers: list[tuple[str, dict[str, Any]]]) -> tuple[dict[str, Any], Origins]:
    """Each file over its base, and where every top-level table and list record came from."""
    content: dict[str, Any] = {}
    origins: Origins = {}
    for name, layer in layers:
        for key, value in layer.items():
            if key in LIST_TABLES and isinstance(value, list) and isinstance(content.get(key), list):
                origins[key] = [*origins[key], *((name, i) for i in range(len(value)))]
            elif key in LIST_TABLES and isinstance(value, list):
                origins[key] = [(name, i) for i in range(len(value))]
            else:
                origins[key] = name
        content = merge(content, layer) if content else dict(layer)
    if isinstance(content.get("scenario"), dict):
        content["scenario"] = {k: v for k, v in content["scenario"].items() if k != "extends"}
    return content, origins


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child over base: list tables are appended, other tables replaced."""
    merged = dict(base)
    for key, value in child.items():
        if key in LIST_TABLES and isinstance(value, list) and isinstance(base.get(key), list):
            merged[key] = [*base[key], *value]
        else:
            merged[key] = value
    return merged


def locate(problem: str, origins: Origins, default: str) -> str:
    """'capacity[13].x: msg' as 'child.toml: capacity[0].x: msg' in the file it came from."""
    match = FIELD_PATH.match(problem)
    if match is None:
        return f"{default}: {problem}"
    table, index, rest = match.group("table"), match.group("index"), match.group("rest")
    where = origins.get(table, default)
    if index is not None and isinstance(where, list) and int(index) < len(where):
        name, local = where[int(index)]
        return f"{name}: {table}[{local}]{rest}"
    return f"{where if isinstance(where, str) else default}: {problem}"


def convert(content: dict[str, Any], filename: str, origins: Origins | None = None) -> ScenarioFile:
    """Typed records from plain content; schema errors name the file and the field path."""
    try:
        return msgspec.convert(content, ScenarioFile)
    except msgspec.ValidationError as error:
        problem = describe_validation_error("", str(error)).removeprefix(": ")
        unknown = UNKNOWN_FIELD.match(problem)
        if unknown:  # an unknown top-level table: name the file that has it
            problem = f"{unknown.group(1)}: unknown table (not part of the scenario schema)"
        elif problem.startswith("scenario: object missing required field") and extends_another(origins):
            problem += (
                " (with `extends`, this file's [scenario] replaces the base's: give every required field)"
            )
        raise ScenarioError(locate(problem, origins or {}, filename)) from None


def extends_another(origins: Origins | None) -> bool:
    """The content was merged from more than one file."""
    files = set()
    for origin in (origins or {}).values():
        files |= {origin} if isinstance(origin, str) else {name for name, _ in origin}
    return len(files) > 1


def describe_validation_error(filename: str, message: str) -> str:
    """Turn msgspec's 'Expected ... - at `$.a[0].b`' into 'file: a[0].b: expected ...'."""
    text, _, location = message.partition(" - at `")
    field_path = location.rstrip("`").removeprefix("$").lstrip(".") or "(top level)"
    return f"{filename}: {field_path}: {text[:1].lower()}{text[1:]}"
