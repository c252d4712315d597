"""Playing through the window with real pygame events: pick India, act, end the turn, save, load."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from uidriver import Driver, check_golden

from critmin.core.actions import ProposeDeal, SetTariff
from critmin.ui import picker
from critmin.ui.app import first_scene
from critmin.ui.game import GameScene
from critmin.ui.layout import free_points
from critmin.ui.options import PlayOptions
from critmin.ui.orders import DiplomacyPanel, OrdersPanel
from critmin.ui.panels import DashboardPanel, DealsPanel, NewsPanel, PricesPanel
from critmin.ui.picker import BriefingScene, PickerScene
from critmin.ui.replay import ReplayScene
from critmin.ui.scenes import HandOverScene, HelpOverlay
from critmin.ui.session import Session

TINY = Path(__file__).parents[1] / "data" / "tiny.toml"


def screen_point(scene: GameScene, code: str) -> tuple[int, int]:
    """Where a country's anchor (its scenario lat/lon) is on screen."""
    spec = next(c for c in scene.model.world_scenario.spec.countries if c.iso3 == code)
    x, y = scene.mapview.anchor(spec.lon, spec.lat)
    return int(x + scene.mapview.rect.x), int(y + scene.mapview.rect.y)


def free_point(scene: GameScene, code: str) -> tuple[int, int]:
    """A point of a country that no panel covers (where a player clicks to select it)."""
    return tuple(free_points(scene, scene.ui)[code])


def pick_india(driver: Driver, save_dir: Path) -> GameScene:
    """From the scenario picker to India's first turn, by clicks."""
    first_scene(driver.app, PlayOptions(scenario=str(TINY), save_dir=save_dir))
    driver.frames(2)
    picker = driver.scene
    assert isinstance(picker, PickerScene)
    assert not picker.start.is_enabled, "Briefing is greyed out until a country is picked"
    driver.pick_in_list(picker.country_list, "India (IND)")
    assert picker.start.is_enabled
    driver.click(picker.start)
    assert isinstance(driver.scene, BriefingScene)
    driver.click(driver.scene.begin)
    game = driver.scene
    assert isinstance(game, GameScene) and game.player == "IND"
    return game


def test_pick_india_act_end_turn_save_and_load(driver, tmp_path):
    game = pick_india(driver, tmp_path)
    model = game.model

    # open a panel with its button
    dashboard_button = next(b for b, p in game.panel_buttons.items() if isinstance(p, DashboardPanel))
    driver.click(dashboard_button)
    assert game.panel(DashboardPanel).is_open

    # propose a deal: pick Australia on the map, then Propose in the diplomacy panel
    driver.key(pygame.K_i)
    diplomacy = game.panel(DiplomacyPanel)
    driver.click_at(free_point(game, "AUS"))
    assert game.selected == "AUS" and diplomacy.form.counterparty == "AUS"
    assert diplomacy.propose.is_enabled
    driver.click(diplomacy.propose)
    driver.key(pygame.K_i)  # close it: the orders panel opens where it was

    # impose a tariff through the orders form (tariff is its first kind), rate typed in
    driver.key(pygame.K_o)
    orders = game.panel(OrdersPanel)
    driver.choose(orders.mineral, "lithium")
    driver.choose(orders.stage, "refined")
    assert orders.form.kind == "tariff" and (orders.form.mineral, orders.form.stage) == ("lithium", "refined")
    driver.click(orders.add)
    drafted = game.session.orders()
    assert [type(a) for a in drafted] == [ProposeDeal, SetTariff]
    assert drafted[0].counterparty == "AUS"

    # an illegal choice is greyed out with the engine's reason
    driver.choose(orders.kind, "lift control")
    assert not orders.add.is_enabled
    assert "no export control" in orders.add.tool_tip_text
    driver.hover(orders.add)
    assert orders.add.tool_tip is not None, "the reason shows as a tooltip on hover"

    # end the turn: the engine carried the orders out
    driver.click(game.end_button)
    assert model.turn == 1
    assert ("IND", "lithium", "refined") in model.policies.tariffs
    assert any(
        p.action.counterparty == "AUS" and p.action.country == "IND" for p in model.deals.proposals.values()
    ) or any(e.kind == "deal_proposed" and e.actor == "IND" for e in model.events)

    # save through the file dialog
    driver.click(next(b for b, command in game.action_buttons.items() if command == game.ask_save))
    driver.click(game.dialog.ok_button)
    saves = list(tmp_path.glob("*.json"))
    assert len(saves) == 1 and saves[0].name == "tiny-2025Q2.json"

    # load it back: a new session, replayed to the same state
    old_hashes = list(model.hashes)
    driver.click(next(b for b, command in game.action_buttons.items() if command == game.ask_load))
    assert game.dialog is None and game.confirm is not None, "asks before dropping the game in progress"
    driver.click(game.confirm.confirm_button)
    driver.click(game.dialog.ok_button)
    assert game.model is not model
    assert game.model.hashes == old_hashes and game.player == "IND"
    assert ("IND", "lithium", "refined") in game.model.policies.tariffs


def test_game_screens_match_the_golden_images(driver, tmp_path):
    game = pick_india(driver, tmp_path)
    driver.click(game.end_button)
    driver.park_mouse()
    driver.frames(30)
    check_golden(driver.app.screen, "tiny_india_turn1")
    driver.key(pygame.K_d)
    driver.frames(2)
    check_golden(driver.app.screen, "tiny_india_dashboard")


def test_picker_matches_the_golden_image(driver, tmp_path, monkeypatch):
    monkeypatch.setattr(picker, "packaged_names", lambda: ["world-2024"])  # other scenarios come and go
    first_scene(driver.app, PlayOptions(scenario=str(TINY), save_dir=tmp_path))
    driver.frames(3)
    check_golden(driver.app.screen, "picker")


def test_hot_seat_hands_over_between_players(driver, tmp_path):
    game = driver.app.start_game(Session.start(TINY, ["IND", "AUS"]), PlayOptions(save_dir=tmp_path))
    driver.frames(2)
    driver.key(pygame.K_RETURN)
    assert isinstance(driver.scene, HandOverScene) and game.model.turn == 0
    assert game.end_button.visible == 0, "the last player's screen is hidden"
    driver.key(pygame.K_RETURN)
    assert driver.scene is game and game.player == "AUS"
    driver.key(pygame.K_RETURN)
    driver.key(pygame.K_RETURN)
    assert game.model.turn == 1 and game.player == "IND"


def test_filters_colouring_and_animation(driver, tmp_path):
    session = Session.start("china-ree-controls-2025")
    session.model.run(3)
    game = driver.app.start_game(session, PlayOptions(save_dir=tmp_path, panels=["orders", "dashboard"]))
    driver.frames(2)
    assert game.panel(OrdersPanel).is_open, "observer mode: the orders panel says nobody plays"
    everything = len(game.flows.arcs)
    driver.choose(game.mineral_menu, "ree_heavy")
    heavy = len(game.flows.arcs)
    assert 0 < heavy < everything
    assert {a.flow.mineral for a in game.flows.arcs} == {"ree_heavy"}
    assert any(r.exporter == "CHN" and r.regime == "licence" for r in game.flows.routes), "China's licences"
    driver.key(pygame.K_c)
    assert game.colour_mode == "import dependence"
    before, started = game.flows.positions().copy(), game.flows.time
    driver.frames(10)
    assert game.flows.time - started == pytest.approx(10 / 60), "one fixed step per frame at 60 FPS"
    assert (game.flows.positions() != before).any(), "particles move between frames"
    game_turn = game.model.turn
    driver.frames(60)
    assert game.model.turn == game_turn, "animation never plays turns"


def test_keyboard_shortcuts(driver, tmp_path):
    session = Session.start(TINY, ["IND"])
    session.end_turn()
    game = driver.app.start_game(session, PlayOptions(save_dir=tmp_path))
    driver.key(pygame.K_m)
    assert game.chosen.mineral == "ree_heavy" and game.mineral_menu.selected_option[0] == "ree_heavy"
    driver.key(pygame.K_m, pygame.KMOD_SHIFT)
    assert game.chosen.mineral == "all"
    driver.key(pygame.K_g)
    assert game.chosen.stage == "mine"
    driver.key(pygame.K_f)
    assert not game.flows.visible
    driver.key(pygame.K_n)
    driver.key(pygame.K_p)
    assert game.panel(PricesPanel).is_open and game.panel(NewsPanel).is_open
    driver.key(pygame.K_ESCAPE)
    assert not game.panel(PricesPanel).is_open and game.panel(NewsPanel).is_open
    driver.key(pygame.K_s, pygame.KMOD_CTRL)
    assert game.dialog is not None and game.dialog_purpose == "save"
    driver.key(pygame.K_q, pygame.KMOD_CTRL)
    assert not driver.app.running


def test_help_overlay_and_resizing(driver, tmp_path):
    game = driver.app.start_game(Session.start(TINY, ["IND"]), PlayOptions(save_dir=tmp_path))
    driver.key(pygame.K_F1)
    assert isinstance(driver.scene, HelpOverlay)
    driver.key(pygame.K_ESCAPE)
    assert driver.scene is game
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=1024, h=700, size=(1024, 700)))
    driver.frames(3)
    assert driver.app.size == (1024, 700)
    assert game.mapview.rect.width == 1024 and game.flows.background.get_width() == 1024
    assert game.title.text.startswith("Tiny test world") and game.end_button.text == "End turn (Enter)"


def test_replay_viewer_steps_through_a_save(driver, tmp_path):
    session = Session.start(TINY, ["IND"])
    for _ in range(3):
        session.end_turn()
    path = session.save(tmp_path / "game.json")
    first_scene(driver.app, PlayOptions(replay=path))
    viewer = driver.scene
    assert isinstance(viewer, ReplayScene) and viewer.cursor.turn == 0
    driver.key(pygame.K_RIGHT)
    driver.click(viewer.forward_button)
    assert viewer.cursor.turn == 2 and viewer.cursor.problem is None
    driver.key(pygame.K_LEFT)
    assert viewer.cursor.turn == 1
    assert "hashes match" in viewer.title_text()


def end_turn_and_hand_over(driver: Driver) -> None:
    """Enter ends this player's part; Enter again on the hand-over screen shows the next player's."""
    driver.key(pygame.K_RETURN)
    assert isinstance(driver.scene, HandOverScene)
    driver.key(pygame.K_RETURN)


def test_hot_seat_players_propose_and_accept_a_deal(driver, tmp_path):
    game = driver.app.start_game(Session.start(TINY, ["IND", "AUS"]), PlayOptions(save_dir=tmp_path))
    driver.click_at(free_point(game, "AUS"))
    driver.key(pygame.K_i)
    diplomacy = game.panel(DiplomacyPanel)
    assert diplomacy.form.counterparty == "AUS", "the form aims at the country selected"
    driver.choose(diplomacy.mineral, "lithium")
    driver.choose(diplomacy.stage, "mine")
    driver.click(diplomacy.propose)
    assert [a.counterparty for a in game.session.orders()] == ["AUS"]
    end_turn_and_hand_over(driver)  # India done
    end_turn_and_hand_over(driver)  # Australia done: the turn is played, the offer delivered
    assert game.model.turn == 1 and game.player == "IND"
    end_turn_and_hand_over(driver)
    assert game.player == "AUS"
    accept = next(b for b, a in diplomacy.actions.items() if a.accept)
    assert accept.is_enabled
    driver.click(accept)
    end_turn_and_hand_over(driver)
    signed = [d for d in game.model.deals.deals.values() if d.kind == "offtake"]
    assert [(d.seller, d.buyer, d.mineral, d.stage) for d in signed] == [("AUS", "IND", "lithium", "mine")]
    driver.key(pygame.K_l)
    breaks = game.panel(DealsPanel).breaks
    assert any(button.is_enabled for button in breaks), "a party may break its deal (at a price)"
