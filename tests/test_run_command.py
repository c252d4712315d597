"""The `critmin` command: run outputs, bench figures, helpful errors."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from tests.conftest import TINY

COLUMNS = {
    "flows": ["turn", "mineral", "stage", "exporter", "importer", "tonnes"],
    "prices": ["turn", "country", "mineral", "stage", "price", "unit"],
    "countries": [
        "turn",
        "country",
        "mineral",
        "stage",
        "production",
        "consumption",
        "demand",
        "imports",
        "exports",
        "stock",
        "stockpile",
        "shortage",
        "embedded_dependence",
    ],
    "events": ["turn", "kind", "actor", "target", "mineral", "detail"],
}


def test_run_writes_tidy_tables_and_a_manifest(tmp_path, cli):
    out = tmp_path / "run"
    code, stdout, _ = cli("run", TINY, "--turns", "3", "--seed", "4", "--out", out, "--quiet")
    assert code == 0
    assert "Prices" in stdout
    for name, columns in COLUMNS.items():
        table = pq.read_table(out / f"{name}.parquet")
        assert table.column_names == columns
    countries = pq.read_table(out / "countries.parquet").to_pandas()
    assert sorted(countries["turn"].unique()) == [0, 1, 2]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4
    assert manifest["turns"] == 3
    assert manifest["scenario"]["id"] == "tiny"
    assert "mesa" in manifest["versions"]


def test_a_run_without_a_save_reports_the_same_final_state_hash(tmp_path, cli):
    from critmin.engine.model import WorldModel

    code, stdout, _ = cli("run", TINY, "--turns", "3", "--seed", "4", "--out", tmp_path / "run", "--quiet")
    assert code == 0
    hashed = WorldModel(TINY, seed=4)
    hashed.run(3)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["final_state_hash"] == hashed.hashes[-1]
    assert f"state hash {hashed.hashes[-1][:16]}" in stdout


def test_run_writes_csv_on_request(tmp_path, cli):
    code, _, _ = cli("run", TINY, "--turns", "1", "--out", tmp_path, "--format", "csv", "--quiet")
    assert code == 0
    assert (tmp_path / "flows.csv").read_text().startswith('"turn","mineral"')


def test_bad_flag_value_is_a_usage_error(cli, capsys):
    try:
        cli("run", TINY, "--turns", "zero")
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "expected a whole number" in capsys.readouterr().err


def test_bench_reports_turn_times_growth_memory_clearing_and_rl_steps(cli):
    code, stdout, stderr = cli("bench", "--json", "--turns", "2", "--rounds", "1", "--rl-steps", "2")
    assert code == 0
    figures = json.loads(stdout)
    assert figures["turn_ms_median"] > 0 and figures["turn_ms_median_ai"] > 0
    assert figures["turn_ms_median_ai_10x_firms"] > 0
    assert (
        figures["growth_10x_firms"] == figures["turn_ms_median_ai_10x_firms"] / figures["turn_ms_median_ai"]
    )
    assert figures["growth_4x_countries"] > 1, "four times the countries cost more than one"
    assert figures["recorded_bytes_per_turn"] > 1000
    assert figures["state_hash_ms_median"] > 0, "a world that keeps hashes pays for them, timed beside"
    assert figures["clearing_speedup_vs_lp"] > 1
    assert figures["markets_per_turn"] >= 30
    assert figures["clear_threads"] >= 1, "the threads a large batch is cleared on"
    assert figures["rl_steps_per_s"] > 0
    if figures["clearing_speedup_vs_ortools"] is not None:  # the bench extra is installed
        assert figures["clearing_speedup_vs_ortools"] > 0 and figures["ortools_ms"] > 0
    assert "turn 2/2" in stderr, "progress goes to stderr"


def test_bench_says_clearly_when_or_tools_is_missing(cli, monkeypatch):
    from critmin.engine import ortools_flow

    monkeypatch.setattr(ortools_flow, "ortools_missing", lambda: "OR-Tools is not installed (pip install x)")
    code, stdout, stderr = cli("bench", "--json", "--turns", "1", "--rounds", "1", "--rl-steps", "0")
    assert code == 0
    figures = json.loads(stdout)
    assert figures["clearing_speedup_vs_ortools"] is None and figures["ortools_ms"] is None
    assert figures["clearing_speedup_vs_lp"] > 1
    assert figures["rl_steps_per_s"] is None
    assert "clearing_speedup_vs_ortools not measured: OR-Tools is not installed" in stderr


def test_bench_refuses_a_negative_step_count(cli):
    code, _, stderr = cli("bench", "--rl-steps", "-3")
    assert code == 2
    assert "--rl-steps must be 0 or more" in stderr


def test_run_summary_prices_are_medians_over_active_markets_only(tiny):
    """A country that neither produces nor uses a line carries only a landed price: left out."""
    import numpy as np

    from critmin.engine.model import WorldModel
    from critmin.engine.summary import active_markets, price_table

    model = WorldModel(tiny, seed=0)
    model.run(2)
    active = active_markets(model)
    m, s = model.index.mineral["lithium"], model.index.stage["refined"]
    idle = np.flatnonzero(~active[:, m, s])
    assert idle.size, "the tiny world should have a country without a lithium refined line"
    expected = float(np.median(model.state.price[active[:, m, s], m, s]))
    model.state.price[idle, m, s] = 1e6  # an idle country's landed price must not move the median
    rows = {(r[0], r[1]): r for r in zip(*(c._cells for c in price_table(model).columns), strict=True)}
    assert rows[("lithium", "refined")][3] == f"{expected:,.2f}"


def test_run_focus_summarises_one_countrys_import_reliance_and_embedded_dependence(cli):
    code, out, _ = cli("run", "tests/data/tiny.toml", "--turns", "2", "--quiet", "--focus", "IND")
    assert code == 0
    assert "India: dependence on the lines it uses" in out
    section = out.split("India: dependence on the lines it uses")[1]
    row = next(line for line in section.splitlines() if "ree_heavy" in line and "magnet" in line)
    assert row.count("100%") >= 2  # India's heavy magnets: all imported, all from China
    code, _, err = cli("run", "tests/data/tiny.toml", "--turns", "1", "--focus", "ZZZ")
    assert code == 2 and "--focus: 'ZZZ' is not a country of tiny" in err


# India's 30 critical minerals (Ministry of Mines, "Critical Minerals for India", 28 Jun 2023, via
# Business Standard [M]) as the model names them: every one but hafnium (no USGS row of its own).
INDIAS_CRITICAL_MINERALS_IN_THE_MODEL = {
    "antimony", "beryllium", "bismuth", "cadmium", "cobalt", "copper", "gallium", "germanium", "graphite",
    "indium", "lithium", "molybdenum", "niobium", "nickel", "pge", "phosphate", "potash", "ree_light",
    "ree_heavy", "rhenium", "selenium", "silicon", "strontium", "tantalum", "tellurium", "tin", "titanium",
    "tungsten", "vanadium", "zirconium",
}  # fmt: skip


def test_the_flagship_run_summarises_each_of_indias_critical_minerals_in_the_model(cli):
    """`critmin run india-central-asia-2025` focuses on India (the scenario's `focus`) unasked."""
    code, out, _ = cli("run", "india-central-asia-2025", "--turns", "1", "--quiet")
    assert code == 0
    section = out.split("India: dependence on the lines it uses")[1].split("state hash")[0]
    rows = {line.split("│")[1].strip() for line in section.splitlines() if line.count("│") >= 6}
    assert rows >= INDIAS_CRITICAL_MINERALS_IN_THE_MODEL
    niobium = next(line for line in section.splitlines() if "niobium" in line)
    assert "100%" in niobium and "BRA" in niobium  # all imported, from Brazil (USGS: 91% of mine output)
    potash = next(line for line in section.splitlines() if "potash" in line)
    assert "100%" in potash  # India mines no potash (USGS MCS 2025)
