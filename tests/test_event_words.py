"""Event sentences read with names: codes and identifiers become the scenario's words."""

from critmin.classroom.page_view import page_snapshot
from critmin.classroom.seats import event_words
from critmin.core.event_words import EventWords
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import load_scenario

WORDS = EventWords(
    {"CHN": "China", "IND": "India", "ZMB": "Zambia", "KAZ": "Kazakhstan", "COD": "DR Congo"},
    {"cobalt": "Cobalt", "ree_heavy": "Rare earths, heavy (Dy+Tb oxide)", "ree_light": "Rare earths, light"},
    {"kabil": "Khanij Bidesh India Ltd (KABIL)", "ulba": "Ulba Metallurgical Plant (Ulba)"},
)


def test_codes_minerals_stages_and_firms_become_words():
    assert WORDS.sentence("disruption cuts ZMB's cobalt refined output by 47%") == (
        "disruption cuts Zambia's refined cobalt output by 47%"
    )
    assert WORDS.sentence("COD imposes a ban on cobalt (mine, refined) exports to all destinations") == (
        "DR Congo imposes a ban on mined and refined cobalt exports to all destinations"
    )
    assert WORDS.sentence("CHN imposes a licence on ree_heavy (refined, magnet) exports") == (
        "China imposes a licence on refined heavy rare earths and heavy rare earth magnets exports"
    )
    assert WORDS.sentence("KAZ vetoes ulba's stake in COD: trust 0.35 below 0.40") == (
        "Kazakhstan vetoes Ulba's stake in DR Congo: trust 0.35 below 0.40"
    )
    assert WORDS.sentence("IND proposes a joint_exploration of 400 t/yr ree_light to KAZ") == (
        "India proposes a joint exploration of 400 t/yr light rare earths to Kazakhstan"
    )


def test_what_it_does_not_know_passes_unchanged():
    sentence = "USD 5.0 m for block B0001 (graphite) from USA; deal irel-toyotsu-ree; kabil-x stays"
    assert WORDS.sentence(sentence) == sentence
    assert WORDS.sentence("IND signs a offtake") == "India signs an offtake"


def test_a_class_page_reads_the_turns_events_with_names():
    scenario = load_scenario("china-ree-controls-2025")
    model = WorldModel(scenario, seed=1, record_hashes=False)
    model.step()
    model.step()
    snapshot = model.snapshot()
    raw = [e["detail"] for e in snapshot.events]
    shown = [e["detail"] for e in page_snapshot(snapshot, event_words(scenario))["events"]]
    licence = "CHN imposes a licence on ree_heavy (refined, magnet)"
    control = next(i for i, d in enumerate(raw) if d.startswith(licence))
    assert shown[control].startswith("China ") and "refined heavy rare earths" in shown[control]
    assert not any("ree_heavy" in d or "ree_light" in d for d in shown)
    assert len(shown) == len(raw)
