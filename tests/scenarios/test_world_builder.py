"""tools/build_world.py rebuilds the committed reference worlds byte for byte from ../shared/data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from critmin.scenarios import load_scenario

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "build_world.py"


@pytest.fixture(scope="module")
def builder():
    """The builder as a module; skipped where the USGS calibration data is not checked out."""
    spec = importlib.util.spec_from_file_location("build_world", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_world", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    if not module.USGS_CSV.exists():
        pytest.skip(f"calibration data missing: {module.USGS_CSV}")
    return module


@pytest.mark.parametrize("year", [2024, 2023])
def test_rebuilt_world_is_the_committed_file(builder, tmp_path, year):
    assert builder.main([str(year), "--out", str(tmp_path), "--quiet"]) == 0
    committed = REPO / "critmin" / "scenarios" / "data" / f"world-{year}.toml"
    assert (tmp_path / f"world-{year}.toml").read_bytes() == committed.read_bytes()


def test_world_2023_starts_in_2024_at_2023_prices(builder):
    doc, _, _ = builder.build(builder.YEARS[2023])
    assert (doc["scenario"]["id"], doc["scenario"]["start"]) == ("world-2023", "2024Q1")
    lithium = next(m for m in doc["minerals"] if m["id"] == "lithium")
    refined = next(s for s in lithium["stages"] if s["stage"] == "refined")
    assert refined["price_usd_per_kg"] == pytest.approx(41.3 * 5.323, rel=1e-3)  # USD 41,300/t LCE
    assert not any(p.get("destinations") == ["USA"] for p in doc["policies"])  # MOFCOM No. 46: Dec 2024


def test_unknown_year_is_refused(builder, capsys):
    with pytest.raises(SystemExit) as stop:
        builder.main(["2022", "--quiet"])
    assert stop.value.code == 2
    assert "invalid choice: '2022'" in capsys.readouterr().err


def test_the_scenarios_command_lists_shows_and_validates_world_2023(cli):
    code, out, _ = cli("scenarios", "list")
    assert code == 0 and "world-2023" in out and "2024Q1" in out
    code, out, _ = cli("scenarios", "show", "world-2023")
    assert code == 0 and "(2024Q1, 20 turns)" in out and "reserves: 208" in out
    code, out, _ = cli("scenarios", "validate", "world-2023")
    assert (code, out.strip()) == (0, "world-2023: ok (world-2023, 37 countries)")


def test_scenarios_extending_world_2024_inherit_its_reserves():
    base = load_scenario("world-2024").spec.reserves
    assert len(base) > 100
    assert load_scenario("india-central-asia-2025").spec.reserves == base
    lithium = [r for r in base if (r.country, r.mineral.value) == ("IND", "lithium")]
    assert [(r.tonnes, r.basis) for r in lithium] == [(5000.0, "resources")]  # Reasi + Mandya
    assert "Karnataka" in lithium[0].source and "Jammu & Kashmir" in lithium[0].source
    rare_earths = next(r for r in base if (r.country, r.mineral.value) == ("IND", "ree_light"))
    assert "Odisha" in rare_earths.source and "Rajasthan" in rare_earths.source
    assert not [r for r in base if r.country == "GBR"]  # USGS lists no UK reserves
