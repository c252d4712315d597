"""Per-turn state hashes of the reference scenarios, to show a redesign keeps behaviour.

    python tools/state_hashes.py > before.txt   # on the old commit
    python tools/state_hashes.py > after.txt    # on the new one
    diff before.txt after.txt                   # nothing: behaviour kept

Each line: scenario, turn, state hash after that turn (seed 1, 12 turns, every country on the
scenario's own controllers: AI doctrines where the scenario names them).

    python tools/state_hashes.py --bench-worlds --seed 0 --turns 6   # the larger worlds of the bench
    python tools/state_hashes.py --policies --seed 0 --turns 6       # controls and tariffs from turn 1

`--policies` plays world-2024 and its 4x-countries world with China's leaky quotas (markets
posed with hubs), a licence delayed two turns and a ban to two countries, and two US tariffs,
all from turn 1: the trade phase's rarer paths.
"""

from __future__ import annotations

import argparse

from critmin.engine.model import WorldModel

SCENARIOS = ("world-2024", "china-ree-controls-2025", "india-central-asia-2025")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bench-worlds", action="store_true", help="the larger worlds of `critmin bench`")
    parser.add_argument("--policies", action="store_true", help="world-2024 and its 4x world under policies")
    parser.add_argument("scenarios", nargs="*", default=SCENARIOS)
    args = parser.parse_args()
    if args.policies:
        worlds = [("world-2024-policies", "world-2024"), ("4x-countries-policies", bench_worlds()[0][1])]
    elif args.bench_worlds:
        worlds = bench_worlds()
    else:
        worlds = [(name, name) for name in args.scenarios]
    for name, world in worlds:
        model = WorldModel(world, seed=args.seed, controllers=policy_scripts() if args.policies else None)
        for turn in range(1, args.turns + 1):
            model.step()
            print(name, turn, model.state_hash(), flush=True)


def bench_worlds() -> list[tuple[str, object]]:
    """world-2024 with four times its countries and with ten times its firms (engine/bench_worlds.py)."""
    from critmin.engine.bench_worlds import copies_of_the_countries, ten_times_the_firms

    world = "world-2024"
    return [("4x-countries", copies_of_the_countries(world, 4)), ("10x-firms", ten_times_the_firms(world))]


def policy_scripts() -> dict:
    """China's controls and two US tariffs, imposed on turn 1."""
    from critmin.agents.controllers import ScriptedController
    from critmin.core.actions import ImposeExportControl, SetTariff
    from critmin.core.vocabulary import Mineral, Stage

    def control(mineral: Mineral, stage: Stage, regime: str, **terms) -> ImposeExportControl:
        return ImposeExportControl(country="CHN", mineral=mineral, stages=(stage,), regime=regime, **terms)

    china = [
        control(Mineral.REE_HEAVY, Stage.MAGNET, "quota", quota_tonnes_per_year=400.0, leakage=0.2),
        control(Mineral.GRAPHITE, Stage.REFINED, "quota", quota_tonnes_per_year=100000.0, leakage=0.3),
        control(Mineral.GALLIUM, Stage.REFINED, "licence", approval_share=0.5, delay_turns=2),
        control(Mineral.GERMANIUM, Stage.REFINED, "ban", destinations=("USA", "JPN")),
    ]
    usa = [
        SetTariff(country="USA", mineral=Mineral.LITHIUM, stages=(Stage.REFINED,), rate=0.25),
        SetTariff(country="USA", mineral=Mineral.COBALT, stages=(Stage.REFINED,), rate=0.1, origins=("CHN",)),
    ]
    return {"CHN": ScriptedController({1: china}), "USA": ScriptedController({1: usa})}


if __name__ == "__main__":
    main()
