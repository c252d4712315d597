"""Outputs are written whole: a kill -9 between files, a full disk or a read-only folder leave no
truncated file under a final name, exit 2 with a clear message, and say what was kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from critmin.engine.atomic import is_temporary
from critmin.engine.save import read_save, replay
from tests.conftest import TINY

ROOT = Path(__file__).resolve().parents[2]
# Runs `critmin ARGS` with atomic.commit wrapped: SIGKILL right before (or after) the Nth rename.
KILLER = """
import os, signal, sys
from critmin.engine import atomic
real, count = atomic.commit, 0
when, n = sys.argv[1], int(sys.argv[2])
def commit(temporary, path):
    global count
    count += 1
    if when == "before" and count == n:
        os.kill(os.getpid(), signal.SIGKILL)
    real(temporary, path)
    if when == "after" and count == n:
        os.kill(os.getpid(), signal.SIGKILL)
atomic.commit = commit
from critmin.cli import main
sys.exit(main(sys.argv[3:]))
"""


def killed_run(tmp_path: Path, when: str, n: int) -> int:
    command = [sys.executable, "-c", KILLER, when, str(n), "run", str(TINY), "--quiet"]
    command += ["--out", str(tmp_path / "run"), "--save", str(tmp_path / "game.json")]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run(command, capture_output=True, env=env, timeout=300).returncode


def assert_whole(path: Path) -> None:
    """A file under its final name reads completely."""
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        if path.name == "game.json":
            assert replay(read_save(path))[1].ok
        else:
            assert all((path.parent / name).is_file() for name in data["files"]), "manifest before its tables"
    else:
        pq.read_table(path)


@pytest.mark.parametrize(
    ("when", "n"), [("before", 1), ("after", 1), ("before", 3), ("after", 4), ("before", 6)]
)
def test_kill_between_files_leaves_no_truncated_file_under_a_final_name(tmp_path, when, n):
    assert killed_run(tmp_path, when, n) == -9
    finals = [p for p in tmp_path.rglob("*") if p.is_file() and not is_temporary(p)]
    assert len(finals) == n - (when == "before")  # the save, then 4 tables, then the manifest
    for path in finals:
        assert_whole(path)
    assert not (tmp_path / "run" / "manifest.json").exists() or (n == 6 and when == "after")


@contextmanager
def tmpfs(folder: Path, options: str):
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_disk_full_says_so_exits_2_and_keeps_the_save(cli, tmp_path):
    with tmpfs(tmp_path / "small", "size=64k") as disk:
        (disk / "filler").write_bytes(b"x" * (64 - 8) * 1024)  # leave two pages
        code, out, err = cli("run", TINY, "--quiet", "--out", disk / "run", "--save", tmp_path / "game.json")
        assert code == 2 and "Traceback" not in out + err
        assert "cannot write the run's tables" in err and "No space left on device (ENOSPC)" in err
        assert "no file of this run was left there" in err and "game.json is kept" in err
        assert sorted(p.name for p in (disk / "run").iterdir()) == []
    assert replay(read_save(tmp_path / "game.json"))[1].ok


def test_disk_full_for_the_save_leaves_no_partial_save(cli, tmp_path):
    with tmpfs(tmp_path / "small", "size=4k") as disk:
        (disk / "filler").write_bytes(b"x" * 4096)
        code, _, err = cli("run", TINY, "--quiet", "--save", disk / "game.json")
        assert code == 2 and "--save: cannot write" in err and "No space left on device (ENOSPC)" in err
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_a_read_only_folder_is_refused_before_playing(cli, tmp_path):
    with tmpfs(tmp_path / "ro", "ro,size=64k") as disk:
        code, _, err = cli("run", TINY, "--quiet", "--save", disk / "game.json")
        assert code == 2 and f"--save: cannot write in {disk} (read-only or no permission)" in err
        code, _, err = cli("run", TINY, "--quiet", "--out", disk / "run")
        assert code == 2 and f"--out: cannot write in {disk} (read-only or no permission)" in err
