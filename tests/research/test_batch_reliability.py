"""Batch and analyze reliability: experiments bounded at --plan, workers die with their parent,
analyze refuses unknown outcomes and never overwrites an analysis unless forced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from research_helpers import FACTORIAL

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
BASE = FACTORIAL.read_text().replace('"../../data/tiny.toml"', f'"{ROOT / "tests" / "data" / "tiny.toml"}"')


def plan(cli, tmp_path, text: str) -> tuple[int, str]:
    path = tmp_path / "exp.toml"
    path.write_text(text)
    code, out, err = cli("batch", path, "--plan")
    assert "Traceback" not in out + err
    return code, err


def test_latin_hypercube_with_no_factors_is_refused_at_plan(cli, tmp_path):
    text = BASE[: BASE.index("[design]")] + '[design]\nkind = "latin_hypercube"\nsamples = 4\n'
    code, err = plan(cli, tmp_path, text)
    assert code == 2 and "design.kind: a latin_hypercube design needs at least one factor" in err


def test_a_hundred_thousand_factor_levels_are_refused_fast(cli, tmp_path):
    levels = ", ".join(str(i / 1e6) for i in range(100_000))
    code, err = plan(cli, tmp_path, BASE.replace("levels = [0.05, 0.3]", f"levels = [{levels}]"))
    assert code == 2 and "factors[0].levels: expected `array` of length <= 256" in err


def test_a_fifty_megabyte_string_is_refused_fast(cli, tmp_path):
    code, err = plan(cli, tmp_path, BASE.replace('name = "tiny-factorial"', f'name = "{"x" * 50_000_000}"'))
    assert code == 2 and "exp.toml: experiment file is larger than 32 MB" in err
    code, err = plan(
        cli, tmp_path, BASE.replace("[experiment]", f'[experiment]\ndescription = "{"x" * 500_000}"')
    )
    assert code == 2 and "experiment.description: text of 500,000 characters" in err


def test_a_non_utf8_experiment_is_refused(cli, tmp_path):
    path = tmp_path / "exp.toml"
    path.write_bytes(BASE.encode() + b"\n# \xff\n")
    code, _, err = cli("batch", path, "--plan")
    assert code == 2 and "exp.toml: line" in err and "not UTF-8 text" in err


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_batch_workers_die_when_the_batch_is_killed(tmp_path):
    experiment = tmp_path / "long.toml"
    experiment.write_text(BASE.replace("replications = 5", "replications = 5000"))
    command = [sys.executable, "-m", "critmin", "batch", str(experiment), "--out", str(tmp_path / "out")]
    batch = subprocess.Popen(
        [*command, "--workers", "2", "--quiet"],
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
    )
    try:
        # results appear once the workers run
        wait_for(lambda: (tmp_path / "out" / "results").exists(), 180, "the batch's first results", 0.5)
        workers = children(batch.pid)
        assert len(workers) >= 2, "the batch started its workers"
        batch.send_signal(signal.SIGKILL)
        batch.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.2)
        assert not [w for w in workers if alive(w)], "workers outlived the killed batch"
    finally:
        batch.kill()
        batch.wait()


def test_an_outcome_with_a_typo_is_refused_and_writes_nothing(cli, reference):
    before = sorted((reference / "analysis").iterdir()) if (reference / "analysis").exists() else []
    code, _, err = cli("analyze", reference, "--outcome", "shortage_share:country=INDD,mineral=ree_heavy")
    assert code == 2 and "country=INDD is not in the batch's shortage_share results (AUS, CHN, IND" in err
    code, _, err = cli(
        "analyze", reference, "--outcome", "shortage_share:country=IND,mineral=ree_heavy,from_turn=99"
    )
    assert code == 2 and "from_turn=99 is past the last recorded turn 5" in err
    after = sorted((reference / "analysis").iterdir()) if (reference / "analysis").exists() else []
    assert before == after


def test_analyze_never_overwrites_without_force(cli, reference):
    assert cli("analyze", reference, "--force", "--no-plots")[0] == 0
    summary = reference / "analysis" / "summary.csv"
    stamp = summary.stat().st_mtime_ns
    code, _, err = cli("analyze", reference, "--no-plots")
    assert code == 2 and "already holds an analysis" in err and "--force" in err
    assert summary.stat().st_mtime_ns == stamp


def test_batch_out_on_a_file_is_refused(cli, tmp_path):
    (tmp_path / "taken").write_text("x")
    code, out, err = cli("batch", FACTORIAL, "--out", tmp_path / "taken", "--quiet")
    assert (
        code == 2 and "--out: " in err and "is a file, not a folder" in err and "Traceback" not in out + err
    )
    assert (tmp_path / "taken").read_text() == "x"
