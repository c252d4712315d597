// The world map with the last turn's trade flows, drawn in SVG from the same Natural Earth
// outlines (public domain) and the same equirectangular projection as the pygame map
// (critmin/ui/geo.py): countries of the scenario are shaded, EU members stand for the bloc EUU,
// flows are arcs from exporter to importer, wider for more tonnes, coloured by mineral.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const LAT_TOP = 84.0;
const LAT_BOTTOM = -58.0;
const SCALE = 4; // SVG units per degree
const WIDTH = 360 * SCALE;
const HEIGHT = (LAT_TOP - LAT_BOTTOM) * SCALE;
const MAX_FLOWS = 40; // the largest flows are drawn; the rest would only blur the picture
const EU = new Set("AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE".split(" "));
let COLOURS = {};

let geometry = null;

async function outlines() {
  if (!geometry) {
    const colours = fetch("/palette.json").then((r) => r.json()).then((c) => (COLOURS = c));
    geometry = Promise.all([fetch("/world.geojson").then((r) => r.json()), colours]).then(([g]) => g);
  }
  return geometry;
}

function project(lon, lat) {
  const clamped = Math.min(Math.max(lat, LAT_BOTTOM), LAT_TOP);
  return [(lon + 180) * SCALE, (LAT_TOP - clamped) * SCALE];
}

function node(tag, attributes = {}) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) n.setAttribute(k, v);
  return n;
}

function ringPath(ring) {
  return ring.map(([lon, lat], i) => {
    const [x, y] = project(lon, lat);
    return `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
  }).join("") + "Z";
}

export function mineralColour(mineral) {
  return COLOURS[mineral] || "#ffd54f";
}

// A snapshot's flows as objects: a page receives them as rows whose columns `flow_fields` names.
export function flowsOf(snapshot) {
  if (!snapshot) return [];
  const fields = snapshot.flow_fields;
  if (!fields) return snapshot.flows;
  return snapshot.flows.map((row) => Object.fromEntries(fields.map((field, i) => [field, row[i]])));
}

export class WorldMap {
  // `world` is the Welcome's outline of the scenario: countries with lat, lon, name.
  constructor(container, world, team = null) {
    this.world = world;
    this.team = team;
    this.codes = new Set(world.countries.map((c) => c.iso3));
    this.anchors = Object.fromEntries(world.countries.map((c) => [c.iso3, project(c.lon, c.lat)]));
    this.svg = node("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "worldmap", role: "img", "aria-label": "world map with trade flows" });
    this.land = node("g", { class: "land" });
    this.flows = node("g", { class: "flows", "data-count": "0", "data-turn": "-1" });
    this.labels = node("g", { class: "labels" });
    this.svg.append(node("rect", { x: 0, y: 0, width: WIDTH, height: HEIGHT, class: "sea" }), this.land, this.flows, this.labels);
    container.replaceChildren(this.svg);
    this.ready = this.drawLand();
  }

  mapCode(iso3) {
    if (this.codes.has(iso3) && iso3 !== "ROW") return iso3;
    if (EU.has(iso3) && this.codes.has("EUU")) return "EUU";
    return null;
  }

  async drawLand() {
    const data = await outlines();
    for (const feature of data.features) {
      const iso3 = feature.properties.iso_a3 || "";
      if (iso3 === "ATA" || !feature.geometry) continue;
      const polygons = feature.geometry.type === "MultiPolygon" ? feature.geometry.coordinates : [feature.geometry.coordinates];
      const code = this.mapCode(iso3);
      const path = node("path", { d: polygons.map((p) => ringPath(p[0])).join(""), class: code ? "country playing" : "country" });
      if (code) path.dataset.code = code;
      if (code && code === this.team) path.classList.add("mine");
      const title = node("title");
      title.textContent = feature.properties.name || iso3;
      path.append(title);
      this.land.append(path);
    }
    for (const c of this.world.countries) {
      if (c.iso3 === "ROW") continue;
      const [x, y] = this.anchors[c.iso3];
      const label = node("text", { x: x.toFixed(1), y: (y - 6).toFixed(1), class: c.iso3 === this.team ? "label mine" : "label" });
      label.textContent = c.iso3;
      this.labels.append(node("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 3, class: "anchor" }), label);
    }
  }

  // Draw a snapshot's flows (the largest MAX_FLOWS), each arc's width growing with the
  // square root of its tonnes over the largest flow of its mineral and stage.
  showFlows(snapshot) {
    const flows = flowsOf(snapshot).filter((f) => this.anchors[f.exporter] && this.anchors[f.importer] && f.tonnes > 0);
    const largest = {};
    for (const f of flows) {
      const key = f.mineral + "/" + f.stage;
      largest[key] = Math.max(largest[key] || 0, f.tonnes);
    }
    const shown = flows
      .map((f) => ({ f, share: f.tonnes / largest[f.mineral + "/" + f.stage] }))
      .sort((a, b) => b.share - a.share)
      .slice(0, MAX_FLOWS)
      .reverse();
    const arcs = shown.map(({ f, share }) => {
      const [x0, y0] = this.anchors[f.exporter];
      const [x2, y2] = this.anchors[f.importer];
      const bend = 0.15 + 0.05 * (f.mineral.length % 4);
      const x1 = (x0 + x2) / 2 + (y2 - y0) * bend;
      const y1 = (y0 + y2) / 2 - (x2 - x0) * bend;
      const path = node("path", {
        d: `M${x0.toFixed(1)},${y0.toFixed(1)} Q${x1.toFixed(1)},${y1.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`,
        class: "flow",
        stroke: mineralColour(f.mineral),
        "stroke-width": (1 + 5 * Math.sqrt(share)).toFixed(2),
        "stroke-opacity": (0.35 + 0.55 * Math.sqrt(share)).toFixed(2),
      });
      path.dataset.exporter = f.exporter;
      path.dataset.importer = f.importer;
      path.dataset.mineral = f.mineral;
      path.dataset.tonnes = String(Math.round(f.tonnes));
      if (this.team && (f.exporter === this.team || f.importer === this.team)) path.classList.add("mine");
      const title = node("title");
      title.textContent = `${f.mineral} ${f.stage}: ${f.exporter} → ${f.importer}, ${Math.round(f.tonnes).toLocaleString("en")} t`;
      path.append(title);
      return path;
    });
    this.flows.replaceChildren(...arcs);
    this.flows.dataset.count = String(arcs.length);
    this.flows.dataset.turn = String(snapshot ? snapshot.turn : -1);
  }

  // Mark countries (e.g. whose orders are in) with a class.
  mark(className, codes) {
    for (const path of this.land.querySelectorAll("path.playing")) path.classList.toggle(className, codes.includes(path.dataset.code));
  }
}

// A small line chart in SVG: one series per key, values over turns.
export function lineChart(series, { width = 320, height = 120, label = "" } = {}) {
  const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": label });
  const values = Object.values(series).flat().filter((v) => v !== null && v !== undefined);
  if (!values.length) return svg;
  const lo = Math.min(...values, 0);
  const hi = Math.max(...values) || 1;
  const longest = Math.max(...Object.values(series).map((s) => s.length), 2);
  const x = (i) => 6 + (i * (width - 12)) / (longest - 1);
  const y = (v) => height - 14 - ((v - lo) * (height - 24)) / (hi - lo || 1);
  let index = 0;
  for (const [key, points] of Object.entries(series)) {
    const d = points.map((v, i) => (v === null ? "" : `${i && points[i - 1] !== null ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`)).join("");
    svg.append(node("path", { d, class: `series s${index % 8}` }));
    const tag = node("text", { x: 8 + 64 * index, y: height - 2, class: `legend s${index % 8}` });
    tag.textContent = key;
    svg.append(tag);
    index += 1;
  }
  return svg;
}
