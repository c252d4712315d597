// The projector view for the big screen: map and flows, a big timer, whose orders are in,
// the last turn's headlines, and the leaderboard when the instructor shows it. No controls.
"use strict";

import { $, Countdown, Room, el, fill, remember, remembered } from "./room.js";
import { WorldMap } from "./map.js";

const KEY = "critmin-instructor"; // the instructor's page and the projector share the code in this tab
const HEADLINES = 8;
const page = { room: null, map: null };

function start() {
  page.countdown = new Countdown($("timer"));
  $("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    join($("code").value.trim());
  });
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("code"); // the instructor page's link
  const saved = fromLink ? { code: fromLink } : remembered(KEY);
  if (saved) join(saved.code);
}

function join(code) {
  page.room = new Room({
    code,
    name: "projector",
    label: "browser-projector",
    on: {
      welcome: (welcome) => {
        if (welcome.role !== "instructor") {
          page.room.close();
          $("join-error").textContent = "The projector needs the instructor's code.";
          return;
        }
        remember(KEY, { code });
        $("join").hidden = true;
        $("screen").hidden = false;
        $("title").textContent = welcome.session.title;
        if (!page.map) page.map = new WorldMap($("map"), welcome.world);
      },
      state: draw,
      progress: draw,
      link: (status) => ($("link").textContent = status === "connected" ? "" : status),
      refused: (reason) => {
        $("screen").hidden = true;
        $("join").hidden = false;
        $("join-error").textContent = reason;
      },
    },
  });
  page.room.connect();
}

function draw() {
  const room = page.room;
  const state = room.state;
  if (!state || !room.welcome) return;
  const latest = room.progress && room.progress.turn === state.turn ? room.progress : state;
  $("turn").textContent = `Turn ${state.turn + 1} of ${state.turns_total} · ${state.date} · ${room.phase}`;
  page.countdown.set(latest.deadline_in, room.phase === "open");
  const submitted = room.submitted;
  fill($("chips"), ...room.welcome.session.teams.map((t) =>
    el("span", { class: "chip " + (submitted.includes(t) ? "in" : latest.seats[t] === "ai" ? "ai" : "waiting"), text: `${t} ${submitted.includes(t) ? "✓" : "…"}` })));
  const snapshot = state.snapshot;
  if (page.map && snapshot) page.map.ready.then(() => { page.map.showFlows(snapshot); page.map.mark("submitted", submitted); });
  const teams = room.welcome.session.teams;
  const events = (snapshot ? snapshot.events : [])
    .filter((e) => e.turn === state.turn - 1 && (e.kind !== "shortage" || teams.includes(e.actor)))
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, HEADLINES);
  fill($("headlines"), ...(events.length ? events.map((e) => el("li", { text: e.detail })) : [el("li", { class: "empty", text: "No headline events yet." })]));
  const board = room.progress && room.progress.leaderboard;
  $("leaderboard").hidden = !board;
  if (board) fill($("leaderboard"), el("h2", { text: "Leaderboard" }), el("ol", {}, ...board.map((r) => el("li", { text: `${r.name} — ${r.goals_met}/${r.goals} goals` }))));
}

// Shocks and controls first, then deals, then the teams' own shortages.
function rank(event) {
  if (["disruption", "discovery", "demand_shock", "control_imposed", "control_lifted", "control_eased"].includes(event.kind)) return 0;
  if (event.kind.startsWith("deal")) return 1;
  return 2;
}

start();
