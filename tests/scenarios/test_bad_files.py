"""Bad scenario files: one clear message naming file and field, exit code 2, no traceback."""

from __future__ import annotations

import pytest

from tests.conftest import TINY

GOOD = TINY.read_text()


def edit(old: str, new: str, count: int = 1) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, count)


DOCTRINE_TABLE = '\n[doctrines.resource_nationalist]\n{line}\nsource = "test [L]"\n'
MISTAKES = {
    "toml_syntax": (edit('title = "Tiny test world"', 'title = "Tiny test world'), "TOML syntax error"),
    "missing_field": (edit('name = "India"\n', ""), "countries[1]"),
    "wrong_type": (edit("budget_usd_m = 1000", 'budget_usd_m = "a lot"', 1), "countries[1].budget_usd_m"),
    "unknown_country": (
        edit('country = "AUS"\nmineral = "lithium"', 'country = "XYZ"\nmineral = "lithium"'),
        "unknown country 'XYZ'",
    ),
    "unknown_mineral_name": (
        edit(
            'mineral = "lithium"\nstage = "refined"\ntonnes_per_year = 15000',
            'mineral = "unobtainium"\nstage = "refined"\ntonnes_per_year = 15000',
        ),
        "demand[4].mineral",
    ),
    "mineral_not_declared": (edit('id = "lithium"', 'id = "cobalt"'), "is not declared in [[minerals]]"),
    "negative_capacity": (
        edit("tonnes_per_year = 2000", "tonnes_per_year = -5"),
        "capacity[0].tonnes_per_year",
    ),
    "duplicate_id": (edit('iso3 = "AUS"', 'iso3 = "IND"'), "duplicate id 'IND'"),
    "share_above_100": (edit("share = 0.1, ", "share = 1.5, "), "firms[0].assets[0].share"),
    "utilisation_above_1": (edit("utilisation = 0.9", "utilisation = 1.2"), "capacity[0].utilisation"),
    "stage_not_in_chain": (
        edit(
            'mineral = "lithium"\nstage = "refined"\ntonnes_per_year = 80000',
            'mineral = "lithium"\nstage = "magnet"\ntonnes_per_year = 80000',
        ),
        "lithium has no stage 'magnet'",
    ),
    "unknown_field": (edit("lat = 22.0", "lat = 22.0\npopulation = 1400"), "unknown field"),
    "bad_start_date": (edit('start = "2025Q1"', 'start = "2025-01"'), "scenario.start"),
    "unknown_focus": (
        edit('start = "2025Q1"', 'start = "2025Q1"\nfocus = "XYZ"'),
        "scenario.focus: unknown country 'XYZ'",
    ),
    "malformed_action_event": (
        GOOD + '\n[[events]]\nturn = 1\nkind = "action"\ntitle = "x"\ncountry = "CHN"\n'
        'action = {type = "impose_export_control", mineral = "ree_heavy"}\nsource = "test"\n',
        "events[0].action: bad action",
    ),
    "disruption_without_stage": (
        GOOD + '\n[[events]]\nturn = 1\nkind = "disruption"\ntitle = "x"\ncountry = "CHN"\n'
        'mineral = "lithium"\nshare = 0.5\nsource = "test"\n',
        "events[0].stage",
    ),
    "duplicate_capacity_line": (
        GOOD + GOOD[GOOD.index("[[capacity]]") : GOOD.index("[[capacity]]", GOOD.index("[[capacity]]") + 1)],
        "duplicate line for CHN ree_heavy mine",
    ),
    "doctrine_parameter_out_of_bounds": (
        GOOD + DOCTRINE_TABLE.format(line="downstream_probability = 1.5"),
        "doctrines.resource_nationalist.downstream_probability: expected `float` <= 1.0",
    ),
    "unknown_doctrine_parameter": (
        GOOD + DOCTRINE_TABLE.format(line="downstream_probabilty = 0.5"),
        "doctrines.resource_nationalist: object contains unknown field `downstream_probabilty`",
    ),
    "unknown_doctrine": (
        GOOD + DOCTRINE_TABLE.replace("resource_nationalist", "populist").format(line=""),
        "doctrines: object contains unknown field `populist`",
    ),
    "output_value_multiple_missing_a_sector": (
        edit(
            "disruption_probability_per_turn = 0.0",
            "disruption_probability_per_turn = 0.0\noutput_value_multiple = {ev = 30}",
        ),
        "market.output_value_multiple: name every sector (missing: storage, wind",
    ),
    "menu_size_out_of_bounds": (GOOD + "\n[menu]\ntariff_rate = -1\n", "menu.tariff_rate"),
    "unknown_firm_doctrine_parameter": (
        GOOD + "\n[firm_doctrine]\nspend_shar = 0.4\n",
        "firm_doctrine: object contains unknown field `spend_shar`",
    ),
    "doctrine_table_without_source": (
        GOOD + DOCTRINE_TABLE.replace('source = "test [L]"', "").format(line="raw_quota_share = 0.5"),
        "doctrines.resource_nationalist: object missing required field `source`",
    ),
}


@pytest.mark.parametrize("kind", sorted(MISTAKES))
def test_bad_scenario_gives_one_clear_message(kind, tmp_path, cli):
    text, expected = MISTAKES[kind]
    path = tmp_path / f"bad-{kind}.toml"
    path.write_text(text)
    code, out, err = cli("scenarios", "validate", path)
    assert code == 2
    assert f"bad-{kind}.toml" in err
    assert expected in err
    assert "Traceback" not in err + out


def test_good_file_validates(cli):
    code, out, _ = cli("scenarios", "validate", TINY)
    assert code == 0
    assert "ok" in out


def test_missing_file_is_a_clear_error(cli):
    code, _, err = cli("run", "no-such-scenario")
    assert code == 2
    assert "no-such-scenario: no such scenario" in err


def test_an_extending_file_without_start_is_told_that_its_scenario_table_replaces_the_base(tmp_path, cli):
    path = tmp_path / "mine.toml"
    path.write_text('[scenario]\nid = "mine"\ntitle = "Mine"\nextends = "world-2024"\n')
    code, _, err = cli("scenarios", "validate", path)
    assert code == 2 and "mine.toml: scenario: object missing required field `start`" in err
    assert "replaces the base's" in err
    path.write_text('[scenario]\nid = "mine"\ntitle = "Mine"\n')
    code, _, err = cli("scenarios", "validate", path)
    assert code == 2 and "`start`" in err and "extends" not in err, "no hint without extends"
