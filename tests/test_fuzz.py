"""Property-based fuzzing of every input surface (slow tier): scenario TOML, experiment TOML,
save JSON, CLI flags and API actions, each with 500 generated inputs on the tiny world.

Properties: no traceback; rejected input exits 2 (a save that replays differently exits 1) and
changes nothing; accepted input plays 2 turns without a non-finite figure in the state.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from critmin.agents.controllers import QueuedController
from critmin.cli import main
from critmin.core.actions import ACTION_TYPES, BuyStockpile, SetTariff
from critmin.engine.model import WorldModel
from critmin.engine.save import save_data
from critmin.scenarios.loader import load_scenario, scenario_from_content
from tests.conftest import TINY

pytestmark = pytest.mark.slow
FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FACTORIAL = Path(__file__).parent / "research" / "data" / "tiny_factorial.toml"


def run_cli(*args: object) -> tuple[int, str]:
    """`critmin ARGS` in-process: (exit code, stdout + stderr); an uncaught exception fails the test."""
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        try:
            code = main([str(a) for a in args])
        except SystemExit as stop:  # argparse's usage errors
            code = stop.code
    text = stream.getvalue()
    assert "Traceback" not in text
    event(f"exit {code}")
    return code, text


def assert_finite_after_two_turns(model: WorldModel) -> None:
    model.run(2)
    for name, value in vars(model.state).items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert np.isfinite(value).all(), f"state.{name} is not finite"


# --- mutations of plain data ---------------------------------------------------------------

SCALARS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1e12, 1e13, 1e308, -1e-300, 5e-324]),
    st.text(max_size=12),
    st.sampled_from(["CHN", "IND", "ZZZ", "mine", "magnet", "lithium", "ree_heavy", "", "tiny", "x" * 300]),
    st.booleans(),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(alphabet="abcdefghij_", min_size=1, max_size=6), SCALARS, max_size=3),
    st.integers(min_value=20, max_value=60).map(lambda depth: nested(depth)),
)
DELETE = object()


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def paths_of(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into plain data (keys and list indexes), containers included."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_of(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_of(value, (*prefix, index))
    return found


def mutated(data: Any, changes: list[tuple[tuple, Any]]) -> Any:
    """A copy of `data` with each (path, value) set, or the element removed for DELETE."""
    data = copy.deepcopy(data)
    for path, value in changes:
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            if value is DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return data


def changes_of(data: Any):
    return st.lists(
        st.tuples(st.sampled_from(paths_of(data)), st.one_of(VALUES, st.just(DELETE))), min_size=1, max_size=3
    )


def byte_edits(text: bytes):
    """Random byte-level damage: a slice removed, bytes inserted, or a byte replaced."""

    @st.composite
    def edit(draw) -> bytes:
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["cut", "insert", "replace"]))
        if kind == "cut":
            return text[:at] + text[at + draw(st.integers(1, 200)) :]
        junk = draw(
            st.binary(min_size=1, max_size=8) | st.sampled_from([b"\xff", b"[", b"{", b'"', b"=", b"\n"])
        )
        return text[:at] + junk + text[at + (kind == "replace") :]

    return edit()


def toml_text(data: Any) -> bytes | None:
    try:
        return tomli_w.dumps(data).encode()
    except (TypeError, ValueError, RecursionError):
        return None


# --- scenario TOML -----------------------------------------------------------------------------

SCENARIO = tomllib.loads(TINY.read_text())


@FUZZ
@given(
    st.one_of(
        changes_of(SCENARIO).map(lambda c: toml_text(mutated(SCENARIO, c))), byte_edits(TINY.read_bytes())
    )
)
def test_fuzzed_scenario_files(text):
    assume(text is not None)  # data TOML cannot express (e.g. a NUL in a key)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.toml"
        path.write_bytes(text)
        code, output = run_cli("scenarios", "validate", path)
        assert code in (0, 2), output
        if code == 2:
            assert "fuzzed.toml" in output or "no such scenario" in output, output
        else:
            assert_finite_after_two_turns(WorldModel(load_scenario(path), seed=1))


# --- experiment TOML ---------------------------------------------------------------------------

EXPERIMENT = tomllib.loads(FACTORIAL.read_text())
EXPERIMENT["experiment"]["scenario"] = str(TINY)


@FUZZ
@given(
    changes_of(EXPERIMENT).map(lambda c: toml_text(mutated(EXPERIMENT, c)))
    | byte_edits(tomli_w.dumps(EXPERIMENT).encode())
)
def test_fuzzed_experiment_files(text):
    from critmin.research.design import iter_points
    from critmin.research.experiment import load_experiment
    from critmin.research.factors import build_content

    assume(text is not None)  # data TOML cannot express (e.g. a NUL in a key)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.toml"
        path.write_bytes(text)
        code, output = run_cli("batch", path, "--plan")
        assert code in (0, 2), output
        if code == 0:
            experiment = load_experiment(path)
            point = next(iter_points(experiment.spec), {})
            changes = [(experiment.factor(name), level) for name, level in point.items()]
            content = build_content(experiment.scenario.content, 2, changes)
            assert_finite_after_two_turns(WorldModel(scenario_from_content(content), seed=1))


# --- save JSON ---------------------------------------------------------------------------------


def saved_game() -> dict:
    """Three turns of a tiny world with random disruptions (so the seed matters) and India's orders."""
    content = copy.deepcopy(load_scenario(TINY).content)
    content["market"]["disruption_probability_per_turn"] = 0.3
    model = WorldModel(scenario_from_content(content), seed=2, controllers={"IND": QueuedController()})
    model.submit("IND", [SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=0.1)])
    model.step()
    model.submit("IND", [BuyStockpile(country="IND", mineral="ree_heavy", stage="refined", tonnes=5.0)])
    model.run(2)
    return json.loads(json.dumps(save_data(model, status="finished")))


SAVE = saved_game()
NEUTRAL = ("status", "engine_version")  # may change to another valid value: the game is the same


def essence(data: Any) -> Any:
    return {k: v for k, v in data.items() if k not in NEUTRAL} if isinstance(data, dict) else data


ACTION_FIGURES = [
    (("turns", turn, "actions", index, key), value)
    for turn, record in enumerate(SAVE["turns"])
    for index, action in enumerate(record["actions"])
    for key in ("rate", "tonnes")
    if key in action
    for value in (0.0, 0.2, 1.0, 4.0, 50.0)
]


@FUZZ
@given(
    st.one_of(
        changes_of(SAVE).map(lambda c: json.dumps(mutated(SAVE, c)).encode()),
        st.lists(st.sampled_from(ACTION_FIGURES), min_size=1, max_size=2).map(
            lambda c: json.dumps(mutated(SAVE, c)).encode()  # legal but different orders
        ),
        byte_edits(json.dumps(SAVE, indent=1).encode()),
    )
)
def test_fuzzed_saves(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.json"
        path.write_bytes(text)
        code, output = run_cli("replay", path)
        assert code in (0, 1, 2), output
        if code == 0:
            data = json.loads(text)
            assert essence(data) == essence(SAVE), "an altered save replayed as sound"
            assert json.dumps(data["scenario"], sort_keys=True) == json.dumps(
                SAVE["scenario"], sort_keys=True
            )


# --- CLI flags ---------------------------------------------------------------------------------

TARGETS = ["", "out", "file.txt", "dir", "run", "x[/b]", "missing/deep/out", "dir/g.json", "missing/g.json"]
FLAGS = st.fixed_dictionaries(
    {},
    optional={
        "--turns": st.one_of(st.integers(-2, 3).map(str), st.text(max_size=4), st.just("401")),
        "--seed": st.one_of(
            st.integers(-(2**64), 2**64).map(str), st.integers(0, 9).map(str), st.text(max_size=4)
        ),
        "--format": st.sampled_from(["csv", "parquet", "xml", ""]),
        "--out": st.sampled_from(TARGETS),
        "--save": st.sampled_from(TARGETS),
        "--force": st.just(None),
        "--bogus": st.just(None),
    },
)


def sandbox(folder: Path) -> dict[str, bytes]:
    (folder / "file.txt").write_text("keep me")
    (folder / "dir").mkdir()
    (folder / "x[").mkdir()
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"/" for p in sorted(folder.rglob("*"))
    }


@FUZZ
@given(FLAGS)
def test_fuzzed_run_flags(flags):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        before = sandbox(folder)
        args = ["run", TINY, "--quiet", "--turns", "1"]
        for flag, value in flags.items():
            args += (
                [flag]
                if value is None
                else [flag, str(folder / value) if flag in ("--out", "--save") else value]
            )
        code, output = run_cli(*args)
        assert code in (0, 2), output
        if code == 2:
            assert snapshot(folder) == before, "a refused run changed files"
        else:
            if "--save" in flags:
                assert run_cli("replay", folder / flags["--save"])[0] == 0
            if "--out" in flags:
                assert (folder / flags["--out"] / "manifest.json").is_file()


# --- API actions -------------------------------------------------------------------------------

FIELD_VALUES = st.one_of(
    st.sampled_from(
        ["IND", "CHN", "AUS", "ZZZ", "lithium", "ree_heavy", "mine", "refined", "magnet", "ban", "quota"]
    ),
    st.sampled_from(
        ["recycling", "exploration", "processing", "offtake", "fixed", "D1", "KABIL", True, False]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 0.1, 1.0, 5.0, 100.0, -1.0, 1e12, 1e13, 1e300]),
    st.integers(-5, 300),
    st.lists(st.sampled_from(["refined", "mine", "magnet", "CHN", "AUS", "IND", "bogus"]), max_size=3).map(
        tuple
    ),
    st.none(),
)
TINY_SCENARIO = load_scenario(TINY)


MENU = [
    msgspec.to_builtins(a)
    for a in WorldModel(TINY_SCENARIO, seed=1, controllers={"IND": QueuedController()}).legal_actions("IND")
]
KINDS = {kind.__struct_config__.tag: kind for kind in ACTION_TYPES}


@st.composite
def actions(draw) -> Any:
    """A legal action of India's menu with up to two fields fuzzed, as an object or a dict."""
    data = dict(draw(st.sampled_from(MENU)))
    kind = KINDS[data["type"]]
    names = [f.name for f in msgspec.structs.fields(kind)]
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2]))):
        data[draw(st.sampled_from(names))] = draw(FIELD_VALUES)
    if draw(st.booleans()):
        fields = {k: v for k, v in data.items() if k != "type"}
        with contextlib.suppress(TypeError):
            return kind(**fields)
    return data


@FUZZ
@given(actions())
def test_fuzzed_api_actions(action):
    model = WorldModel(TINY_SCENARIO, seed=1, controllers={"IND": QueuedController()})
    before = model.state_hash()
    (verdict,) = model.submit("IND", [action])
    event("refused" if verdict else "accepted")
    if verdict is not None:
        assert isinstance(verdict, str) and verdict
        assert model.state_hash() == before, "a refused action changed the state"
        return
    assert_finite_after_two_turns(model)
    assert all(math.isfinite(v) for v in model.ledger.values())
