// The student's page: join with the team code and a name, then play the team's country.
"use strict";

import { $, Countdown, Room, describe, el, fill, fillOptions, number, remember, remembered, words } from "./room.js";
import { WorldMap } from "./map.js";

const KEY = "critmin-student";
const HEADLINE_KINDS = new Set(["control_imposed", "control_lifted", "control_eased", "disruption", "discovery", "demand_shock", "deal_signed", "deal_breached", "shortage", "action"]);

const page = {
  room: null,
  map: null,
  draft: [], // actions being prepared: plain objects, edited in place
  verdicts: [], // the last check's or acknowledgement's verdict per draft action
  legal: [],
  lastTreasury: null,
  previous: null, // the observation of the turn before, for the turn report
  unread: 0,
};

// --- joining --------------------------------------------------------------------------------

function start() {
  $("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    join($("code").value.trim(), $("name").value.trim());
  });
  for (const button of $("tabs").querySelectorAll("button")) button.addEventListener("click", () => show(button.dataset.tab));
  $("check").addEventListener("click", check);
  $("send").addEventListener("click", send);
  $("menu-filter").addEventListener("input", drawMenu);
  $("chat-form").addEventListener("submit", chat);
  $("deal-form").addEventListener("submit", proposeDeal);
  page.countdown = new Countdown($("timer"));
  const saved = remembered(KEY);
  if (saved) join(saved.code, saved.name);
}

function join(code, name) {
  if (!code || !name) return;
  $("join-error").textContent = "";
  $("join-button").disabled = true;
  page.room = new Room({
    code,
    name,
    label: "browser",
    on: {
      welcome: onWelcome,
      state: onState,
      progress: onProgress,
      ack: onAck,
      verdicts: onVerdicts,
      error: onError,
      chat_message: (m) => addMessage(m, true),
      link: (status) => {
        $("link").textContent = status;
        $("link").className = "link " + status;
      },
      refused: (reason) => {
        remember(KEY, null);
        $("game").hidden = true;
        $("join").hidden = false;
        $("join-button").disabled = false;
        $("join-error").textContent = reason;
      },
    },
  });
  page.room.connect();
}

function onWelcome(welcome) {
  if (welcome.role !== "team") {
    page.room.close();
    $("join-error").textContent = "This is the instructor's code: open /instructor instead.";
    $("join-button").disabled = false;
    return;
  }
  remember(KEY, { code: page.room.code, name: page.room.name });
  $("join").hidden = true;
  $("game").hidden = false;
  const firm = welcome.firm;
  document.title = `critmin — ${welcome.session.team_names[welcome.team]}`;
  $("country").textContent = firm ? `${firm.name}, a state firm of ${firm.country}` : `${welcome.session.team_names[welcome.team]} (${welcome.team})`;
  $("who").textContent = welcome.name;
  if (!page.map) page.map = new WorldMap($("map"), welcome.world, firm ? firm.country : welcome.team);
  fillOptions($("chat-to"), [{ value: "all", text: "everyone" }, { value: "instructor", text: "the instructor" },
    ...welcome.session.teams.filter((t) => t !== welcome.team).map((t) => ({ value: t, text: `${welcome.session.team_names[t]} (${t})` }))]);
  fill($("messages"));
  for (const message of welcome.chat) addMessage(message, false);
  $("deals-tab").hidden = Boolean(firm); // a firm seat's orders are stakes and investments
  fillOptions($("deal-partner"), welcome.world.countries.filter((c) => c.iso3 !== welcome.team && c.iso3 !== "ROW")
    .map((c) => ({ value: c.iso3, text: `${c.name} (${c.iso3})` })));
  drawRole(welcome);
}

// --- the state of the turn ------------------------------------------------------------------

function onState(state) {
  const observation = state.observation;
  page.legal = state.legal || [];
  const newTurn = page.previous && observation && page.previous.turn !== observation.turn;
  if (newTurn) {
    drawReport(state, page.previous, observation);
    page.draft = [];
    page.verdicts = [];
    $("orders-result").textContent = "";
    notice(`Turn ${state.turn + 1} is open (${state.date}): read the turn report.`);
  }
  page.previous = observation;
  page.playedDate = state.date; // the date of this turn once it is played
  $("turn").textContent = `turn ${state.turn + 1}/${state.turns_total} · ${state.date}`;
  drawPhase();
  if (page.room.welcome.firm) drawFirmDashboard(observation);
  else {
    drawDashboard(observation);
    drawDeals(observation);
  }
  drawStanding(state.orders);
  drawDraft();
  drawMenu();
  if (page.map) page.map.ready.then(() => page.map.showFlows(state.snapshot));
  drawChips();
  if (!$("tab-report").childElementCount) drawReport(state, null, observation);
}

function onProgress(progress) {
  drawPhase();
  drawChips();
  const board = $("leaderboard");
  board.hidden = !progress.leaderboard;
  if (progress.leaderboard) drawLeaderboard(board, progress.leaderboard);
}

function drawPhase() {
  const room = page.room;
  const phase = room.phase;
  const latest = room.progress && room.state && room.progress.turn === room.state.turn ? room.progress : room.state;
  $("phase").textContent = phase;
  $("phase").className = "phase " + phase;
  page.countdown.set(latest ? latest.deadline_in : null, phase === "open");
  const muted = latest && latest.muted;
  $("chat-send").disabled = false;
  $("chat-text").placeholder = muted ? "chat paused by the instructor (messages to the instructor still go)" : "message";
  const canOrder = phase === "open" || phase === "paused";
  $("send").disabled = !canOrder;
}

function drawChips() {
  const room = page.room;
  if (!room.welcome) return;
  const submitted = room.submitted;
  const seats = (room.progress || room.state || {}).seats || {};
  fill($("submitted"), ...room.welcome.session.teams.map((t) =>
    el("span", { class: "chip " + (submitted.includes(t) ? "in" : seats[t] === "ai" ? "ai" : "waiting"), text: `${t} ${submitted.includes(t) ? "✓" : seats[t] === "ai" ? "AI" : "…"}` })));
  if (page.map) page.map.ready.then(() => page.map.mark("submitted", submitted));
}

function drawDashboard(o) {
  const tab = $("tab-dashboard");
  if (!o) return fill(tab, el("p", { text: "Waiting for the state of the world…" }));
  const change = page.lastTreasury === null ? "" : ` (${o.treasury_usd_m >= page.lastTreasury ? "+" : ""}${number(o.treasury_usd_m - page.lastTreasury)})`;
  fill(tab,
    el("div", { class: "figures" },
      el("div", { class: "figure" }, el("b", { id: "treasury", text: `USD ${number(o.treasury_usd_m)} m` }), el("span", { text: "treasury" + change })),
      el("div", { class: "figure" }, el("b", { text: `USD ${number(o.budget_per_turn_usd_m)} m` }), el("span", { text: "budget per turn" })),
      el("div", { class: "figure" }, el("b", { text: String(o.deals.length) }), el("span", { text: "deals" }))),
    linesTable(o.minerals, o.turn),
    o.inbox.length ? el("h3", { text: "Proposals to you" }) : null,
    o.inbox.length ? el("ul", {}, ...o.inbox.map((item) => el("li", { text: item.detail || describe(item.action || item) }))) : null);
  page.lastTreasury = o.treasury_usd_m;
}

// A country's lines (a firm's: its country's), those it uses, makes, imports or stocks. Before the
// first quarter is played there is no quarter's demand, use, shortage or imports yet: a dash, not 0.
function linesTable(minerals, turn) {
  const played = turn > 0;
  const quarter = (value) => (played ? number(value, 0) : "—");
  const rows = minerals.filter((m) => m.demand > 0 || m.capacity > 0 || m.imports > 0 || m.stockpile > 0);
  return el("div", {},
    played ? null : el("p", { class: "hint", id: "lines-note", text: "No quarter played yet: demand, use, shortages and imports appear once the first turn is played." }),
    el("table", { class: "lines" },
      el("thead", {}, el("tr", {}, ...["line", "price $/kg", "world $/kg", "demand t", "used t", "shortage t", "imports t", "stockpile t"].map((h) => el("th", { text: h })))),
      el("tbody", {}, ...rows.map((m) => el("tr", { class: m.shortage >= 0.5 ? "short" : "" },
        el("td", { text: `${words(m.mineral)} ${m.stage}` }), el("td", { text: number(m.price_usd_per_kg) }), el("td", { text: number(m.world_price_usd_per_kg) }),
        el("td", { text: quarter(m.demand) }), el("td", { text: quarter(m.consumption) }), el("td", { text: quarter(m.shortage) }),
        el("td", { text: quarter(m.imports) }), el("td", { text: number(m.stockpile, 0) }))))));
}

// A firm seat's dashboard: its cash and mandate, what it holds, its analysts' advice, its country's lines, its record.
function drawFirmDashboard(o) {
  const tab = $("tab-dashboard");
  if (!o) return fill(tab, el("p", { text: "Waiting for the state of the world…" }));
  fill(tab,
    el("div", { class: "figures" },
      el("div", { class: "figure" }, el("b", { id: "cash", text: `USD ${number(o.cash_usd_m)} m` }), el("span", { text: "the firm's cash" })),
      el("div", { class: "figure" }, el("b", { text: `USD ${number(o.earnings_usd_m, 2)} m` }), el("span", { text: "earned last turn" })),
      el("div", { class: "figure" }, el("b", { text: words(o.mandate) }), el("span", { text: "mandate" }))),
    el("h3", { text: "What the firm holds" }),
    o.holdings.length
      ? el("table", { class: "holdings" },
        el("thead", {}, el("tr", {}, ...["line", "share", "line's output t", "line's capacity t"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...o.holdings.map((h) => el("tr", {}, el("td", { text: `${h.country} ${words(h.mineral)} ${h.stage}` }),
          el("td", { text: `${number(h.share * 100, 2)}%` }), el("td", { text: number(h.production_tonnes, 0) }), el("td", { text: number(h.capacity_tonnes, 0) })))))
      : el("p", { text: "No producing line yet: buy a stake abroad or expand a line the firm owns." }),
    el("h3", { text: "The firm's analysts advise" }),
    o.advice.length ? el("ul", { class: "advice" }, ...o.advice.map((a) => el("li", { text: describe(a) }))) : el("p", { text: "Nothing this turn." }),
    el("h3", { text: `${o.country}'s lines` }),
    linesTable(o.home_lines, o.turn),
    o.record.length ? el("h3", { text: "The firm's record" }) : null,
    o.record.length ? el("ul", { class: "record" }, ...o.record.slice(-8).map((e) => el("li", { text: e.detail }))) : null);
}

function drawReport(state, before, now) {
  const tab = $("tab-report");
  const events = (state.snapshot ? state.snapshot.events : []).filter((e) => e.turn === state.turn - 1);
  const teams = page.room.welcome.session.teams;
  const headlines = events.filter((e) => HEADLINE_KINDS.has(e.kind) && (e.kind !== "shortage" || teams.includes(e.actor)));
  const played = before ? ` (${page.playedDate})` : "";
  const parts = [el("h2", { text: state.turn ? `What happened in turn ${state.turn}${played}` : "Before the first turn" })];
  if (before && now) {
    const firm = Boolean(page.room.welcome.firm);
    const [was, is] = firm ? [before.cash_usd_m, now.cash_usd_m] : [before.treasury_usd_m, now.treasury_usd_m];
    parts.push(el("p", { text: `${firm ? "The firm's cash" : "Treasury"} ${is - was >= 0 ? "rose" : "fell"} by USD ${number(Math.abs(is - was))} m to USD ${number(is)} m.` }));
    const shortages = (firm ? now.home_lines : now.minerals).filter((m) => m.shortage >= 0.5);
    parts.push(el("p", { text: shortages.length ? "Shortages: " + shortages.map((m) => `${words(m.mineral)} ${m.stage} ${number(m.shortage, 0)} t`).join(", ") : "No shortages." }));
  }
  if (state.last_defaulted && state.last_defaulted.includes(page.room.welcome.team)) parts.push(el("p", { class: "warn", text: "Your country got default orders last turn (the AI played it)." }));
  parts.push(el("h3", { text: "Headlines" }));
  parts.push(headlines.length ? el("ul", { class: "headlines" }, ...headlines.map((e) => el("li", { text: e.detail }))) : el("p", { text: "No headline events." }));
  const news = now ? now.news.filter((n) => n.turn === state.turn - 1) : [];
  if (news.length) parts.push(el("h3", { text: "Your news" }), el("ul", {}, ...news.map((n) => el("li", { text: n.detail || JSON.stringify(n) }))));
  fill(tab, ...parts);
}

function drawRole(welcome) {
  const card = welcome.role_card;
  const tab = $("tab-role");
  if (!card) return fill(tab, el("p", { text: "No role card in this session." }));
  fill(tab, el("h2", { text: card.title }), el("p", { class: "briefing", text: card.briefing }),
    el("h3", { text: "Objectives" }), el("ul", {}, ...card.objectives.map((o) => el("li", { text: o }))),
    ...card.roles.flatMap((role) => [
      el("h3", { text: role.title }), el("p", { text: role.brief }),
      role.private.length ? el("p", { class: "private", text: "Private: " + role.private.join(" ") }) : null,
      role.goals.length ? el("ul", { class: "goals" }, ...role.goals.map((g) => el("li", { text: g.text }))) : null,
    ]));
}

function drawLeaderboard(node, rows) {
  fill(node, el("h3", { text: "Leaderboard" }), el("table", {},
    el("thead", {}, el("tr", {}, ...["#", "team", "goals met", "supply security"].map((h) => el("th", { text: h })))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, el("td", { text: String(r.rank) }), el("td", { text: r.name }),
      el("td", { text: `${r.goals_met}/${r.goals}` }), el("td", { text: r.security === null ? "–" : `${Math.round(r.security * 100)}%` }))))));
}

// --- orders ---------------------------------------------------------------------------------

function drawMenu() {
  const filter = $("menu-filter").value.trim().toLowerCase();
  const items = page.legal.filter((a) => !filter || describe(a).toLowerCase().includes(filter)).slice(0, 200);
  fill($("menu"), ...items.map((action) => el("li", {},
    el("button", { class: "add", text: "Add", onclick: () => { page.draft.push(structuredClone(action)); page.verdicts = []; drawDraft(); } }),
    el("span", { text: describe(action) }))));
}

function drawDraft() {
  const list = $("draft");
  if (!page.draft.length) return fill(list, el("li", { class: "empty", text: "No orders yet: add some from the list below (sending none leaves your country to its AI doctrine)." }));
  fill(list, ...page.draft.map((action, index) => {
    const verdict = page.verdicts[index];
    const fields = Object.entries(action).filter(([k]) => k !== "type" && k !== "country").map(([key, value]) => {
      if (typeof value === "number" || value === null) {
        return el("label", { class: "field" }, words(key) + " ", el("input", { type: "number", step: "any", value: value === null ? "" : String(value), "data-key": key,
          oninput: (e) => { action[key] = e.target.value === "" ? null : Number(e.target.value); page.verdicts = []; markVerdicts(); } }));
      }
      return el("span", { class: "field", text: typeof value === "object" ? `${words(key)} ${JSON.stringify(value)}` : `${words(key)} ${value}` });
    });
    return el("li", { class: "order" + (verdict ? " refused" : verdict === null ? " accepted" : "") },
      el("b", { text: words(action.type) }), ...fields,
      el("button", { class: "remove", text: "Remove", onclick: () => { page.draft.splice(index, 1); page.verdicts = []; drawDraft(); } }),
      el("div", { class: "verdict", text: verdict ? "Refused: " + verdict : verdict === null ? "OK" : "" }));
  }));
}

function markVerdicts() {
  const items = $("draft").querySelectorAll("li.order");
  items.forEach((item, i) => {
    const verdict = page.verdicts[i];
    item.classList.toggle("refused", Boolean(verdict));
    item.classList.toggle("accepted", verdict === null);
    item.querySelector(".verdict").textContent = verdict ? "Refused: " + verdict : verdict === null ? "OK" : "";
  });
}

function check() {
  page.room.send({ type: "check", actions: page.draft, ref: "draft" });
}

function onVerdicts(message) {
  if (message.ref === "deal") return onDealVerdict(message.verdicts[0]);
  if (message.ref !== "draft") return;
  page.verdicts = message.verdicts;
  markVerdicts();
  const refused = message.verdicts.filter(Boolean).length;
  $("orders-result").textContent = refused ? `${refused} of ${message.verdicts.length} orders would be refused: see the reasons above.` : "Every order would be accepted.";
}

function send() {
  const id = page.room.submit(page.draft, $("reasoning").value.trim());
  page.sent = id;
  $("orders-result").textContent = page.room.open ? "Sending…" : "Not connected: your orders will be sent when the connection is back.";
}

function onAck(ack) {
  const mine = ack.submission_id === page.sent;
  if (mine) {
    page.verdicts = ack.verdicts;
    markVerdicts();
    const refused = ack.verdicts.filter(Boolean).length;
    $("orders-result").textContent = `Orders received by the server: ${ack.accepted} accepted` + (refused ? `, ${refused} refused (reasons above).` : ".");
  }
  if (ack.turn === page.room.state.turn) drawStanding({ submission_id: ack.submission_id, actions: ack.actions, name: ack.name, reasoning: ack.reasoning });
}

function drawStanding(orders) {
  const node = $("standing");
  if (!orders) return fill(node, el("p", { text: "Your team has sent no orders for this turn yet." }));
  fill(node, el("p", { class: "ok", "data-submission": orders.submission_id,
    text: `Standing orders (${orders.actions.length}) sent by ${orders.name || "your team"}` + (orders.reasoning ? ` — “${orders.reasoning}”` : "") }),
  el("ul", {}, ...orders.actions.map((a) => el("li", { text: describe(a) }))));
}

function onError(error) {
  if (error.ref && error.ref.startsWith(page.room.welcome?.team || "?")) $("orders-result").textContent = "Refused: " + error.reason;
  else if (error.code === "forbidden" || error.code === "unknown") $("chat-error").textContent = error.reason;
  else notice(error.reason);
}

// --- deals: propose, answer and break, each checked by the server before it joins the orders -----

const DEAL_EVENTS = new Set(["deal_proposed", "deal_signed", "deal_rejected", "deal_breached", "deal_expired", "deal_broken"]);

function drawDeals(o) {
  if (!o) return;
  const team = page.room.welcome.team;
  $("proposals").textContent = o.inbox.length ? `(${o.inbox.length})` : "";
  fillOptions($("deal-line"), o.minerals.map((m) => ({ value: `${m.mineral}/${m.stage}`, text: `${words(m.mineral)} ${m.stage}` })));
  fill($("deal-inbox"), el("h3", { text: "Proposals to you" }),
    o.inbox.length ? el("ul", { class: "proposals inbox" }, ...o.inbox.map((p) => el("li", { "data-proposal": p.id },
      el("span", { text: `${p.id}: ${offerWords(p.offer, team)}` }),
      el("button", { class: "accept", text: "Accept", onclick: () => checkDeal({ type: "answer_deal", country: team, proposal_id: p.id, accept: true }) }),
      el("button", { class: "reject", text: "Reject", onclick: () => checkDeal({ type: "answer_deal", country: team, proposal_id: p.id, accept: false }) }))))
      : el("p", { class: "empty", text: "No proposal is waiting for your answer." }));
  fill($("deal-outbox"), ...(o.outbox.length ? [el("h3", { text: "Your proposals, waiting for an answer" }),
    el("ul", { class: "proposals outbox" }, ...o.outbox.map((p) => el("li", { text: `${p.id}: ${offerWords(p.offer, team)}` })))] : []));
  fill($("deal-book"), el("h3", { text: "Deals in force" }),
    o.deals.length ? el("ul", { class: "book" }, ...o.deals.map((d) => el("li", { "data-deal": d.id },
      el("span", { text: dealWords(d) }),
      d.kind === "equity" ? null : el("button", { class: "break", text: "Break", onclick: () => checkDeal({ type: "break_deal", country: team, deal_id: d.id }) }))))
      : el("p", { class: "empty", text: "No deal in force." }));
  const log = o.diplomacy.filter((e) => DEAL_EVENTS.has(e.kind)).slice(-10);
  fill($("deal-log"), ...(log.length ? [el("h3", { text: "What happened to proposals" }), el("ul", {}, ...log.map((e) => el("li", { text: `turn ${e.turn + 1}: ${e.detail}` })))] : []));
}

// A proposal in words, from the point of view of `team`.
function offerWords(offer, team) {
  const price = offer.price_rule === "index" ? "at the market price" : `${offer.price_rule} price USD ${number(offer.price_usd_per_kg)}/kg`;
  const who = offer.country === team ? `to ${offer.counterparty}: you ${offer.buyer === team ? "buy" : "sell"}` : `from ${offer.country}: you ${offer.buyer === team ? "buy" : "sell"}`;
  return `${words(offer.kind)} ${who} ${number(offer.tonnes_per_year, 0)} t a year of ${words(offer.mineral)} ${offer.stage}, ${price}, for ${offer.duration_turns} turns` +
    (offer.take_or_pay ? `, take or pay ${Math.round(offer.take_or_pay * 100)}%` : "") + (offer.breach_penalty_usd_m ? `, penalty USD ${number(offer.breach_penalty_usd_m)} m` : "");
}

function dealWords(deal) {
  const what = deal.kind === "equity" ? `${number(deal.share * 100, 2)}% of ${deal.seller}'s ${words(deal.mineral)} ${deal.stage}` : `${deal.seller} → ${deal.buyer}, ${number(deal.tonnes_per_turn, 0)} t a turn of ${words(deal.mineral)} ${deal.stage}`;
  return `${deal.id} ${words(deal.kind)}: ${what}`;
}

function proposeDeal(event) {
  event.preventDefault();
  const team = page.room.welcome.team;
  const partner = $("deal-partner").value;
  const [mineral, stage] = $("deal-line").value.split("/");
  const buying = $("deal-side").value === "buy";
  const price = $("deal-price").value.trim();
  checkDeal({
    type: "propose_deal", country: team, counterparty: partner, kind: $("deal-kind").value,
    seller: buying ? partner : team, buyer: buying ? team : partner, mineral, stage,
    tonnes_per_year: Number($("deal-tonnes").value), price_rule: $("deal-rule").value,
    price_usd_per_kg: price === "" ? null : Number(price), duration_turns: Number($("deal-turns").value),
    take_or_pay: Number($("deal-take-or-pay").value || 0), breach_penalty_usd_m: Number($("deal-penalty").value || 0),
  });
}

// The server checks a deal order as it checks any order; only an accepted one joins the draft.
function checkDeal(action) {
  page.dealAction = action;
  $("deal-result").className = "result";
  $("deal-result").textContent = page.room.send({ type: "check", actions: [action], ref: "deal" }) ? "Checking…" : "Not connected: try again in a moment.";
}

function onDealVerdict(verdict) {
  const action = page.dealAction;
  if (!action) return;
  page.dealAction = null;
  const result = $("deal-result");
  if (verdict) {
    result.className = "result refused";
    result.textContent = "Refused: " + verdict;
    return;
  }
  page.draft.push(action);
  page.verdicts = [];
  drawDraft();
  result.className = "result ok";
  result.textContent = `Added to your orders: ${describe(action)}. Send them from the Orders tab before the turn ends.`;
}

// --- chat -----------------------------------------------------------------------------------

function chat(event) {
  event.preventDefault();
  const text = $("chat-text").value.trim();
  if (!text) return;
  $("chat-error").textContent = "";
  if (page.room.send({ type: "chat", to: $("chat-to").value, text })) $("chat-text").value = "";
  else $("chat-error").textContent = "Not connected: try again in a moment.";
}

function addMessage(m, fresh) {
  const names = page.room.welcome.session.team_names;
  const from = m.sender === "instructor" ? "Instructor" : `${m.name || "someone"} (${m.sender})`;
  const to = m.to === "all" ? "everyone" : m.to === "instructor" ? "the instructor" : names[m.to] || m.to;
  const list = $("messages");
  list.append(el("li", { class: m.to === "all" ? "public" : "private" }, el("b", { text: from }), el("span", { text: ` to ${to}: ` }), el("span", { class: "text", text: m.text })));
  list.scrollTop = list.scrollHeight;
  if (fresh && $("tab-chat").hidden) {
    page.unread += 1;
    $("unread").textContent = `(${page.unread})`;
  }
}

// --- helpers --------------------------------------------------------------------------------

function show(tab) {
  for (const button of $("tabs").querySelectorAll("button")) button.classList.toggle("active", button.dataset.tab === tab);
  for (const name of ["dashboard", "orders", "deals", "chat", "report", "role"]) $("tab-" + name).hidden = name !== tab;
  if (tab === "chat") {
    page.unread = 0;
    $("unread").textContent = "";
  }
}

function notice(text) {
  $("notice").textContent = text;
}

start();
