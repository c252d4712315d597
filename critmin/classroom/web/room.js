// critmin classroom: the connection every page shares (plain JavaScript, no library, no build step).
//
// A Room speaks the session server's websocket protocol (critmin/classroom/protocol.py): it says
// hello with the join code and the person's name, inflates compressed states (binary frames of
// zlib JSON, with the browser's DecompressionStream), keeps messages in order, reconnects by itself
// when the link drops, and keeps orders not yet acknowledged in localStorage so that they are sent
// again, under the same submission id, after a reconnect or a reload: the server counts them once.
"use strict";

const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 3000];
const POLICY_VIOLATION = 1008;

export class Room {
  constructor({ code, name, label, snapshot = true, on = {} }) {
    this.code = code;
    this.name = name || "";
    this.label = label;
    this.snapshot = snapshot;
    this.on = on;
    this.ws = null;
    this.welcome = null;
    this.state = null;
    this.progress = null;
    this.attempt = 0;
    this.closed = false;
    this.queue = Promise.resolve();
    this.requests = new Map();
  }

  get pendingKey() {
    return "critmin-pending-" + this.code.replace(/[^A-Za-z0-9]/g, "").toUpperCase();
  }

  pending() {
    try {
      return JSON.parse(localStorage.getItem(this.pendingKey) || "{}");
    } catch {
      return {};
    }
  }

  setPending(all) {
    localStorage.setItem(this.pendingKey, JSON.stringify(all));
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + "/ws");
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.emit("link", "connecting");
    ws.onopen = () => {
      // a page's view: flows and the turn's events, the team's dashboard (critmin/classroom/page_view.py)
      const hello = { type: "hello", code: this.code, snapshot: this.snapshot, figures: false, client: this.label, name: this.name };
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (event) => {
      this.queue = this.queue.then(() => decode(event.data)).then((m) => this.receive(m)).catch((e) => console.error(e));
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const [, waiting] of this.requests) waiting.reject(new Error("the connection was lost"));
      this.requests.clear();
      if (this.closed) return;
      if (event.code === POLICY_VIOLATION) {
        this.closed = true;
        this.emit("refused", event.reason || "the server refused this join code");
        return;
      }
      this.emit("link", "reconnecting");
      const delay = RETRY_DELAYS_MS[Math.min(this.attempt, RETRY_DELAYS_MS.length - 1)];
      this.attempt += 1;
      setTimeout(() => this.connect(), delay);
    };
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
  }

  receive(message) {
    switch (message.type) {
      case "welcome":
        this.welcome = message;
        this.attempt = 0;
        this.emit("link", "connected");
        for (const submission of Object.values(this.pending())) this.send(submission);
        break;
      case "state":
        this.state = message;
        this.progress = null;
        break;
      case "progress":
        this.progress = message;
        break;
      case "ack":
        this.forget(message.submission_id);
        break;
      case "error":
        if (message.code === "auth") {
          this.closed = true;
          this.emit("refused", message.reason);
        }
        if (message.code === "stale") this.forget(message.ref);
        break;
      case "command_result": {
        const waiting = this.requests.get(message.request_id);
        if (waiting) {
          this.requests.delete(message.request_id);
          waiting.resolve(message);
        }
        break;
      }
    }
    this.emit(message.type, message);
  }

  forget(submissionId) {
    const all = this.pending();
    if (submissionId in all) {
      delete all[submissionId];
      this.setPending(all);
    }
  }

  // Whether a message sent now goes out (not while a reconnect is still connecting).
  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  send(message) {
    if (this.open) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  // Orders for the open turn: kept until acknowledged, resent on every (re)join.
  submit(actions, reasoning) {
    const team = this.welcome.team;
    const turn = this.state.turn;
    const id = `${team}-t${turn}-${randomHex(5)}`;
    const submission = { type: "submit", turn, submission_id: id, actions, reasoning };
    const all = this.pending();
    all[id] = submission;
    this.setPending(all);
    this.send(submission);
    return id;
  }

  command(command, fields = {}) {
    const request_id = randomHex(6);
    return new Promise((resolve, reject) => {
      if (!this.send({ type: "command", command, request_id, ...fields })) {
        reject(new Error("not connected: try again in a moment"));
        return;
      }
      this.requests.set(request_id, { resolve, reject });
    });
  }

  emit(kind, value) {
    const handler = this.on[kind];
    if (handler) handler(value, this);
    if (this.on.any) this.on.any(kind, value, this);
  }

  // What the room knows now: the latest State, updated by Progress of the same turn.
  get phase() {
    const p = this.progress;
    return p && this.state && p.turn === this.state.turn ? p.phase : this.state ? this.state.phase : "lobby";
  }

  get submitted() {
    const p = this.progress;
    return p && this.state && p.turn === this.state.turn ? p.submitted : this.state ? this.state.submitted : [];
  }
}

async function decode(data) {
  let text = data;
  if (data instanceof ArrayBuffer) {
    const bytes = new Uint8Array(data);
    text = bytes[0] === 0x7b ? new TextDecoder().decode(bytes) : await inflate(data);
  }
  return JSON.parse(text);
}

async function inflate(buffer) {
  const stream = new Blob([buffer]).stream().pipeThrough(new DecompressionStream("deflate"));
  return await new Response(stream).text();
}

export function randomHex(bytes) {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (v) => v.toString(16).padStart(2, "0")).join("");
}

// --- small DOM helpers (text only: nothing from the network is ever parsed as HTML) ----------

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

export function $(id) {
  return document.getElementById(id);
}

export function fill(node, ...children) {
  node.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// Fill a list with one child per item, keeping the children whose item has not changed, so a
// click that lands while an update redraws the list is not lost to a fresh copy of its button.
// A list that has not changed at all is left alone.
export function fillKeyed(node, items, make) {
  const kept = new Map(Array.from(node.children, (child) => [child.dataset.key, child]));
  const children = items.map((item) => {
    const key = JSON.stringify(item);
    if (kept.has(key)) return kept.get(key);
    const made = make(item);
    made.dataset.key = key;
    return made;
  });
  if (children.length === node.children.length && children.every((child, i) => child === node.children[i])) return node;
  return fill(node, ...children);
}

// Fill a select with options ({value, text}), keeping the person's choice while it is still
// offered: an update that lands while they choose must not change what their next click sends.
export function fillOptions(select, options) {
  const chosen = select.value;
  fillKeyed(select, options, (option) => el("option", option));
  if (options.some((option) => option.value === chosen)) select.value = chosen;
  return select;
}

export function number(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Number(value).toLocaleString("en", { maximumFractionDigits: digits });
}

export function words(key) {
  return String(key).replace(/usd_m$/, "USD m").replace(/_/g, " ");
}

// A short description of an action, e.g. "invest · ree_heavy mine · tonnes per year 46".
export function describe(action) {
  const skip = new Set(["type", "country"]);
  const parts = Object.entries(action)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => (typeof v === "number" ? `${words(k)} ${number(v, 3)}` : typeof v === "object" ? JSON.stringify(v) : String(v)));
  return `${words(action.type)} · ${parts.join(" · ")}`;
}

// --- the clock ----------------------------------------------------------------------------

export class Countdown {
  constructor(node) {
    this.node = node;
    this.until = null;
    this.left = null;
    setInterval(() => this.draw(), 250);
  }

  set(deadlineIn, running) {
    this.left = deadlineIn;
    this.until = deadlineIn !== null && deadlineIn !== undefined && running ? performance.now() / 1000 + deadlineIn : null;
    this.draw();
  }

  seconds() {
    if (this.until !== null) return Math.max(this.until - performance.now() / 1000, 0);
    return this.left;
  }

  draw() {
    const s = this.seconds();
    this.node.textContent = s === null || s === undefined ? "no clock" : clock(s);
    this.node.classList.toggle("late", s !== null && s !== undefined && s < 60);
  }
}

export function clock(seconds) {
  const whole = Math.ceil(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

// --- join forms: the code and name are kept for this tab, so a reload rejoins by itself ------

export function remembered(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

export function remember(key, value) {
  if (value === null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}
