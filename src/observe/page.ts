// The status page: one self-contained HTML document (no external scripts, fonts or styles, so it
// works on a kiosk's isolated network). It opens a WebSocket to /ws, keeps the last samples for the
// graph and the last log lines, and reconnects when the connection drops. Every value from the
// server goes into the page as text (textContent), never as markup.
import { createHash } from "node:crypto";

const STYLE = `
  :root { color-scheme: dark; --bg: #111418; --panel: #1a1f26; --line: #2a313b; --text: #d8dee6; --dim: #8a96a3;
          --frame: #c8d0da; --cpu: #f0a04b; --gpu: #5cc98a; --present: #5aa8f0; --warn: #e8c14a; --error: #f06a5a; }
  * { box-sizing: border-box; }
  body { margin: 0; padding: 16px 20px; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, sans-serif; }
  header { display: flex; align-items: baseline; gap: 16px; }
  h1 { font-size: 18px; margin: 0; }
  #connection { color: var(--dim); }
  #connection.live { color: var(--gpu); }
  .facts { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 10px 0 14px; }
  .facts div span:first-child { color: var(--dim); margin-right: 6px; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 8px; }
  .tile { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
  .tile .label { color: var(--dim); font-size: 12px; }
  .tile .value { font-size: 24px; font-variant-numeric: tabular-nums; }
  .tile .value.na { font-size: 15px; color: var(--dim); padding-top: 7px; }
  section { margin-top: 14px; }
  h2 { font-size: 13px; color: var(--dim); font-weight: 600; margin: 0 0 6px; text-transform: uppercase; letter-spacing: .04em; }
  #graph { width: 100%; height: 220px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; display: block; }
  .legend { display: flex; gap: 16px; margin-top: 4px; color: var(--dim); font-size: 12px; }
  .legend i { display: inline-block; width: 12px; height: 3px; margin-right: 5px; vertical-align: middle; }
  .legend .frame { background: var(--frame); } .legend .cpu { background: var(--cpu); }
  .legend .gpu { background: var(--gpu); } .legend .present { background: var(--present); }
  .columns { display: grid; grid-template-columns: minmax(200px, 1fr) 3fr; gap: 14px; }
  table { border-collapse: collapse; font-size: 12px; width: 100%; }
  td { padding: 1px 8px 1px 0; border-bottom: 1px solid var(--line); font-variant-numeric: tabular-nums; }
  td:first-child { color: var(--dim); }
  #log { list-style: none; margin: 0; padding: 6px 8px; height: 180px; overflow-y: auto; background: var(--panel);
         border: 1px solid var(--line); border-radius: 6px; font: 12px/1.45 ui-monospace, monospace; }
  #log li { white-space: pre-wrap; word-break: break-word; }
  #log .level { display: inline-block; width: 44px; }
  #log .debug .level { color: var(--dim); } #log .info .level { color: var(--present); }
  #log .warn .level { color: var(--warn); } #log .error .level { color: var(--error); }
  #log .time, #log .source { color: var(--dim); margin-right: 6px; }
`;

const BODY = `
<header><h1>scanout status</h1><span id="connection">connecting…</span><span id="ended"></span></header>
<div class="facts">
  <div><span>backend</span><span id="backend">—</span></div>
  <div><span>device</span><span id="device">—</span></div>
  <div><span>sync</span><span id="sync">—</span></div>
  <div><span>format</span><span id="format">—</span></div>
  <div><span>modifier</span><span id="modifier">—</span></div>
  <div><span>size</span><span id="size">—</span></div>
</div>
<div class="tiles">
  <div class="tile"><div class="label">frames/s (now)</div><div class="value" id="fps">—</div></div>
  <div class="tile"><div class="label">frames/s (run average)</div><div class="value" id="avg-fps">—</div></div>
  <div class="tile"><div class="label">frames</div><div class="value" id="frames">—</div></div>
  <div class="tile" title="refreshes of the display without a new frame: KMS counts missed vblanks; on Wayland, estimated from the refresh rate, plus frames the compositor discarded"><div class="label">missed frames</div><div class="value" id="missed">—</div></div>
  <div class="tile"><div class="label">CPU ms/frame (JS thread)</div><div class="value" id="cpu-ms">—</div></div>
  <div class="tile"><div class="label">GPU ms/frame</div><div class="value" id="gpu-ms">—</div></div>
  <div class="tile"><div class="label">present latency ms</div><div class="value" id="present-ms">—</div></div>
</div>
<section>
  <h2>frame time, last <span id="history">10</span> s (ms per frame)</h2>
  <canvas id="graph"></canvas>
  <div class="legend"><span><i class="frame"></i>frame interval</span><span><i class="cpu"></i>CPU (JS thread)</span>
    <span><i class="gpu"></i>GPU</span><span><i class="present"></i>present latency</span></div>
</section>
<section class="columns">
  <div><h2>backend figures</h2><table><tbody id="extra"></tbody></table></div>
  <div><h2>log</h2><ul id="log"></ul></div>
</section>
`;

// Plain ES2017 for the browser; no template literals inside (this file is one).
const SCRIPT = `
"use strict";
var MAX_LOG = 200, SERIES = [["frameMs", "--frame"], ["cpuMs", "--cpu"], ["gpuMs", "--gpu"], ["presentMs", "--present"]];
var samples = [], lastSeq = 0, historyMs = 10000, updates = 0;
function $(id) { return document.getElementById(id); }
function number(v, digits) { return typeof v === "number" && isFinite(v) ? v.toFixed(digits) : null; }
function show(id, v, digits, missing) {
  var text = number(v, digits), el = $(id);
  el.textContent = text === null ? missing : text;
  el.classList.toggle("na", text === null);
}
function showInfo(info) {
  ["backend", "device", "sync", "format", "modifier", "size"].forEach(function (k) { $(k).textContent = info[k] === null ? "—" : info[k]; });
  $("ended").textContent = info.endReason ? "ended: " + info.endReason : "";
  var rows = $("extra"), keys = Object.keys(info.extra);
  rows.textContent = "";
  if (!keys.length) rows.innerHTML = "<tr><td>none reported</td></tr>";
  keys.forEach(function (k) {
    var tr = document.createElement("tr"), key = document.createElement("td"), value = document.createElement("td");
    key.textContent = k;
    var v = info.extra[k];
    value.textContent = typeof v === "number" && !Number.isInteger(v) ? String(Number(v.toFixed(3))) : String(v);
    tr.append(key, value);
    rows.append(tr);
  });
}
function showSample(s) {
  show("fps", s.fps, 1, "—");
  show("avg-fps", s.averageFps, 1, "—");
  show("frames", s.frames, 0, "—");
  show("missed", s.missed, 0, "not reported");
  show("cpu-ms", s.cpuMs, 3, "—");
  show("gpu-ms", s.gpuMs, 3, "unavailable");
  show("present-ms", s.presentMs, 2, "not reported");
}
function addLog(lines) {
  var list = $("log"), atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  lines.forEach(function (l) {
    if (l.seq <= lastSeq) return;
    lastSeq = l.seq;
    var li = document.createElement("li");
    li.className = l.level;
    [["time", new Date(l.time).toTimeString().slice(0, 8)], ["level", l.level], ["source", "[" + l.source + "]"], ["message", l.message]].forEach(function (p) {
      var span = document.createElement("span");
      span.className = p[0];
      span.textContent = p[1];
      li.append(span, " ");
    });
    list.append(li);
  });
  while (list.children.length > MAX_LOG) list.firstChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}
function niceStep(range) {
  var raw = range / 4, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}
function draw() {
  var canvas = $("graph"), ratio = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio);
  var g = canvas.getContext("2d"), css = getComputedStyle(document.documentElement);
  g.scale(ratio, ratio);
  var left = 44, right = 8, top = 8, bottom = 20, end = samples.length ? samples[samples.length - 1].t : 0;
  var max = 1;
  samples.forEach(function (s) { SERIES.forEach(function (k) { if (typeof s[k[0]] === "number") max = Math.max(max, s[k[0]]); }); });
  var step = niceStep(max * 1.1), top_ms = Math.ceil(max * 1.1 / step) * step;
  function x(t) { return left + (w - left - right) * (1 - (end - t) / historyMs); }
  function y(v) { return h - bottom - (h - top - bottom) * v / top_ms; }
  g.font = "11px system-ui, sans-serif"; g.fillStyle = css.getPropertyValue("--dim"); g.strokeStyle = css.getPropertyValue("--line"); g.lineWidth = 1;
  for (var v = 0; v <= top_ms + 1e-9; v += step) {
    g.beginPath(); g.moveTo(left, Math.round(y(v)) + 0.5); g.lineTo(w - right, Math.round(y(v)) + 0.5); g.stroke();
    g.fillText(number(v, step < 1 ? 1 : 0), 4, y(v) + 4);
  }
  for (var s = 0; s <= historyMs / 1000; s += 2) g.fillText(s ? "-" + s + " s" : "now", x(end - s * 1000) - (s ? 12 : 22), h - 5);
  g.lineWidth = 2;
  SERIES.forEach(function (k) {
    g.strokeStyle = css.getPropertyValue(k[1]); g.beginPath();
    var pen = false;
    samples.forEach(function (smp) {
      var value = smp[k[0]];
      if (typeof value !== "number" || end - smp.t > historyMs) { pen = false; return; }
      if (pen) g.lineTo(x(smp.t), y(value)); else g.moveTo(x(smp.t), y(value));
      pen = true;
    });
    g.stroke();
  });
}
function receive(message) {
  if (message.type === "hello") { // also after a reconnect, perhaps to a restarted server: start afresh
    $("log").textContent = "";
    lastSeq = 0;
    historyMs = message.historySeconds * 1000;
    $("history").textContent = String(message.historySeconds);
    samples = message.samples;
  } else {
    samples.push(message.sample);
  }
  while (samples.length && samples[samples.length - 1].t - samples[0].t > historyMs) samples.shift();
  showInfo(message.info);
  if (samples.length) showSample(samples[samples.length - 1]);
  addLog(message.log);
  draw();
  document.body.dataset.updates = String(++updates);
}
function connect() {
  var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
  ws.onopen = function () { $("connection").textContent = "live"; $("connection").className = "live"; };
  ws.onmessage = function (e) { receive(JSON.parse(e.data)); };
  ws.onclose = function () {
    $("connection").textContent = "disconnected, retrying…"; $("connection").className = "";
    setTimeout(connect, 2000);
  };
}
window.addEventListener("resize", draw);
connect();
`;

/** The whole page, served at / (its script and style are allowed by hash in STATUS_PAGE_HEADERS). */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>scanout status</title><style>${STYLE}</style></head>
<body data-updates="0">${BODY}<script>${SCRIPT}</script></body></html>
`;

const sha256 = (text: string): string => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Headers for the page: it may run only its own script and style, and talk only to its own server. */
export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; connect-src 'self'; ` +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};
