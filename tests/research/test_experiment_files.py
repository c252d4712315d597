"""Experiment files: the shipped example, and bad files giving one clear message (exit 2)."""

from __future__ import annotations

import pytest
from research_helpers import DATA

from critmin.engine.model import WorldModel
from critmin.research.design import iter_runs
from critmin.research.experiment import experiment_from_text, load_experiment
from critmin.research.simulate import RunContext, simulate
from critmin.scenarios import packaged_names

GOOD = """
[experiment]
name = "probe"
scenario = "{tiny}"
turns = 4

[[factors]]
name = "disruption_probability"
target = "market.disruption_probability_per_turn"
levels = [0.0, 0.1]
"""

BAD = [
    (
        "unknown field",
        ("[experiment]", "[experiment]\nnmae = 'x'"),
        "experiment: object contains unknown field `nmae`",
    ),
    ("wrong type", ("turns = 4", "turns = 'four'"), "experiment.turns: expected `int`, got `str`"),
    ("unknown design", ("[[factors]]", "[design]\nkind = 'factorial'\n[[factors]]"), "design.kind"),
    (
        "no levels",
        ("levels = [0.0, 0.1]", "range = [0.0, 0.1]"),
        "factors[0].levels: the full_factorial design needs",
    ),
    (
        "no match",
        ('target = "market.disruption_probability_per_turn"', 'target = "stocks[country=AUS].tonnes"'),
        "factors[0].target: matches nothing",
    ),
    (
        "invalid level",
        ("levels = [0.0, 0.1]", "levels = [0.0, 1.5]"),
        "factors[0].levels: level 1.5 makes the scenario invalid",
    ),
    (
        "unknown factor field",
        ("levels = [0.0, 0.1]", "levels = [0.0, 0.1]\nstep = 1"),
        "factors[0]: object contains unknown field `step`",
    ),
    (
        "reserved name",
        ('name = "disruption_probability"', 'name = "turn"'),
        "factors[0].name: 'turn' is reserved",
    ),
    (
        "sobol power of two",
        ("[[factors]]", "[design]\nkind = 'sobol'\nsamples = 10\n[[factors]]"),
        "design.samples: a sobol design needs a power of two",
    ),
    ("unknown scenario", ("scenario = ", "scenario = 'atlantis' #"), "experiment.scenario: atlantis"),
    ("toml syntax", ("turns = 4", "turns = = 4"), "TOML syntax error"),
    (
        "outcome dims",
        ("[[factors]]", "[[outcomes]]\nname = 'p'\nmetric = 'price_wedge'\nmineral = 'lithium'\n[[factors]]"),
        "outcomes[0].stage: metric price_wedge needs a stage",
    ),
    (
        "bad action",
        (
            'target = "market.disruption_probability_per_turn"\nlevels = [0.0, 0.1]',
            "kind = 'action'\naction = { type = 'invest', country = 'IND' }\nlevels = [1, 2]",
        ),
        "factors[0].action: bad action",
    ),
]


def write(tmp_path, text: str):
    path = tmp_path / "experiment.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("case", "change", "message"), BAD, ids=[case[0] for case in BAD])
def test_bad_experiment_files_name_the_field_and_exit_2(cli, tmp_path, tiny, case, change, message):
    text = GOOD.format(tiny=tiny.origin)
    assert change[0] in text, f"the {case} case does not apply to the base file"
    path = write(tmp_path, text.replace(change[0], change[1], 1))
    code, out, err = cli("batch", path, "--out", tmp_path / "out")
    assert code == 2, err
    assert "experiment.toml: " in err and message in err.replace("\n", " "), err
    assert "Traceback" not in err + out
    assert not (tmp_path / "out").exists(), "nothing is written for a bad experiment"


def test_missing_file_and_missing_arguments_exit_2(cli, tmp_path, tiny):
    code, _, err = cli("batch", tmp_path / "nothing.toml", "--out", tmp_path / "out")
    assert code == 2 and "nothing.toml: cannot read file" in err
    code, _, err = cli("batch")
    assert code == 2 and "give an experiment file" in err
    code, _, err = cli("batch", write(tmp_path, GOOD.format(tiny=tiny.origin)))
    assert code == 2 and "--out" in err


def test_good_file_plans_without_running(cli, tmp_path, tiny):
    code, out, _ = cli("batch", write(tmp_path, GOOD.format(tiny=tiny.origin)), "--plan")
    assert code == 0
    assert "full_factorial, 2 points x 1 replications = 2 runs of 4 turns" in out


def test_scenario_paths_are_read_beside_the_experiment():
    experiment = load_experiment(DATA / "tiny_factorial.toml")
    assert experiment.scenario.id == "tiny"
    assert experiment.turns == 6


@pytest.mark.skipif("china-ree-controls-2025" not in packaged_names(), reason="scenario not packaged yet")
def test_the_printed_example_is_a_valid_experiment_that_plays(cli):
    code, text, _ = cli("batch", "--example")
    assert code == 0 and text.startswith("# A critmin batch experiment")
    experiment = experiment_from_text(text, origin="example.toml")
    assert experiment.scenario.id == "china-ree-controls-2025"
    assert [f.name for f in experiment.spec.factors] == [
        "licence_approval_share",
        "heavy_control_lifted_at_turn",
    ]
    assert len(experiment.outcomes) == 3
    first = next(iter_runs(experiment.spec))
    rows = simulate(RunContext.of(experiment), first)
    assert set(rows["metric"].to_pylist()) == set(experiment.spec.outputs.metrics), "its first run plays"


def test_the_example_sets_the_approval_share_for_the_whole_control(cli):
    _, text, _ = cli("batch", "--example")
    experiment = experiment_from_text(text, origin="example.toml")
    context = RunContext.of(experiment)
    model = WorldModel(context.scenario({"licence_approval_share": 0.1, "heavy_control_lifted_at_turn": 8}))
    for _ in range(4):  # past the scenario's own easing at turn 2
        model.step()
    licences = [
        p
        for p in model.snapshot().policies
        if p["country"] == "CHN" and p["mineral"] in ("ree_heavy", "ree_light")
    ]
    assert len(licences) == 3 and all(p["approval_share"] == 0.1 for p in licences)


@pytest.mark.parametrize("command", [[], ["batch"], ["analyze"]])
def test_help_texts_print(command, capsys):
    from critmin.cli import main

    with pytest.raises(SystemExit) as leaving:
        main([*command, "--help"])
    assert leaving.value.code == 0
    assert "batch" in capsys.readouterr().out
