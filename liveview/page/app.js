// The live view: renders /api/snapshot once, then follows /api/events.
// Plain JS and SVG, no library: the page must work offline.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const MAX_SAMPLES = 600, MAX_BARS = 4000, MAX_LOG = 60;
const FRAME_MS = 450;     // at most about two frames a second (ticks come at four)
const TIMELINE_EVERY = 2; // frames per redraw of the timeline: once a second
const LEVEL_COLORS = ["#26a69a", "#42a5f5", "#5c6bc0", "#7e57c2", "#ab47bc", "#ec407a", "#8d6e63"];

const state = {
  snap: null,          // the last snapshot or tick
  samples: [],         // ops/s history
  step: 1, acc: 0, pending: 0,
  bars: [],            // finished work on the timeline, by id
  barIndex: new Map(), // id -> bar in bars
  running: new Map(),  // job -> compaction in progress
  rects: new Map(),    // table number -> its <rect>
  seq: 0,              // last event sequence number seen
  lastLog: null,       // the newest log line and what it says, to coalesce repeats
  logQueue: [],        // log lines not yet shown: the DOM changes once a frame
  frames: 0,           // renders so far
  lastFrame: 0,        // performance.now() of the last render
  missed: 0,           // events dropped for this page (the server's "missed" messages)
  derived: 0,          // derived table events seen (kvtool serve)
};

function human(n) {
  if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + " GiB";
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + " KiB";
  return n + " B";
}
function pct(a, b) { return b > 0 ? (100 * a / b).toFixed(1) + "%" : "-"; }
function el(name, attrs) {
  const e = document.createElementNS(SVGNS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}

// ---- the level pyramid ----

const TREE = { w: 820, labelW: 230, pyrW: 90, gap: 6, l0Row: 10, rowH: 34 };

function renderTree(s) {
  const svg = document.getElementById("tree");
  const keysX = TREE.labelW + TREE.pyrW + 10, keysW = TREE.w - keysX - 8;
  const compacting = new Set();
  for (const c of state.running.values()) for (const n of c.inputs) compacting.add(n);
  let maxBytes = 1, maxTable = 1;
  for (const l of s.levels) {
    maxBytes = Math.max(maxBytes, l.bytes);
    for (const t of l.tables) maxTable = Math.max(maxTable, t.size);
  }
  // Level rows: L0 grows with its table count.
  let y = 6, tables = 0;
  const rows = [];
  for (const l of s.levels) {
    const h = l.level === 0 ? Math.max(TREE.rowH, Math.min(l.rows, 24) * TREE.l0Row) : TREE.rowH;
    rows.push({ l, y, h });
    y += h + TREE.gap;
  }
  svg.setAttribute("height", y + 4);
  let frame = svg.querySelector("g.frame");
  if (!frame) { frame = el("g", { class: "frame" }); svg.appendChild(frame); }
  frame.textContent = "";
  const seen = new Set();
  for (const { l, y, h } of rows) {
    const g = el("g", { class: "level", "data-level": l.level, "data-files": l.files });
    const label = el("text", { x: 4, y: y + 13, class: "lvl-label" });
    label.textContent = `L${l.level}  ${l.files} files  ${human(l.bytes)}`;
    const label2 = el("text", { x: 4, y: y + 27, class: "lvl-label" });
    label2.textContent = `score ${l.score.toFixed(2)}  w-amp ${l.write_amp.toFixed(1)}`;
    const pw = Math.max(l.bytes > 0 ? 2 : 0, TREE.pyrW * l.bytes / maxBytes);
    g.append(label, label2,
      el("rect", { class: "pyr", x: TREE.labelW + (TREE.pyrW - pw) / 2, y: y + 4, width: pw, height: h - 8 }),
      el("rect", { x: keysX, y, width: keysW, height: h, fill: l.level % 2 ? "#f5f7f8" : "#eef2f3" }));
    frame.appendChild(g);
    const rowH = h / Math.max(1, l.rows);
    for (const t of l.tables) {
      tables++;
      seen.add(t.num);
      // sqrt: a 30 KiB flush stays visible next to a 2 MiB table.
      const bh = Math.max(2, (rowH - 1) * (0.35 + 0.65 * Math.sqrt(Math.min(1, t.size / maxTable))));
      const row = l.level === 0 ? Math.min(t.row, 23) : 0;
      const x = keysX + t.x0 * keysW, w = Math.max(2, (t.x1 - t.x0) * keysW);
      let r = state.rects.get(t.num);
      if (!r) {
        // Green marks a table that appeared while the page watched, not
        // the tree the page opened on.
        r = el("rect", { class: state.frames > 1 ? "t fresh" : "t" });
        r.appendChild(el("title", {}));
        svg.appendChild(r);
        state.rects.set(t.num, r);
        r.born = state.frames;
      } else if (r.born !== state.frames) {
        r.classList.remove("fresh");
      }
      // Touch the DOM only for a table that moved or changed: most of a
      // big tree is still from one frame to the next.
      const by = y + h - (row + 1) * rowH + (rowH - bh);
      const geo = `${x.toFixed(1)},${by.toFixed(1)},${w.toFixed(1)},${bh.toFixed(1)},${l.level},${compacting.has(t.num)}`;
      if (r.geo !== geo) {
        r.geo = geo;
        r.style.x = x + "px"; r.style.width = w + "px";
        r.style.y = by + "px"; r.style.height = bh + "px";
        r.setAttribute("fill", LEVEL_COLORS[l.level % LEVEL_COLORS.length]);
        r.setAttribute("data-num", t.num);
        r.classList.toggle("compacting", compacting.has(t.num));
        r.firstChild.textContent = `table ${t.num} (L${l.level}): ${human(t.size)}\n${t.smallest} .. ${t.largest}`;
      }
    }
  }
  for (const [num, r] of state.rects) {
    if (seen.has(num)) continue;
    state.rects.delete(num);
    r.remove();
  }
  document.body.dataset.tables = tables;
}

// ---- memtables and counters ----

function renderMemtables(s) {
  const m = s.memtables, box = document.getElementById("memtables");
  const cap = Math.max(1, m.capacity);
  let html = `<div class="mem"><div>mutable: ${human(m.mutable)} of ${human(m.capacity)} (${pct(m.mutable, m.capacity)})</div>` +
    `<div class="bar"><div class="fill" style="width:${Math.min(100, 100 * m.mutable / cap)}%"></div></div></div>`;
  m.frozen.forEach((b, i) => {
    html += `<div class="mem frozen"><div>frozen #${i + 1}, waiting for flush: ${human(b)}</div>` +
      `<div class="bar"><div class="fill" style="width:${Math.min(100, 100 * b / cap)}%"></div></div></div>`;
  });
  if (m.frozen.length === 0) html += `<div class="mem">no frozen memtable waiting</div>`;
  box.innerHTML = html;
}

function renderCounters(s) {
  const c = s.counters;
  const rows = [
    ["ops/s", Math.round(s.ops_per_sec).toLocaleString(), `${s.ops.toLocaleString()} ops`],
    ["write amp", c.write_amp.toFixed(2), "(WAL + flushes + compactions) / user bytes"],
    ["space amp (est.)", c.space_amp_est ? c.space_amp_est.toFixed(2) : "-", "table bytes / bottom level bytes"],
    ["user bytes", human(c.user_bytes), `tables: ${human(c.table_bytes)}`],
    ["block cache hits", pct(c.cache_hits, c.cache_hits + c.cache_misses), `${c.cache_hits} of ${c.cache_hits + c.cache_misses}`],
    ["bloom skips", pct(c.filter_negatives, c.filter_checks), `${c.filter_negatives} of ${c.filter_checks} table probes spared`],
    ["stalls", String(c.stalls), `${(c.stall_ms / 1000).toFixed(2)} s stalled`],
    ["flushes", String(c.flushes_seen), `${c.flushes} since the DB opened`],
    ["compactions", String(c.compactions_seen), `${c.compactions} since the DB opened; read ${human(c.compaction_bytes_read)}, wrote ${human(c.compaction_bytes_written)}; and ${c.moves_seen} trivial moves`],
    ["running", String(s.running.length), s.running.map(r => `L${r.level}->L${r.output_level} (${r.inputs.length} tables)`).join(", ")],
    ["events dropped", String(s.stream.dropped), `stream: ${s.stream.dropped} (all clients), this page missed ${state.missed}; engine queue: ${c.engine_events_dropped}`],
  ];
  if (s.source === "dir") {
    // A read-only viewer: the writer's counters live in the writer's
    // process. Only what the files say is shown.
    rows.length = 0;
    rows.push(["space amp (est.)", c.space_amp_est ? c.space_amp_est.toFixed(2) : "-", "table bytes / bottom level bytes"],
      ["table bytes", human(c.table_bytes), ""],
      ["table changes", String(state.derived), "tables created or deleted since this page opened (by diffing)"],
      ["counters", "-", "write amp, stalls, flushes and compactions are the writer's: run it with kvbench -http or an EventListener"]);
  }
  document.getElementById("counters").innerHTML = rows.map(([k, v, n]) =>
    `<tr><td>${k}</td><td class="v">${v}</td><td class="n">${n}</td></tr>`).join("");
  document.body.dataset.compactionsDone = c.compactions_seen;
  document.body.dataset.flushesDone = c.flushes_seen;
}

function renderHeader(s) {
  document.getElementById("label").textContent = s.label + (s.phase ? ` \u2014 phase ${s.phase}` : "");
  const st = document.getElementById("status");
  st.textContent = s.status + (s.open ? "" : " (store closed: last tree shown)") + ` \u2014 ${s.stream.clients} viewer(s)`;
  st.className = s.open ? "" : "closed";
  document.body.dataset.source = s.source;
  // No ops and no background work are seen from another process.
  document.getElementById("timeline-box").hidden = s.source === "dir";
}

// ---- timeline ----

function addSample(t, v) {
  state.acc += v; state.pending++;
  if (state.pending < state.step) return;
  state.samples.push({ t, ops_per_sec: state.acc / state.pending });
  state.acc = 0; state.pending = 0;
  if (state.samples.length >= MAX_SAMPLES) {
    const half = [];
    for (let i = 0; i + 1 < state.samples.length; i += 2) {
      const a = state.samples[i], b = state.samples[i + 1];
      half.push({ t: b.t, ops_per_sec: (a.ops_per_sec + b.ops_per_sec) / 2 });
    }
    state.samples = half; state.step *= 2;
  }
}

// mergeBars takes a tick's recent_bars: the bars of the last two ticks,
// each in two ticks (so a dropped tick loses none), merged by id; a
// burst of stalls that grew comes again with the same id and a later end.
// The server draws the bars from the events, so the page needs no stall
// events, hundreds a second during a slowdown.
function mergeBars(bars) {
  for (const b of bars || []) {
    const known = state.barIndex.get(b.id);
    if (known) {
      known.end = b.end;
      continue;
    }
    if (state.bars.length && b.id < state.bars[state.bars.length - 1].id) continue; // trimmed away
    state.bars.push(b);
    state.barIndex.set(b.id, b);
    if (b.kind === "stall") queueLog("stall", `${b.end.toFixed(2)}s ${b.label}`);
  }
  if (state.bars.length > MAX_BARS) {
    state.bars = state.bars.slice(-MAX_BARS / 2);
    state.barIndex = new Map(state.bars.map(b => [b.id, b]));
  }
}

function renderTimeline(s) {
  const svg = document.getElementById("timeline");
  const W = 1200, H = 200, left = 60, chartH = 120, lane = 18;
  // Once the store is closed (the run ended) the axis stops at the last
  // activity instead of squeezing the run to the left as time passes.
  let end = s.t;
  if (!s.open) {
    end = 0;
    for (const p of state.samples) if (p.ops_per_sec > 0) end = Math.max(end, p.t);
    for (const b of state.bars) end = Math.max(end, b.end);
    end = Math.min(s.t, end + 1);
  }
  const t1 = Math.max(1, end), t0 = Math.min(t1 - 1, state.samples.length ? state.samples[0].t : 0,
    state.bars.length ? state.bars[0].start : t1);
  const x = t => left + (W - left - 10) * (t - t0) / (t1 - t0);
  let ymax = 1;
  for (const p of state.samples) ymax = Math.max(ymax, p.ops_per_sec);
  const y = v => 10 + (chartH - 10) * (1 - v / ymax);
  let html = `<text x="4" y="16" class="lvl-label">${Math.round(ymax).toLocaleString()}</text>` +
    `<text x="4" y="${chartH}" class="lvl-label">0 ops/s</text>` +
    `<line x1="${left}" x2="${W - 10}" y1="${chartH}" y2="${chartH}" stroke="#ccc"/>`;
  if (state.samples.length > 1) {
    html += `<polyline fill="none" stroke="#263238" stroke-width="1.5" points="` +
      state.samples.map(p => `${x(p.t).toFixed(1)},${y(p.ops_per_sec).toFixed(1)}`).join(" ") + `"/>`;
  }
  const lanes = { flush: 0, compaction: 1, stall: 2 };
  for (const k in lanes) {
    html += `<text x="4" y="${chartH + 14 + lanes[k] * lane + 10}" class="lvl-label">${k}</text>`;
  }
  // Bars of a lane closer than a pixel are drawn as one: at most one rect
  // per pixel column, however many thousand bars a long run has.
  const open = {};
  const emit = (k, o) => {
    html += `<rect class="bar-${k}" x="${o.x0.toFixed(1)}" y="${chartH + 14 + lanes[k] * lane}" width="${Math.max(1, o.x1 - o.x0).toFixed(1)}" height="${lane - 4}"><title>${o.n > 1 ? o.n + " bars: " : ""}${o.label}</title></rect>`;
  };
  for (const b of state.bars) {
    const bx = x(b.start), ex = Math.max(bx + 1, x(b.end)), o = open[b.kind];
    if (o && bx <= o.x1 + 1) {
      o.x1 = Math.max(o.x1, ex); o.n++;
      continue;
    }
    if (o) emit(b.kind, o);
    open[b.kind] = { x0: bx, x1: ex, n: 1, label: b.label };
  }
  for (const k in open) emit(k, open[k]);
  html += `<text x="${W - 10}" y="${H - 2}" text-anchor="end" class="lvl-label">${t1.toFixed(0)} s</text>`;
  svg.innerHTML = html;
}

// ---- events ----

function logEvent(e) {
  let text = `${e.t.toFixed(2)}s ${e.type}`;
  if (e.flush) text += ` job ${e.flush.job} ${human(e.flush.bytes)}` + (e.flush.output ? ` -> table ${e.flush.output}` : "");
  if (e.compaction) text += ` job ${e.compaction.job} ${e.compaction.kind} L${e.compaction.level}->L${e.compaction.output_level} in [${e.compaction.inputs.join(",")}]` + (e.compaction.outputs ? ` out [${e.compaction.outputs.join(",")}]` : "");
  if (e.stall) text += ` ${e.stall.cause}`;
  if (e.table) text += ` table ${e.table.num} L${e.table.level}`;
  if (e.phase) text += ` ${e.phase}`;
  if (e.derived) text += " (derived)";
  if (e.error) text += ` ERROR ${e.error}`;
  queueLog(e.type === "stall_end" ? "stall" : null, text);
}

// queueLog queues a log line; lines with the same non-null key in a row
// (repeated stalls: a slowdown stalls every write group) take one line.
function queueLog(key, text) {
  const q = state.logQueue, last = q[q.length - 1];
  if (key && last && last.key === key) {
    last.n++; last.text = text;
    return;
  }
  q.push({ key, text, n: 1 });
  if (q.length > 2 * MAX_LOG) q.splice(0, q.length - MAX_LOG);
}

// flushLog shows the queued log lines: one DOM change per frame however
// many events came, since a slowdown can stall hundreds of times a second.
function flushLog() {
  const log = document.getElementById("log");
  for (const { key, text, n } of state.logQueue.slice(-MAX_LOG)) {
    const prev = state.lastLog;
    if (key && prev && prev.key === key && prev.li.isConnected) {
      prev.n += n;
      prev.li.textContent = `${text} (x${prev.n})`;
      continue;
    }
    const li = document.createElement("li");
    li.textContent = n > 1 ? `${text} (x${n})` : text;
    log.prepend(li);
    state.lastLog = { key, li, n };
  }
  state.logQueue = [];
  while (log.children.length > MAX_LOG) log.lastChild.remove();
}

// showInLog leaves out the engine's table events, one per file: the
// flushes and compactions that made them are logged. Derived ones (kvtool
// serve) are all there is, so they are shown.
function showInLog(e) {
  if (e.type === "stall_begin") return false; // its end says it all
  return e.type !== "table_created" && e.type !== "table_deleted" || e.derived;
}

function onEvent(e) {
  if (e.seq <= state.seq) return; // already in the snapshot's recent events
  state.seq = e.seq;
  switch (e.type) {
    case "compaction_begin": state.running.set(e.compaction.job, e.compaction); break;
    case "compaction_end": state.running.delete(e.compaction.job); break;
  }
  if (showInLog(e)) logEvent(e);
  if (e.derived) state.derived++;
  // Nothing is drawn here: the next tick (4 a second) draws it all, so a
  // burst of events costs the page no more than a quiet second.
}

function render(s) {
  state.snap = s;
  state.frames++;
  renderHeader(s); renderTree(s); renderMemtables(s); renderCounters(s);
  // The timeline is the costliest part to redraw, and one second of a
  // long run is a pixel or less of it: once a second is enough.
  if (state.frames % TIMELINE_EVERY === 1 || !s.open) renderTimeline(s);
  flushLog();
}

// onTick takes every tick's data but draws at most one frame per
// FRAME_MS: a browser on the engine's machine takes its CPU from the run
// it draws (docs/liveview.md, "Overhead"). force draws anyway.
function onTick(s, force) {
  state.running = new Map(s.running.map(c => [c.job, c]));
  if (s.source === "live") addSample(s.t, s.ops_per_sec);
  mergeBars(s.recent_bars);
  const now = performance.now();
  if (!force && now - state.lastFrame < FRAME_MS) {
    state.snap = s;
    return;
  }
  state.lastFrame = now;
  render(s);
}

async function start() {
  const r = await fetch("api/snapshot");
  const s = await r.json();
  state.samples = s.history || [];
  state.bars = s.bars || [];
  state.barIndex = new Map(state.bars.map(b => [b.id, b]));
  state.running = new Map(s.running.map(c => [c.job, c]));
  for (const e of s.recent || []) {
    state.seq = e.seq;
    if (showInLog(e)) logEvent(e);
  }
  render(s);
  // ?ticks=N closes the stream after N ticks (0: never opens it), so a
  // headless browser that waits for the network to go idle (chromium
  // --virtual-time-budget) can finish: .ci/browser uses it.
  const limit = new URLSearchParams(location.search).get("ticks");
  if (limit === "0") return;
  // Only the events the page logs (bars come with the ticks): a slowdown
  // stalls every write group, and a 10M-key run makes tens of thousands of
  // stall and table events, each a cost to the browser. The server counts what this
  // page missed (its queue full) and says so in "missed" messages.
  const types = ["flush_begin", "flush_end", "compaction_begin", "compaction_end", "background_error", "phase"];
  if (s.source === "dir") types.push("table_created", "table_deleted"); // derived: all there is
  const es = new EventSource("api/events?types=" + types.join(","));
  es.addEventListener("missed", m => { state.missed = JSON.parse(m.data).missed; });
  // The browser reconnects on its own (the server says "retry: 1000"),
  // but what happened meanwhile, or a new run on the same port (its
  // numbers and clock start again), is only in a fresh snapshot: reload.
  let opened = false;
  es.addEventListener("open", () => { if (opened) location.reload(); opened = true; });
  let ticks = 0;
  es.addEventListener("tick", m => {
    ticks++;
    onTick(JSON.parse(m.data), limit !== null && ticks >= Number(limit));
    document.body.dataset.ticks = ticks;
    if (limit !== null && ticks >= Number(limit)) es.close();
  });
  for (const type of types) es.addEventListener(type, m => onEvent(JSON.parse(m.data)));
}

start().catch(err => { document.getElementById("status").textContent = "error: " + err; });
