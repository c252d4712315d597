"""The batch benchmark: both arms do the same work and write the same dataset; pairs summarised."""

from __future__ import annotations

import json

import pytest
from research_helpers import DATA

from critmin.research.bench import EXPERIMENT, critmin_arm, mesa_arm, summarise


def test_both_arms_play_the_same_runs_and_write_the_same_rows(tmp_path):
    path = tmp_path / "bench.toml"
    tiny = json.dumps(str(DATA.parents[1] / "data" / "tiny.toml"))[1:-1]
    path.write_text(EXPERIMENT.format(scenario=tiny, turns=2, replications=1))
    ours = critmin_arm(path, 1, tmp_path / "critmin")
    theirs = mesa_arm(path, 1, tmp_path / "mesa")
    assert ours["runs"] == theirs["runs"] == 20
    assert ours["rows"] == theirs["rows"] > 0
    assert ours["checksum"] == pytest.approx(theirs["checksum"], rel=1e-12)
    assert (tmp_path / "mesa" / "results").is_dir() and (tmp_path / "critmin" / "results").is_dir()


def report(runs_per_min: float, code: str = "c") -> dict:
    return {
        "runs_per_min": runs_per_min,
        "peak_total_mb": 100.0,
        "peak_worker_mb": 50.0,
        "code_hash": code,
        "rows": 10,
        "checksum": 1.5,
        "load_average": [0.1, 0.2],
    }


def test_pairs_give_a_median_ratio_and_its_spread():
    figures = summarise(
        {"critmin": [report(20), report(10), report(40)], "mesa": [report(10), report(10), report(10)]}
    )
    assert figures["ratio_per_pair"] == [2.0, 1.0, 4.0]
    assert (figures["ratio_median"], figures["ratio_min"], figures["ratio_max"]) == (2.0, 1.0, 4.0)
    assert figures["same_code"] and figures["same_rows"] and figures["same_numbers"]


def test_fewer_than_three_pairs_are_refused(cli):
    code, _, err = cli("batch", "--bench", "--pairs", "2")
    assert code == 2 and "--pairs must be at least 3" in err


def test_the_arms_alternate_a_b_a_b(monkeypatch):
    from critmin.research import bench

    calls = []

    def fake_arm(arm, experiment, processes, out):
        calls.append((arm, processes))
        return report(30.0 if arm == "critmin" else 20.0)

    monkeypatch.setattr(bench, "run_arm", fake_arm)
    figures = bench.benchmark(runs=20, turns=1, workers=2, pairs=3, progress=False)
    assert calls == [("critmin", 2), ("mesa", 2)] * 3, "interleaved, on the same processes"
    assert figures["ratio_median"] == 1.5 and figures["pairs"] == 3
    with pytest.raises(ValueError, match="at least 3 pairs"):
        bench.benchmark(pairs=2, progress=False)
