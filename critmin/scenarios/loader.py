"""Load scenario files: find them, read TOML, resolve `extends`, convert, validate, hash."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from critmin.scenarios.schema import ScenarioFile
from critmin.scenarios.validate import ScenarioError, check_references

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
    "events",
)


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
        ScenarioError: the file is missing, not TOML, or breaks the schema; the message names
            the file and the field.

    """
    path = resolve_path(name_or_path)
    content = read_resolved(path, seen=())
    return scenario_from_content(content, origin=str(path))


def scenario_from_content(content: dict[str, Any], origin: str = "<data>") -> Scenario:
    """Build a Scenario from already resolved content (e.g. the copy inside a save file)."""
    spec = convert(content, Path(origin).name)
    check_references(spec, Path(origin).name)
    return Scenario(spec=spec, content=content, hash=content_hash(content), origin=origin)


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of the canonical JSON form of scenario content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def resolve_path(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """A scenario name (packaged, or beside `relative_to`) or a path, as an existing file."""
    candidates = [Path(name_or_path)]
    name = str(name_or_path)
    if not name.endswith(".toml"):
        if relative_to is not None:
            candidates.append(relative_to.parent / f"{name}.toml")
        candidates.append(Path(str(PACKAGED / f"{name}.toml")))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    known = ", ".join(packaged_names())
    raise ScenarioError(f"{name}: no such scenario file or packaged scenario (packaged: {known})")


def read_resolved(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    """Read a TOML scenario and merge it over the scenario it extends, if any."""
    if path.resolve() in seen:
        raise ScenarioError(f"{path.name}: scenario.extends forms a cycle")
    content = read_toml(path)
    base_name = content.get("scenario", {}).get("extends")
    if not base_name:
        return content
    base = read_resolved(resolve_path(base_name, relative_to=path), (*seen, path.resolve()))
    return merge(base, content)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning syntax errors into a ScenarioError naming the file."""
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path.name}: TOML syntax error: {error}") from None
    except OSError as error:
        raise ScenarioError(f"{path.name}: cannot read file: {error.strerror}") from None


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child over base: list tables are appended, other tables replaced."""
    merged = dict(base)
    for key, value in child.items():
        if key in LIST_TABLES and isinstance(value, list):
            merged[key] = [*base.get(key, []), *value]
        else:
            merged[key] = value
    merged["scenario"] = {k: v for k, v in child["scenario"].items() if k != "extends"}
    return merged


def convert(content: dict[str, Any], filename: str) -> ScenarioFile:
    """Typed records from plain content; schema errors name the file and the field path."""
    try:
        return msgspec.convert(content, ScenarioFile)
    except msgspec.ValidationError as error:
        raise ScenarioError(describe_validation_error(filename, str(error))) from None


def describe_validation_error(filename: str, message: str) -> str:
    """Turn msgspec's 'Expected ... - at `$.a[0].b`' into 'file: a[0].b: expected ...'."""
    text, _, location = message.partition(" - at `")
    field_path = location.rstrip("`").removeprefix("$").lstrip(".") or "(top level)"
    return f"{filename}: {field_path}: {text[:1].lower()}{text[1:]}"
