"""The classroom commands fail with one clear message (exit 2), never a traceback."""

from __future__ import annotations

import json
import socket
import stat
import subprocess

import pytest

from critmin.classroom.client import JoinError, SessionClient
from tests.classroom.conftest import CRITMIN, ServerProcess, joined, run
from tests.conftest import TINY


def test_serve_refuses_unknown_teams(cli, tmp_path):
    code, _, err = cli("serve", TINY, "--teams", "IND,FRA", "--state", tmp_path / "s", "--port", "0")
    assert code == 2 and "FRA" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists(), "a refused session leaves no state behind"


def test_a_refused_session_in_an_existing_folder_removes_only_its_own_files(cli, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = cli("serve", TINY, "--teams", "IND,FRA", "--state", tmp_path, "--port", "0")
    assert code == 2 and "FRA" in err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_serve_on_a_port_in_use_says_so_and_leaves_no_session(cli, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, out, err = cli("serve", TINY, "--teams", "CHN,IND", "--state", tmp_path / "s", "--port", port)
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert "join code" not in out and not (tmp_path / "s").exists()


def test_serve_on_an_unknown_host_leaves_no_session(cli, tmp_path):
    code, out, err = cli(
        "serve", TINY, "--teams", "CHN,IND", "--state", tmp_path / "s", "--host", "no.such.host.invalid"
    )
    assert code == 2 and "cannot listen on no.such.host.invalid" in err and "Traceback" not in err
    assert "join code" not in out and not (tmp_path / "s").exists()


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_refuses_a_port_out_of_range_as_a_usage_error(cli, capsys, tmp_path, port):
    with pytest.raises(SystemExit) as stop:
        cli("serve", TINY, "--teams", "CHN,IND", "--state", tmp_path / "s", "--port", port)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "--port: expected a port" in err and not (tmp_path / "s").exists()


def test_serve_refuses_to_overwrite_a_session_and_to_resume_another_scenario(tmp_path):
    server = ServerProcess(tmp_path / "state", TINY, "CHN,IND").start()
    server.kill()
    codes_file = tmp_path / "state" / "codes.json"
    assert set(json.loads(codes_file.read_text())) == {"CHN", "IND", "instructor"}
    assert stat.S_IMODE(codes_file.stat().st_mode) == 0o600
    again = subprocess.run(
        [
            *CRITMIN,
            "serve",
            str(TINY),
            "--teams",
            "CHN,IND",
            "--state",
            str(tmp_path / "state"),
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 2 and "--resume" in again.stderr
    other = subprocess.run(
        [*CRITMIN, "serve", "world-2024", "--state", str(tmp_path / "state"), "--port", "0", "--resume"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 2 and "not world-2024" in other.stderr


def test_resume_without_a_session_is_a_user_error(cli, tmp_path):
    code, _, err = cli("serve", TINY, "--state", tmp_path / "empty", "--resume", "--port", "0")
    assert code == 2 and "no session" in err


def test_clients_without_a_server_or_with_a_bad_code_get_a_clear_error(cli, tiny_server):
    code, _, err = cli("instructor", tiny_server.address, "--code", "WRONG-CODE", "status")
    assert code == 2 and "unknown join code" in err
    code, _, err = cli(
        "bot", tiny_server.address, "--code", tiny_server.codes["instructor"], "--retry-for", "1"
    )
    assert code == 2 and "not a team" in err
    code, _, err = cli("instructor", "nohost", "--code", "X", "status")
    assert code == 2 and "HOST:PORT" in err


def test_the_instructor_command_prints_json_status(cli, tiny_server):
    code, out, _ = cli(
        "instructor", tiny_server.address, "--code", tiny_server.codes["instructor"], "status", "--json"
    )
    result = json.loads(out)
    assert (
        code == 0 and result["ok"] and {t["team"] for t in result["status"]["teams"]} == {"CHN", "IND", "AUS"}
    )
    code, _, err = cli("instructor", tiny_server.address, "--code", tiny_server.codes["instructor"], "extend")
    assert code == 2 and "seconds" in err


def test_debrief_of_a_directory_without_a_session(cli, tmp_path):
    code, _, err = cli("debrief", tmp_path, "--out", tmp_path / "r.html")
    assert code == 2 and "no classroom session" in err


def test_pack_lists_and_prints_handouts(cli):
    code, out, _ = cli("pack")
    assert code == 0 and "india-central-asia-2025" in out and "china-ree-controls-2025" in out
    code, out, _ = cli("pack", "china-ree-controls-2025", "--team", "JPN")
    assert code == 0 and "JOGMEC" in out and "Private information" in out


def test_the_room_commands_from_the_command_line(cli, tiny_server):
    instructor = ("instructor", tiny_server.address, "--code", tiny_server.codes["instructor"])
    code, _, err = cli(*instructor, "rollback")
    assert code == 2 and "rollback needs a turn number" in err
    code, _, err = cli(*instructor, "rollback", "two")
    assert code == 2 and "rollback needs a turn number, got 'two'" in err
    code, out, _ = cli(*instructor, "mute", "--json")
    assert code == 0 and '"muted": true' in out
    code, out, _ = cli(*instructor, "unmute")
    assert code == 0 and "chat open" in out
    old = tiny_server.codes["AUS"]
    code, out, _ = cli(*instructor, "revoke", "aus")
    assert code == 0 and tiny_server.codes["AUS"] != old and tiny_server.codes["AUS"] in out
    code, _, err = cli("instructor", tiny_server.address, "--code", old, "status")
    assert code == 2 and "unknown join code" in err


def test_instructor_extend_minus_5_is_refused_before_any_server_is_asked(cli):
    """Bad arguments are refused on their own: the address has a bound port where nothing listens."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))  # bound, never listening: a connection would be refused
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        for argument in ("-5", "0", "nan", "inf", "1e9", "soon"):
            code, _, err = cli("instructor", address, "--code", "any", "extend", argument)
            assert code == 2 and "extend needs a number of seconds" in err and "Traceback" not in err
        code, _, err = cli("instructor", address, "--code", "any", "rollback", "-1")
        assert code == 2 and "needs a turn number, got" in err
        code, _, err = cli("instructor", address, "--code", "any", "advance", "--turn", "-3")
        assert code == 2 and "needs a turn number, got" in err
        code, _, err = cli("instructor", address, "--code", "any", "status")
    assert code != 0 and "needs a" not in err  # a valid command does ask the (silent) address


def test_session_sqlite_is_not_world_readable(tmp_path):
    server = ServerProcess(tmp_path / "state", TINY, "CHN,IND").start()
    try:
        assert server.instructor("start").ok
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in server.state.iterdir()}
    finally:
        server.kill()
    assert stat.S_IMODE(server.state.stat().st_mode) == 0o700
    assert {"session.sqlite", "session.sqlite-wal", "codes.json", "server.json"} <= set(modes)
    assert modes == dict.fromkeys(modes, 0o600)


def test_a_revoked_code_goes_to_the_codes_file_the_session_was_started_with(tmp_path):
    handouts = tmp_path / "handouts" / "codes.json"
    server = ServerProcess(tmp_path / "state", TINY, "CHN,IND", "--codes-file", str(handouts))
    server.codes_path = handouts
    server.start()
    try:
        assert not (server.state / "codes.json").exists()
        old = server.codes["IND"]
        revoked = server.instructor("revoke", "IND")
        new = server.codes["IND"]
        assert revoked.ok and new != old and new in revoked.detail
        assert stat.S_IMODE(handouts.stat().st_mode) == 0o600
        with pytest.raises(JoinError, match="unknown join code"):
            run(SessionClient(server.address, old, retry_for=2).open())
        assert run(joined_as(server, "IND")) == "IND"
        server.kill()
        server.extra = ()  # resumed without --codes-file: the session remembers where its codes are
        server.start(resume=True)
        before = server.codes["CHN"]
        assert server.instructor("revoke", "chn").ok and server.codes["CHN"] != before
        assert not (server.state / "codes.json").exists()
    finally:
        server.kill()


async def joined_as(server: ServerProcess, seat: str) -> str | None:
    """The team a seat's code from the codes file opens (joined, then left)."""
    client = await joined(server, seat)
    await client.close()
    return client.team


def test_join_says_where_it_connects_and_gives_up_after_retry_for(cli):
    with socket.socket() as held:  # bound, never listening: connections are refused, and no other
        held.bind(("127.0.0.1", 0))  # process (another test's server) can take the port meanwhile
        port = held.getsockname()[1]
        code, _, err = cli("join", f"127.0.0.1:{port}", "--code", "X", "--text", "--retry-for", "1")
    assert code == 2 and f"connecting to 127.0.0.1:{port}" in err and "cannot reach" in err


def test_the_printed_address_explains_its_placeholders(capsys, tmp_path):
    from argparse import Namespace
    from types import SimpleNamespace

    from critmin.classroom.commands import print_codes

    session = SimpleNamespace(
        info=lambda: SimpleNamespace(team_names={"IND": "India"}), meta={"scenario_id": "x"}
    )
    print_codes(session, {"IND": "K7QX2"}, tmp_path / "codes.json", Namespace(host="0.0.0.0", port=0))
    out = capsys.readouterr().out
    assert (
        "http://ADDRESS:PORT" in out and "ADDRESS: this computer's address" in out and "PORT: the one" in out
    )
    print_codes(session, {"IND": "K7QX2"}, tmp_path / "codes.json", Namespace(host="127.0.0.1", port=8765))
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8765" in out and "ADDRESS:" not in out and "PORT:" not in out
