"""The scenario reading path: decoded, parsed and bounded before the schema; errors in the file's terms."""

from __future__ import annotations

import pytest

from tests.conftest import TINY

GOOD = TINY.read_text()


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def validate(cli, path) -> tuple[int, str]:
    code, out, err = cli("scenarios", "validate", path)
    assert "Traceback" not in out + err
    return code, err


def test_non_utf8_file_is_refused_with_its_line(cli, tmp_path):
    path = write(tmp_path, "latin.toml", GOOD.replace("Tiny test world", "Tiny w\xf6rld").encode("latin-1"))
    code, err = validate(cli, path)
    assert code == 2 and "latin.toml: line 4: not UTF-8 text (byte 0xf6" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scenario = 5\n", "scenario: expected a [scenario] table, got a int"),
        ("title = 'x'\n", "scenario: expected a [scenario] table, got nothing"),
        ("[scenario]\nextends = 5\n", "scenario.extends: expected a scenario name or path (text), got 5"),
        ("[scenario]\nextends = ''\n", "scenario.extends: expected a scenario name or path"),
    ],
)
def test_scenario_or_extends_of_the_wrong_type_is_a_clear_error(cli, tmp_path, text, expected):
    code, err = validate(cli, write(tmp_path, "odd.toml", text))
    assert code == 2 and f"odd.toml: {expected}" in err


def test_deep_nesting_is_refused_without_recursion_error(cli, tmp_path):
    deep = "[scenario]\nid = 'x'\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"
    code, err = validate(cli, write(tmp_path, "deep.toml", deep))
    assert code == 2 and "deep.toml: nested more than 24 levels deep" in err
    shallow_enough_for_toml = "[scenario]\nid = 'x'\nx = " + "[" * 40 + "1" + "]" * 40 + "\n"
    code, err = validate(cli, write(tmp_path, "lists.toml", shallow_enough_for_toml))
    assert code == 2 and "lists.toml: scenario.x" in err and "nested more than 24 levels" in err


def test_a_long_extends_chain_is_refused_without_recursion_error(cli, tmp_path):
    write(tmp_path, "s0.toml", GOOD)
    for index in range(1, 1200):
        write(tmp_path, f"s{index}.toml", f'[scenario]\nid = "s{index}"\ntitle = "t"\nstart = "2025Q1"\n'
              f'extends = "s{index - 1}"\n')  # fmt: skip
    code, err = validate(cli, tmp_path / "s1199.toml")
    assert code == 2 and "scenario.extends: a chain of more than 16 files" in err


def test_extends_cycle_names_the_files(cli, tmp_path):
    write(tmp_path, "a.toml", '[scenario]\nid = "a"\ntitle = "t"\nstart = "2025Q1"\nextends = "b"\n')
    write(tmp_path, "b.toml", '[scenario]\nid = "b"\ntitle = "t"\nstart = "2025Q1"\nextends = "a"\n')
    code, err = validate(cli, tmp_path / "a.toml")
    assert code == 2 and "scenario.extends: forms a cycle (a.toml -> b.toml)" in err


@pytest.mark.parametrize("figure", ["inf", "1e308", "nan", "1e13"])
def test_non_finite_or_unphysical_figures_are_refused(cli, tmp_path, figure):
    path = write(
        tmp_path, "huge.toml", GOOD.replace("tonnes_per_year = 2000", f"tonnes_per_year = {figure}", 1)
    )
    code, err = validate(cli, path)
    assert code == 2 and "huge.toml: capacity[0].tonnes_per_year" in err


def test_negative_seed_in_a_scenario_is_refused(cli, tmp_path):
    code, err = validate(cli, write(tmp_path, "seed.toml", GOOD.replace("seed = 1", "seed = -1")))
    assert code == 2 and "seed.toml: scenario.seed" in err


def test_a_huge_string_is_refused_by_its_length(cli, tmp_path):
    path = write(
        tmp_path, "long.toml", GOOD.replace('title = "Tiny test world"', f'title = "{"x" * 200_000}"')
    )
    code, err = validate(cli, path)
    assert code == 2 and "long.toml: scenario.title: text of 200,000 characters" in err


EXTENDING = """[scenario]
id = "child"
title = "child"
start = "2025Q1"
extends = "tiny"

[[capacity]]
country = "AUS"
mineral = "lithium"
stage = "mine"
tonnes_per_year = -1
unit_cost_usd_per_kg = 4
source = "child fixture"
"""


def test_extends_errors_name_the_file_and_count_its_own_list(cli, tmp_path):
    write(tmp_path, "tiny.toml", GOOD)
    code, err = validate(cli, write(tmp_path, "child.toml", EXTENDING))
    assert code == 2 and "child.toml: capacity[0].tonnes_per_year" in err, err


def test_an_error_in_the_base_file_names_the_base(cli, tmp_path):
    write(tmp_path, "tiny.toml", GOOD.replace("utilisation = 0.9", "utilisation = 1.9", 1))
    child = EXTENDING.replace("tonnes_per_year = -1", "tonnes_per_year = 10")
    code, err = validate(cli, write(tmp_path, "child.toml", child))
    assert code == 2 and "tiny.toml: capacity[0].utilisation" in err and "child.toml" not in err


def test_cross_record_errors_in_an_extending_file_use_its_own_indexes(cli, tmp_path):
    write(tmp_path, "tiny.toml", GOOD)
    child = EXTENDING.replace('country = "AUS"', 'country = "XYZ"').replace(
        "tonnes_per_year = -1", "tonnes_per_year = 1"
    )
    code, err = validate(cli, write(tmp_path, "child.toml", child))
    assert code == 2 and "child.toml: capacity[0].country: unknown country 'XYZ'" in err, err


def test_a_missing_extends_base_names_the_extending_file(cli, tmp_path):
    code, err = validate(cli, write(tmp_path, "child.toml", EXTENDING.replace('"tiny"', '"nowhere"')))
    assert code == 2 and "child.toml: scenario.extends: nowhere: no such scenario" in err
