// The workbench page: weight editors, live ranking, SVG map, allocation, group mode.
// Plain JavaScript, no libraries; every number shown comes from the server's JSON API.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const RAMP = [[253, 231, 37], [94, 201, 98], [33, 145, 140], [59, 82, 139], [68, 1, 84]];
const LABEL_HA = 2; // allocations from this size on get a label on the map (smaller ones: hover)
const S = { state: null, scope: "*", editors: {}, last: null, seq: 0, selected: null, allocation: null };

const $ = (id) => document.getElementById(id);
function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
const pct = (w) => (100 * w).toFixed(1) + " %";
const fmt = (v, d = 2) => (v === null || v === undefined ? "–" : typeof v === "number" ? v.toFixed(d) : String(v));

// ---- server calls --------------------------------------------------------------------------
async function api(path, body) {
  const options = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}
function showError(message) { const box = $("error"); box.textContent = message; box.hidden = !message; }
async function guarded(action) {
  try { await action(); showError(""); } catch (error) { showError(error.message); }
}

// ---- weight editors (one set per scope) ----------------------------------------------------
const criteria = () => S.state.criteria.map((c) => c.name);
const pairs = () => { const n = criteria(), out = []; n.forEach((a, i) => n.slice(i + 1).forEach((b) => out.push([a, b]))); return out; };

function editorsFrom(name) {
  const set = S.state.weight_sets[name], w = set.weights, max = Math.max(...Object.values(w));
  const direct = Object.fromEntries(criteria().map((c) => [c, 100 * w[c]])); // percent of the total, exact
  const swing = set.method === "swing" ? { ...set.given.points } : Object.fromEntries(criteria().map((c) => [c, (100 * w[c]) / max]));
  const ahp = {};
  for (const [a, b] of pairs()) {
    const given = set.method === "ahp" ? (set.given.judgments[a] || {})[b] ?? 1 / ((set.given.judgments[b] || {})[a] ?? 1) : w[a] / w[b];
    ahp[`${a}|${b}`] = Math.min(9, Math.max(1 / 9, isFinite(given) && given > 0 ? given : 1));
  }
  return { from: name, mode: set.method === "ahp" ? "ahp" : set.method === "swing" ? "swing" : "direct", direct, swing, ahp };
}
const editor = () => S.editors[S.scope];

function weightSet(ed = editor()) {
  if (ed.mode === "swing") {
    const max = Math.max(...Object.values(ed.swing));
    if (!(max > 0)) throw new Error("give at least one swing more than 0 points");
    return { method: "swing", points: Object.fromEntries(Object.entries(ed.swing).map(([c, p]) => [c, (100 * p) / max])) };
  }
  if (ed.mode === "ahp") {
    const judgments = {};
    for (const [a, b] of pairs()) (judgments[a] ||= {})[b] = ed.ahp[`${a}|${b}`];
    return { method: "ahp", judgments };
  }
  return { method: "direct", weights: { ...ed.direct } };
}
const allWeightSets = () => Object.fromEntries(Object.entries(S.editors).map(([scope, ed]) => [scope, weightSet(ed)]));

// slider position −8…8 <-> Saaty judgment 1/9…9 (left criterion more important for positive values)
const toJudgment = (s) => (s >= 0 ? 1 + s : 1 / (1 - s));
const toSlider = (j) => (j >= 1 ? Math.round(j - 1) : -Math.round(1 / j - 1));

function slider(name, value, max, step, onInput, note) {
  const out = el("output", { text: fmt(value, 1) });
  const input = el("input", { type: "range", min: 0, max, step, value, "data-criterion": name });
  input.addEventListener("input", () => { out.textContent = fmt(+input.value, 1); onInput(+input.value); });
  return el("div", { class: "slider" }, el("label", {}, el("span", { text: name }), el("span", { class: "range", text: note || "" })), input, out);
}

function renderEditors() {
  const ed = editor();
  const direct = $("tab-direct"); direct.replaceChildren();
  for (const c of criteria()) direct.append(slider(c, ed.direct[c] ?? 0, 100, "any", (v) => { ed.direct[c] = v; ed.mode = "direct"; schedule(); }, "relative weight"));
  const swing = $("swing-rows"); swing.replaceChildren();
  for (const c of S.state.criteria) {
    const note = `${fmt(c.worst)} → ${fmt(c.best)} ${c.unit}`;
    swing.append(slider(c.name, ed.swing[c.name] ?? 0, 100, 1, (v) => { ed.swing[c.name] = v; ed.mode = "swing"; schedule(); }, note));
  }
  const ahp = $("ahp-rows"); ahp.replaceChildren();
  for (const [a, b] of pairs()) {
    const key = `${a}|${b}`, verdict = el("div", { class: "verdict" });
    const input = el("input", { type: "range", min: -8, max: 8, step: 1, value: -toSlider(ed.ahp[key]), "data-pair": key });
    const say = () => { const j = ed.ahp[key]; verdict.textContent = j >= 1 ? (j < 1.01 ? "equal" : `${a} ${fmt(j, 1)}× more important`) : `${b} ${fmt(1 / j, 1)}× more important`; };
    // the slider leans towards the more important criterion: left = a, right = b
    input.addEventListener("input", () => { ed.ahp[key] = toJudgment(-input.value); ed.mode = "ahp"; say(); schedule(); });
    say();
    ahp.append(el("div", { class: "pair" }, el("div", { class: "names" }, el("span", { text: a }), el("span", { text: b })), input, verdict));
  }
}

function showTab(tab) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const t of ["direct", "swing", "ahp", "group"]) $(`tab-${t}`).hidden = t !== tab;
  if (tab === "group") guarded(() => refreshGroup()); else if (editor().mode !== tab) { editor().mode = tab; schedule(); }
}

// ---- ranking, table, map colours -----------------------------------------------------------
let timer = null;
function schedule() { clearTimeout(timer); timer = setTimeout(() => guarded(rerank), 30); }

async function rerank() {
  const seq = ++S.seq;
  const result = await api("api/rank", { scope: S.scope, weights: weightSet() });
  if (seq !== S.seq) return; // a newer change is on its way
  S.last = result;
  renderRanking(result); recolour(result); renderWeightBars(result.weights);
  $("cr").textContent = result.consistency_ratio === null ? "– (not AHP)" : result.consistency_ratio.toFixed(3);
  $("cr").className = result.consistency_ratio > 0.1 ? "down" : "up";
  $("cr-note").textContent = result.consistency_ratio > 0.1 ? "above 0.1: revise the judgments (Saaty)" : "";
  if (S.selected) await openSite(S.selected);
}

function renderRanking(result) {
  const body = $("ranking").tBodies[0]; body.replaceChildren();
  for (const row of result.table) {
    const move = row.move > 0 ? ["up", `▲${row.move}`] : row.move < 0 ? ["down", `▼${-row.move}`] : ["same", "–"];
    const tr = el("tr", { "data-site": row.site_id, onclick: () => guarded(() => openSite(row.site_id)) },
      el("td", { class: "n", text: row.rank }), el("td", { class: move[0], text: move[1] }),
      el("td", { text: row.name, title: row.site_id }), el("td", { class: "n", text: row.score.toFixed(3) }));
    if (row.site_id === S.selected) tr.classList.add("selected");
    body.append(tr);
  }
  $("ranking-scope").textContent = S.state.scopes.find((s) => s.id === S.scope).label;
}

function colour(t) {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1), i = Math.min(RAMP.length - 2, Math.floor(x)), f = x - i;
  const c = RAMP[i].map((v, k) => Math.round(v + f * (RAMP[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function recolour(result) {
  const paths = $("sites").children;
  result.scores.forEach((score, i) => {
    const path = paths[i];
    path.classList.toggle("excluded", score === null);
    path.setAttribute("fill", score === null ? "#c4c4c4" : colour(score));
    path.querySelector("title").textContent = `${S.state.sites[i].name} — ${score === null ? "excluded" : `rank ${result.ranks[i]}, score ${score.toFixed(3)}`}`;
  });
}

function renderWeightBars(weights) {
  const box = $("weight-bars"); box.replaceChildren();
  const spread = S.group ? Object.fromEntries(S.group.spread.map((s) => [s.criterion, s])) : {};
  for (const [c, w] of Object.entries(weights)) {
    const track = el("div", { class: "track" });
    const s = spread[c];
    if (s) { track.append(el("div", { class: "spread", style: `left:${100 * s.min}%;width:${100 * (s.max - s.min)}%` })); }
    track.append(el("div", { class: "fill", style: `width:${100 * w}%;opacity:${s ? 0.55 : 1}` }));
    if (s) track.append(el("div", { class: "mean", style: `left:${100 * s.mean}%`, title: "group mean" }));
    box.append(el("div", { class: "bar" }, el("span", { text: c }), track, el("span", { text: pct(w) })));
  }
}

// ---- fact sheet ----------------------------------------------------------------------------
async function openSite(siteId) {
  S.selected = siteId;
  const sheet = await api("api/site", { site_id: siteId, scope: S.scope, weights: weightSet() });
  for (const p of $("sites").children) p.classList.toggle("selected", p.dataset.site === siteId);
  for (const tr of $("ranking").tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.site === siteId);
  const rows = sheet.criteria.map((c) => el("tr", {}, el("td", { text: c.criterion, title: `${c.direction} is better` }),
    el("td", { class: "n", text: `${fmt(c.raw)} ${c.unit}` }), el("td", { class: "n", text: fmt(c.value_score, 3) }),
    el("td", { class: "n", text: fmt(c.contribution, 3) })));
  const exclusions = sheet.exclusions.map((x) => el("div", { class: "exclusion" },
    el("strong", { text: `${x.criterion} (${x.sector}): ` }), x.reason,
    ...(x.rule ? [el("div", { text: `rule: ${x.rule}` })] : []),
    ...(x.citation ? [el("div", { class: "citation", text: x.citation })] : [])));
  const allocated = S.allocation && S.allocation.hectares[siteId];
  $("factsheet").replaceChildren(
    el("h3", { text: sheet.name }),
    el("div", { text: `${sheet.site_id} · ${sheet.kind}${sheet.park ? " · " + sheet.park : ""} · ${fmt(sheet.capacity_ha, 1)} ha capacity` }),
    el("div", { text: sheet.rank ? `rank ${sheet.rank}, score ${fmt(sheet.score, 3)}` : "excluded from the ranking in this scope" }),
    ...(allocated ? [el("div", { text: `allocated: ${fmt(allocated, 2)} ha` })] : []),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "criterion" }), el("th", { class: "n", text: "value" }),
      el("th", { class: "n", text: "score" }), el("th", { class: "n", text: "contrib." }))), el("tbody", {}, ...rows)),
    el("h2", { text: `Exclusions (${sheet.exclusions.length})` }), ...exclusions);
}

// ---- map -----------------------------------------------------------------------------------
function drawMap(map) {
  const svg = $("map");
  svg.setAttribute("viewBox", `0 0 ${map.width} ${map.height}`);
  for (const [name, features] of Object.entries(map.layers)) {
    const g = el("svg:g", { id: `layer-${name}` });
    for (const f of features) {
      const label = [f.name, f.road_class || f.zone || f.kind].filter(Boolean).join(" · ");
      const shape = f.d !== undefined ? el("svg:path", { d: f.d }) : el("svg:circle", { cx: f.cx, cy: f.cy, r: 4 });
      shape.setAttribute("class", `l-${name} ${f.road_class || ""}`);
      shape.append(el("svg:title", { text: `${name}: ${label}` }));
      g.append(shape);
    }
    svg.append(g);
  }
  const sites = el("svg:g", { id: "sites" });
  map.sites.forEach((d, i) => {
    const site = S.state.sites[i];
    const path = el("svg:path", { d, class: "site", "data-site": site.site_id, fill: "#ccc" }, el("svg:title", { text: site.name }));
    path.addEventListener("click", () => guarded(() => openSite(site.site_id)));
    sites.append(path);
  });
  svg.append(sites, el("svg:g", { id: "allocation-layer" }));
  const b = sites.getBBox(), pad = 0.12 * Math.max(b.width, b.height);
  panZoom(svg, [b.x - pad, b.y - pad, b.width + 2 * pad, b.height + 2 * pad]);
  $("legend").replaceChildren("score 0", el("span", { class: "ramp" }), "1 · grey: excluded · orange dots: allocated ha");
}

function panZoom(svg, start) {
  let box = start, drag = null;
  const apply = () => svg.setAttribute("viewBox", box.join(" "));
  apply();
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect(), k = e.deltaY > 0 ? 1.2 : 1 / 1.2;
    const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
    const w = box[2] * k, h = box[3] * k;
    box = [box[0] + (box[2] - w) * fx, box[1] + (box[3] - h) * fy, w, h]; apply();
  }, { passive: false });
  svg.addEventListener("mousedown", (e) => { drag = [e.clientX, e.clientY, box[0], box[1]]; });
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const r = svg.getBoundingClientRect(), s = Math.max(box[2] / r.width, box[3] / r.height);
    box = [drag[2] - (e.clientX - drag[0]) * s, drag[3] - (e.clientY - drag[1]) * s, box[2], box[3]]; apply();
  });
}

// ---- allocation ----------------------------------------------------------------------------
async function allocate() {
  $("allocate").disabled = true;
  try {
    let status = await api("api/allocate", { weights: allWeightSets() });
    while (status.state === "running") {
      $("allocation-status").textContent = `${status.stage} … ${status.seconds.toFixed(1)} s`;
      await new Promise((r) => setTimeout(r, 300));
      status = await api("api/allocate");
    }
    if (status.state === "error") throw new Error(status.error);
    $("allocation-status").textContent = `done in ${status.seconds.toFixed(1)} s (solver ${status.result.solver.status})`;
    showAllocation(status.result);
  } finally { $("allocate").disabled = false; }
}

function showAllocation(result) {
  S.allocation = result;
  const head = el("tr", {}, el("th", { text: "kind" }), ...result.periods.map((p) => el("th", { class: "n", text: p })), el("th", { class: "n", text: "total ha" }));
  const rows = result.summary.map((r) => el("tr", { "data-kind": r.kind }, el("td", { text: r.kind }),
    ...result.periods.map((p) => el("td", { class: "n", text: fmt(r[p], 1) })), el("td", { class: "n", text: fmt(r.total, 1) })));
  const short = result.shortfall.filter((s) => s.hectares > 1e-6).map((s) => el("li", { text: `${s.sector} ${s.size_class} ${s.period}: ${fmt(s.hectares, 1)} ha${s.explanation ? " — " + s.explanation : ""}` }));
  $("allocation-summary").replaceChildren(
    el("div", { text: `demand ${fmt(result.demand_ha, 1)} ha, placed ${fmt(result.placed_ha, 1)} ha on ${Object.keys(result.hectares).length} sites` }),
    el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)),
    ...(short.length ? [el("h2", { text: "Shortfall" }), el("ul", {}, ...short)] : [el("div", { text: "no shortfall" })]));
  const layer = $("allocation-layer"); layer.replaceChildren();
  for (const path of $("sites").children) {
    const ha = result.hectares[path.dataset.site];
    if (!ha) continue;
    const b = path.getBBox(), cx = b.x + b.width / 2, cy = b.y + b.height / 2;
    const r = 2 + 2.2 * Math.sqrt(ha);
    layer.append(el("svg:circle", { class: "alloc", cx, cy, r }, el("svg:title", { text: `${path.dataset.site}: ${fmt(ha, 2)} ha` })));
    if (ha >= LABEL_HA) layer.append(el("svg:text", { class: "alloc-label", x: cx + r + 1, y: cy + 3, text: `${fmt(ha, 1)} ha` }));
  }
}

// ---- group mode ----------------------------------------------------------------------------
async function refreshGroup(summary) {
  S.group = summary || (await api("api/group"));
  const g = S.group, box = $("group-summary");
  if (!g.participants.length) { box.replaceChildren(el("p", { text: "no submissions yet" })); return; }
  const names = criteria();
  const head = el("tr", {}, el("th", { text: "name" }), ...names.map((c) => el("th", { class: "n", text: c.slice(0, 6), title: c })));
  const rows = g.participants.map((p) => el("tr", {}, el("td", { text: `${p.name} (${p.method})` }), ...names.map((c) => el("td", { class: "n", text: (100 * p.weights[c]).toFixed(0) }))));
  const agg = el("tr", {}, el("th", { text: "group" }), ...names.map((c) => el("th", { class: "n", text: (100 * g.aggregate[c]).toFixed(0) })));
  box.replaceChildren(el("table", { id: "group-table" }, el("thead", {}, head), el("tbody", {}, ...rows, agg)),
    el("p", { class: "hint", text: `group weights (%): ${g.rule}${g.consistency_ratio !== null ? `, CR ${g.consistency_ratio.toFixed(3)}` : ""}; bars below show each criterion's min–max spread` }));
  if (S.last) renderWeightBars(S.last.weights);
}

async function robustness() {
  $("robustness-result").textContent = "sampling…";
  const r = await api("api/group/robustness", {});
  const rows = r.sites.map((s) => el("tr", {}, el("td", { text: s.name, title: s.site_id }), el("td", { class: "n", text: fmt(s.expected_rank, 1) }),
    el("td", { class: "n", text: pct(s.first) }), el("td", { class: "n", text: pct(s.top3) })));
  $("robustness-result").replaceChildren(el("p", { class: "hint", text: r.scheme }),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "site" }), el("th", { class: "n", text: "exp. rank" }),
      el("th", { class: "n", text: "1st" }), el("th", { class: "n", text: "top 3" }))), el("tbody", {}, ...rows)));
}

// ---- keep the result -----------------------------------------------------------------------
async function download(fmtName) {
  const response = await fetch(`api/record?fmt=${fmtName}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ weights: allWeightSets() }) });
  if (!response.ok) throw new Error((await response.json()).error);
  const url = URL.createObjectURL(await response.blob());
  const a = el("a", { href: url, download: `workshop-${S.state.scenario}.${fmtName}` }); a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- start ---------------------------------------------------------------------------------
function bind() {
  $("scope").addEventListener("change", () => { S.scope = $("scope").value; $("weightset").value = editor().from; renderEditors(); showTab(editor().mode); schedule(); });
  $("weightset").addEventListener("change", () => { S.editors[S.scope] = editorsFrom($("weightset").value); renderEditors(); showTab(editor().mode); schedule(); });
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("allocate").addEventListener("click", () => guarded(allocate));
  $("submit-weights").addEventListener("click", () => guarded(async () => refreshGroup(await api("api/group/submit", { name: $("participant").value.trim(), weights: weightSet() }))));
  $("use-group").addEventListener("click", () => guarded(async () => {
    await refreshGroup();
    if (!Object.keys(S.group.aggregate).length) throw new Error("no submissions yet");
    const direct = Object.fromEntries(Object.entries(S.group.aggregate).map(([c, w]) => [c, 100 * w]));
    Object.assign(editor(), { mode: "direct", direct }); renderEditors(); showTab("direct"); schedule();
  }));
  $("robustness").addEventListener("click", () => guarded(robustness));
  $("save").addEventListener("click", () => guarded(async () => {
    const r = await api("api/save", { name: $("save-name").value.trim(), weights: allWeightSets() });
    $("save-result").textContent = `saved ${r.file} (extends ${r.extends})`;
  }));
  $("record-json").addEventListener("click", () => guarded(() => download("json")));
  $("record-html").addEventListener("click", () => guarded(() => download("html")));
}

async function start() {
  $("busy").textContent = "loading…";
  const [state, map] = await Promise.all([api("api/state"), api("api/map")]);
  S.state = state;
  $("scenario").textContent = `· ${state.scenario}`;
  $("schematic").hidden = !state.schematic;
  $("allocate").disabled = !state.can_allocate;
  for (const s of state.scopes) { $("scope").append(el("option", { value: s.id, text: s.label })); S.editors[s.id] = editorsFrom(s.weight_set); }
  for (const name of Object.keys(state.weight_sets)) $("weightset").append(el("option", { value: name, text: `${name} (${state.weight_sets[name].method})` }));
  $("weightset").value = editor().from;
  drawMap(map); renderEditors(); bind(); showTab(editor().mode);
  await rerank();
  $("busy").textContent = "";
  document.body.dataset.ready = "1";
}

guarded(start);
