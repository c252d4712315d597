// The instructor's page: the room at a glance and every control of the session.
"use strict";

import { $, Countdown, Room, el, fill, fillKeyed, fillOptions, remember, remembered } from "./room.js";

export const KEY = "critmin-instructor";
const page = { room: null, status: null, asking: false };

function start() {
  $("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    join($("code").value.trim());
  });
  page.countdown = new Countdown($("timer"));
  for (const button of document.querySelectorAll("button[data-command]")) button.addEventListener("click", () => run(button.dataset.command));
  $("advance").addEventListener("click", () => run("advance", { turn: page.status.turn }));
  $("extend").addEventListener("click", () => run("extend", { seconds: Number($("extend-seconds").value) }));
  $("rollback").addEventListener("click", () => run("rollback", { turn: Number($("rollback-turn").value) }));
  $("mute").addEventListener("click", () => run(page.status.muted ? "unmute" : "mute"));
  $("leaderboard").addEventListener("click", () => run(page.status.leaderboard ? "hide_leaderboard" : "show_leaderboard"));
  $("inject").addEventListener("click", () => run("inject", { event: $("inject-pick").value }));
  $("inject-custom").addEventListener("click", () => run("inject", { event: $("inject-json").value }));
  $("withdraw").addEventListener("click", () => run("withdraw", { event: $("withdraw-pick").value }));
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (page.room.send({ type: "chat", to: $("chat-to").value, text: $("chat-text").value.trim() })) $("chat-text").value = "";
  });
  const saved = remembered(KEY);
  if (saved) join(saved.code);
}

function join(code) {
  if (!code) return;
  $("join-button").disabled = true;
  page.room = new Room({
    code,
    name: "instructor",
    label: "browser-instructor",
    snapshot: false,
    on: {
      welcome: onWelcome,
      progress: refresh,
      state: refresh,
      chat_message: addMessage,
      error: (e) => result(false, e.reason),
      link: (status) => {
        $("link").textContent = status;
        $("link").className = "link " + status;
      },
      refused: (reason) => {
        remember(KEY, null);
        $("room").hidden = true;
        $("join").hidden = false;
        $("join-button").disabled = false;
        $("join-error").textContent = reason;
      },
    },
  });
  page.room.connect();
}

function onWelcome(welcome) {
  if (welcome.role !== "instructor") {
    page.room.close();
    $("join-button").disabled = false;
    $("join-error").textContent = "This is a team's code: students open the main page.";
    return;
  }
  remember(KEY, { code: page.room.code });
  $("projector-link").href = "/projector#code=" + encodeURIComponent(page.room.code); // the hash never leaves the browser
  $("join").hidden = true;
  $("room").hidden = false;
  $("title").textContent = welcome.session.title;
  const names = welcome.session.team_names;
  fillOptions($("chat-to"), [{ value: "all", text: "everyone" }, ...welcome.session.teams.map((t) => ({ value: t, text: `${names[t]} (${t})` }))]);
  const pack = welcome.pack;
  fillOptions($("inject-pick"), (pack ? pack.injects : []).map((i) => ({ value: i.id, text: i.title })));
  $("inject").disabled = !pack || !pack.injects.length;
  drawAgenda(pack);
  fill($("messages"));
  for (const message of welcome.chat) addMessage(message);
  refresh();
}

// Every change in the room (a join, a submission, a tick of the phase) asks for the status.
async function refresh() {
  if (page.asking) {
    page.again = true;
    return;
  }
  page.asking = true;
  try {
    do {
      page.again = false;
      const answer = await page.room.command("status");
      draw(answer.status);
    } while (page.again);
  } catch (error) {
    result(false, error.message);
  } finally {
    page.asking = false;
  }
}

async function run(command, fields = {}) {
  try {
    const answer = await page.room.command(command, fields);
    result(answer.ok, answer.detail);
    draw(answer.status);
  } catch (error) {
    result(false, error.message);
  }
}

function result(ok, detail) {
  $("result").textContent = (ok ? "" : "Refused: ") + detail;
  $("result").className = "result " + (ok ? "ok" : "refused");
}

function draw(status) {
  page.status = status;
  $("turn").textContent = `turn ${status.turn + 1}/${status.turns_total} · ${status.date}`;
  $("phase").textContent = status.phase;
  $("phase").className = "phase " + status.phase;
  page.countdown.set(status.deadline_in, status.phase === "open");
  $("start").disabled = status.phase !== "lobby";
  $("pause").disabled = status.phase !== "open";
  $("resume").disabled = status.phase !== "paused";
  $("advance").disabled = !["open", "paused"].includes(status.phase);
  $("mute").textContent = status.muted ? "Unmute chat" : "Mute chat";
  $("leaderboard").textContent = status.leaderboard ? "Hide leaderboard" : "Show leaderboard";
  fillOptions($("rollback-turn"), Array.from({ length: status.resolved_turns }, (_, t) => ({ value: String(t), text: `to turn ${t + 1}` })));
  $("rollback").disabled = !status.resolved_turns;
  $("injected").textContent = status.injected.length ? status.injected.join("; ") : "none";
  fillOptions($("withdraw-pick"), status.injected.map((title) => ({ value: title, text: title })));
  $("withdraw").disabled = !status.injected.length;
  fillKeyed($("teams"), status.teams, teamRow);
  const board = page.room.progress && page.room.progress.leaderboard;
  fill($("leaderboard-view"), ...(board ? [el("h2", { text: "Leaderboard (shown to the class)" }), el("ol", {}, ...board.map((r) => el("li", { text: `${r.name}: ${r.goals_met}/${r.goals} goals, supply ${r.security === null ? "–" : Math.round(r.security * 100) + "%"}` })))] : []));
}

function teamRow(team) {
  const orders = team.submitted ? `in${team.submitted_by ? " (" + team.submitted_by + ")" : ""}` : team.seat === "ai" ? "AI plays" : "waiting";
  const people = team.connected ? `${team.connected} connected${team.people.length ? ": " + team.people.join(", ") : ""}` : "away";
  return el("tr", { "data-team": team.team, class: team.submitted ? "in" : team.seat === "ai" ? "ai" : "waiting" },
    el("td", { text: `${team.team} ${team.name}` }),
    el("td", { class: "people", text: people }),
    el("td", { class: "orders", text: orders }),
    el("td", {}, team.seat === "ai"
      ? el("button", { class: "restore", text: "Give back to students", onclick: () => run("restore", { team: team.team }) })
      : el("button", { class: "replace", text: "AI plays", onclick: () => run("replace", { team: team.team }) })),
    el("td", {}, el("button", { class: "revoke", text: "New code", onclick: () => {
      if (confirm(`Revoke ${team.team}'s code? Its students must join again with the new one.`)) run("revoke", { team: team.team });
    } })));
}

function addMessage(m) {
  const from = m.sender === "instructor" ? "You" : `${m.name || "someone"} (${m.sender})`;
  const list = $("messages");
  list.append(el("li", { class: m.to === "all" ? "public" : "private" }, el("b", { text: from }), el("span", { text: ` → ${m.to}: ` }), el("span", { class: "text", text: m.text })));
  list.scrollTop = list.scrollHeight;
}

function drawAgenda(pack) {
  if (!pack) return;
  let at = 0;
  fill($("agenda"), el("tr", {}, el("th", { text: "from" }), el("th", { text: "min" }), el("th", { text: "activity" })),
    ...pack.agenda.map((a) => {
      const row = el("tr", {}, el("td", { text: `${at}'` }), el("td", { text: String(a.minutes) }), el("td", { text: a.activity, title: a.notes }));
      at += a.minutes;
      return row;
    }));
  fill($("rubric"), el("tr", {}, ...["criterion", "weight", "strong", "weak", "evidence"].map((h) => el("th", { text: h }))),
    ...pack.rubric.map((c) => el("tr", {}, el("td", { text: c.criterion }), el("td", { text: `${Math.round(c.weight * 100)}%` }),
      el("td", { text: c.strong }), el("td", { text: c.weak }), el("td", { text: c.evidence }))));
}

start();
