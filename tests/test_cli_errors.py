"""Every user mistake on the command line: one clear message, exit 2, nothing written, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TINY


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def refused(cli, *args) -> str:
    code, out, err = cli(*args)
    assert code == 2 and "Traceback" not in out + err, (code, out, err)
    return err


def test_negative_seed_is_a_usage_error(cli, capsys):
    with pytest.raises(SystemExit) as stop:
        cli("run", TINY, "--seed", "-1")
    assert (
        stop.value.code == 2
        and "--seed: expected a seed from 0 to 2**63 - 1, got -1" in capsys.readouterr().err
    )


def test_save_to_a_directory_is_refused_before_playing(cli, tmp_path):
    err = refused(cli, "run", TINY, "--quiet", "--save", tmp_path)
    assert f"--save: {tmp_path} is a folder" in err and not files_under(tmp_path)


def test_save_into_a_missing_folder_is_refused_before_playing(cli, tmp_path):
    err = refused(cli, "run", TINY, "--quiet", "--save", tmp_path / "nowhere" / "game.json")
    assert "--save: no folder" in err and "(create it first)" in err and not files_under(tmp_path)


def test_the_readmes_save_beside_a_new_run_folder_makes_the_folder_for_both(cli, tmp_path):
    runs = tmp_path / "runs"
    code, _, err = cli(
        "run", TINY, "--quiet", "--turns", "2", "--out", runs / "w1", "--save", runs / "w1.json"
    )
    assert code == 0, err
    assert (runs / "w1.json").is_file() and (runs / "w1" / "manifest.json").is_file()


def test_a_save_into_a_missing_folder_that_out_does_not_make_is_refused(cli, tmp_path):
    err = refused(
        cli, "run", TINY, "--quiet", "--out", tmp_path / "a" / "w1", "--save", tmp_path / "b" / "w1.json"
    )
    assert "--save: no folder" in err and not files_under(tmp_path)


def test_out_on_a_file_is_refused(cli, tmp_path):
    (tmp_path / "taken").write_text("x")
    err = refused(cli, "run", TINY, "--quiet", "--out", tmp_path / "taken")
    assert "--out: " in err and "is a file, not a folder" in err


def test_empty_out_does_not_write_into_the_working_directory(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = refused(cli, "run", TINY, "--quiet", "--out", "")
    assert "--out: give a folder for the run" in err and not files_under(tmp_path)


def test_a_path_with_rich_markup_is_printed_as_is_and_exits_0(cli, tmp_path):
    folder = tmp_path / "x[" / "b]"
    folder.mkdir(parents=True)
    code, out, err = cli("run", TINY, "--quiet", "--turns", "2", "--save", folder / "g[b].json")
    assert code == 0, err
    assert f"saved to {folder / 'g[b].json'}" in out and (folder / "g[b].json").is_file()
    code, out, err = cli("replay", folder / "g[b].json")
    assert code == 0 and "g[b].json: all 2 turns" in out


def test_a_second_run_into_the_same_out_is_refused_unless_forced(cli, tmp_path):
    out = tmp_path / "run"
    assert cli("run", TINY, "--quiet", "--turns", "2", "--out", out, "--format", "csv")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    err = refused(cli, "run", TINY, "--quiet", "--turns", "3", "--out", out)
    assert "already holds files" in err and "--force" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert cli("run", TINY, "--quiet", "--turns", "3", "--out", out, "--force")[0] == 0
    names = {p.name for p in out.iterdir()}
    assert names == {
        "flows.parquet",
        "prices.parquet",
        "countries.parquet",
        "events.parquet",
        "sectors.parquet",
        "manifest.json",
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["turns"] == 3 and sorted(manifest["files"]) == sorted(names - {"manifest.json"})


def test_force_does_not_delete_files_no_run_wrote(cli, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    err = refused(cli, "run", TINY, "--quiet", "--out", tmp_path, "--force")
    assert "holds files no run wrote (notes.txt)" in err and (tmp_path / "notes.txt").read_text() == "mine"


def test_turns_beyond_the_schema_limit_are_a_usage_error(cli, capsys):
    with pytest.raises(SystemExit) as stop:
        cli("run", TINY, "--turns", "100000")
    assert stop.value.code == 2 and "expected at most 400 turns" in capsys.readouterr().err


def test_scenarios_list_piped_gives_whole_names_and_json():
    command = [sys.executable, "-m", "critmin", "scenarios", "list"]
    piped = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    lines = piped.splitlines()
    assert lines[0].split("\t") == ["name", "title", "start", "turns", "countries"]
    assert "india-central-asia-2025" in [line.split("\t")[0] for line in lines[1:]]
    listed = json.loads(
        subprocess.run([*command, "--json"], capture_output=True, text=True, check=True).stdout
    )
    assert {"name": "india-central-asia-2025", "turns": 24}.items() <= next(
        row for row in listed if row["name"] == "india-central-asia-2025"
    ).items()


def test_the_run_folder_knows_every_table_a_run_writes(tiny):
    from critmin.engine.model import WorldModel
    from critmin.engine.run_folder import TABLES

    model = WorldModel(tiny, seed=0)
    model.run(1)
    assert tuple(model.tables()) == TABLES
