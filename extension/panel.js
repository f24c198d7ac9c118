// panel.js: the workbench panel renderer. One self-contained ES module, two hosts:
//
// - live notebooks: anywidget loads this file as the `_esm` of EvaluationPanel / ComparisonPanel
//   (workbench/notebook/_panel.py) and calls `render({ model, el, host })`;
// - HTML reports (workbench/notebook/_report.py): the file is embedded as text, imported from a blob
//   URL and called with a small model object that serves the same `spec` and `data`.
//
// State it reads (built by workbench/notebook/_view.py):
//   spec    JSON description of an evaluation (`spec.type === "evaluation"`) or a comparison;
//   data    float32 little-endian arrays, referenced from the spec as { offset (bytes), n };
//           arrives as a DataView (anywidget Bytes trait, byteOffset possibly unaligned), a
//           Uint8Array or an ArrayBuffer: it is always copied into a fresh ArrayBuffer first;
//   loader  an anywidget WidgetTrait reference to the plotly loader widget (optional);
//   runs, selected, error   only for the live comparison panel (run picker).
//
// Safety: every string from the data is placed with textContent / createTextNode (never innerHTML),
// and strings handed to plotly (which renders a small HTML subset) are entity-escaped first.
// Only state shared across instances lives on globalThis (`__wbPlotly`); nothing per panel is kept at
// module top level (anywidget re-imports the module per instance).

const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const CURVE_TITLES = {
  roc: "ROC curve",
  precision_recall: "Precision-recall curve",
  lift: "Lift curve",
  gains: "Cumulative gains",
  calibration: "Calibration (reliability) curve",
  det: "DET curve",
};
const CURVE_ORDER = ["roc", "precision_recall", "lift", "gains", "calibration", "det"];

// ------------------------------------------------------------------------------------ small helpers

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "data") for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Text that plotly renders as-is: it understands a few HTML tags and entities, so escape them. */
function plotText(value) {
  return String(value ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function num(value) {
  if (value === null || value === undefined) return NaN;
  return typeof value === "number" ? value : Number(value);
}

function fmt(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string" && !["NaN", "Infinity", "-Infinity"].includes(value)) return value;
  const x = num(value);
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "\u221e" : "-\u221e";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

function fmtSigned(value) {
  const x = num(value);
  const text = fmt(value);
  return Number.isFinite(x) && x > 0 ? `+${text}` : text;
}

function toBuffer(data) {
  if (!data) return new ArrayBuffer(0);
  if (data instanceof ArrayBuffer) return data.slice(0);
  if (ArrayBuffer.isView(data)) {
    // A DataView's byteOffset may be unaligned for Float32Array: copy the byte range.
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer;
  }
  if (Array.isArray(data)) return new Uint8Array(data).buffer;
  throw new TypeError(`workbench panel: expected the view data as bytes, got ${Object.prototype.toString.call(data)}`);
}

function makeReader(buffer) {
  return (ref) => {
    if (!ref) return new Float32Array(0);
    const { offset, n } = ref;
    if (offset % 4 !== 0 || offset + 4 * n > buffer.byteLength) {
      throw new RangeError(`workbench panel: array reference ${offset}+${n} is outside the ${buffer.byteLength}-byte data`);
    }
    return new Float32Array(buffer, offset, n);
  };
}

async function getPlotly(model, host) {
  let ref = null;
  try {
    ref = model.get("loader");
  } catch (err) {
    ref = null;
  }
  if (ref && host && typeof host.getWidget === "function") {
    try {
      const widget = await host.getWidget(ref);
      const promise = widget && widget.exports && widget.exports.plotly;
      if (promise) return await promise;
    } catch (err) {
      // fall back to the page-wide slot below
    }
  }
  const slot = globalThis.__wbPlotly;
  if (slot && slot.promise) return slot.promise;
  if (globalThis.Plotly && typeof globalThis.Plotly.react === "function") return globalThis.Plotly;
  throw new Error("plotly.js is not available on this page (no loader widget and no global Plotly)");
}

// Acklam's rational approximation of the standard normal quantile (for DET axes).
function probit(p) {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628274631];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (q < lo) {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  }
  if (q > 1 - lo) return -probit(1 - q);
  const r = q - 0.5;
  const s = r * r;
  return ((((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r) / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
}
const DET_TICKS = [0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99];

const GRID = "rgba(128,128,128,0.25)";

/** Plotly layout; `fg` is the panel's text colour (so that dark notebook themes stay readable). */
function baseLayout(title, xTitle, yTitle, fg) {
  return {
    title: { text: plotText(title), font: { size: 14 } },
    xaxis: { title: { text: plotText(xTitle) }, zeroline: false, gridcolor: GRID, linecolor: GRID },
    yaxis: { title: { text: plotText(yTitle) }, zeroline: false, gridcolor: GRID, linecolor: GRID },
    margin: { l: 60, r: 20, t: 40, b: 50 },
    height: 340,
    legend: { orientation: "h", y: -0.25 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { size: 11, color: fg || "#444" },
  };
}

// ------------------------------------------------------------------------------------ the panel shell

class Panel {
  constructor(model, host, root) {
    this.model = model;
    this.host = host;
    this.root = root;
    this.plots = [];        // { node, tab, draw, drawn }
    this.plotly = null;
    this.plotlyError = null;
    this.tabs = new Map();  // name -> { button, section }
  }

  async plotlyReady() {
    if (this.plotly) return this.plotly;
    this.plotly = await getPlotly(this.model, this.host);
    return this.plotly;
  }

  /** A plot container; `draw(Plotly, node)` runs when its tab is first shown (or before printing). */
  plot(tab, name, draw) {
    const node = h("div", { class: "wb-plot", data: { plot: name }, role: "img", "aria-label": name.replace(/_/g, " ") });
    this.plots.push({ node, tab, draw, drawn: false });
    return node;
  }

  async drawPlots(filter) {
    const pending = this.plots.filter((p) => !p.drawn && filter(p));
    if (!pending.length) return;
    for (const p of pending) p.drawn = true;
    this.fg = getComputedStyle(this.root).color || "#444";
    let Plotly;
    try {
      Plotly = await this.plotlyReady();
    } catch (err) {
      for (const p of pending) {
        p.node.replaceChildren(h("div", { class: "wb-error", text: `Plots unavailable: ${err.message || err}` }));
      }
      return;
    }
    for (const p of pending) {
      try {
        await p.draw(Plotly, p.node);
      } catch (err) {
        console.error("[workbench] a plot could not be drawn:", err);
        p.node.replaceChildren(h("div", { class: "wb-error", text: `This plot could not be drawn: ${err.message || err}` }));
      }
    }
    this.root.dataset.plotsDrawn = String(this.plots.filter((p) => p.drawn).length);
  }

  addTab(name, label, content) {
    const id = `wb-${Math.random().toString(36).slice(2, 10)}-${name}`;
    const button = h("button", {
      type: "button", class: "wb-tab", role: "tab", id: `${id}-tab`,
      "aria-controls": id, "aria-selected": "false", tabindex: "-1", data: { tab: name },
      onclick: () => this.show(name),
    }, label);
    const section = h("section", {
      class: "wb-tabpanel", role: "tabpanel", id, "aria-labelledby": `${id}-tab`, data: { tab: name }, hidden: true,
    }, h("h3", { class: "wb-print-title", text: label }), content);
    this.tabs.set(name, { button, section });
    return { button, section };
  }

  show(name) {
    for (const [tab, { button, section }] of this.tabs) {
      const on = tab === name;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.tabIndex = on ? 0 : -1;
      button.classList.toggle("wb-active", on);
      section.hidden = !on;
    }
    this.root.dataset.activeTab = name;
    return this.drawPlots((p) => p.tab === name);
  }

  mount(header) {
    const names = [...this.tabs.keys()];
    const tablist = h("div", { class: "wb-tabs", role: "tablist", "aria-label": "Panel sections" },
      names.map((n) => this.tabs.get(n).button));
    tablist.addEventListener("keydown", (event) => {
      const i = names.indexOf(this.root.dataset.activeTab);
      let j = null;
      if (event.key === "ArrowRight") j = (i + 1) % names.length;
      else if (event.key === "ArrowLeft") j = (i - 1 + names.length) % names.length;
      else if (event.key === "Home") j = 0;
      else if (event.key === "End") j = names.length - 1;
      if (j === null) return;
      event.preventDefault();
      this.show(names[j]);
      this.tabs.get(names[j]).button.focus();
    });
    this.root.replaceChildren(header, tablist, ...names.map((n) => this.tabs.get(n).section));
    if (names.length) this.show(names[0]);
  }

  drawAll() {
    return this.drawPlots(() => true);
  }

  purge() {
    if (!this.plotly) return;
    for (const p of this.plots) {
      try {
        this.plotly.purge(p.node);
      } catch (err) {
        // already gone
      }
    }
  }
}

// ------------------------------------------------------------------------------------ tables

function table(columns, rows, opts = {}) {
  const { sortable = false, className = "wb-table", cellData = null } = opts;
  const head = h("tr", {}, columns.map((c, i) => {
    if (!sortable) return h("th", { scope: "col" }, c);
    return h("th", { scope: "col", "aria-sort": "none", data: { col: i } },
      h("button", { type: "button", class: "wb-sort", title: `Sort by ${c}` }, c));
  }));
  const body = h("tbody", {}, rows.map((row, r) => h("tr", { data: { row: r } }, row.map((cell, i) => {
    const isNum = typeof cell === "number" || (typeof cell === "string" && ["NaN", "Infinity", "-Infinity"].includes(cell));
    const attrs = { class: isNum ? "wb-num" : undefined };
    if (cellData) Object.assign(attrs, cellData(r, i));
    return h("td", attrs, fmt(cell));
  }))));
  const node = h("table", { class: className }, h("thead", {}, head), body);
  if (sortable) makeSortable(node, rows);
  return node;
}

function makeSortable(node, rows) {
  let state = { col: -1, dir: 1 };
  const ths = [...node.querySelectorAll("thead th")];
  const body = node.querySelector("tbody");
  const trs = [...body.children];
  ths.forEach((th, col) => {
    th.querySelector("button").addEventListener("click", () => {
      state = { col, dir: state.col === col ? -state.dir : (typeof rows[0]?.[col] === "number" ? -1 : 1) };
      const order = rows.map((row, i) => i).sort((a, b) => {
        const x = rows[a][col];
        const y = rows[b][col];
        const nx = num(x);
        const ny = num(y);
        let c;
        if (typeof x !== "string" || typeof y !== "string" || (!Number.isNaN(nx) && !Number.isNaN(ny))) {
          c = (Number.isNaN(nx) ? -Infinity : nx) - (Number.isNaN(ny) ? -Infinity : ny);
          if (Number.isNaN(c)) c = 0;
        } else c = String(x).localeCompare(String(y));
        return c * state.dir || a - b;
      });
      body.replaceChildren(...order.map((i) => trs[i]));
      ths.forEach((t, i) => t.setAttribute("aria-sort", i === col ? (state.dir > 0 ? "ascending" : "descending") : "none"));
    });
  });
}

function list(items, className) {
  return h("ul", { class: className }, items.map((item) => h("li", {}, ...(Array.isArray(item)
    ? [h("b", { text: item[0] }), `: ${item[1]}`] : [String(item)]))));
}

function facts(rows) {
  return h("table", { class: "wb-table wb-facts" }, h("tbody", {}, rows.map(([k, v]) => h("tr", {},
    h("th", { scope: "row", text: k }), h("td", { text: Array.isArray(v) ? v.join(", ") : fmt(v) })))));
}

function note(text, className = "wb-note") {
  return h("p", { class: className, text });
}

function hint(greater) {
  if (greater === true) return h("span", { class: "wb-hint", title: "higher is better" }, "\u2191 higher is better");
  if (greater === false) return h("span", { class: "wb-hint", title: "lower is better" }, "\u2193 lower is better");
  return h("span", { class: "wb-hint" });
}

// ------------------------------------------------------------------------------------ evaluation

function curveLabel(curve, withName) {
  const parts = [];
  if (withName && curve.name !== undefined) parts.push(curve.name);
  if (curve.label !== null && curve.label !== undefined) parts.push(withName ? `[${curve.label}]` : `class ${curve.label}`);
  if (curve.score !== undefined && curve.score !== null) parts.push(`${curve.score_name} ${fmt(curve.score)}`);
  return parts.join(" ") || curve.kind;
}

function curveFigure(kind, curves, read, withName, fg) {
  const first = curves[0];
  const layout = baseLayout(CURVE_TITLES[kind] || kind, first.x_title, first.y_title, fg);
  const traces = [];
  const names = withName ? [...new Set(curves.map((c) => c.name))] : [];
  curves.forEach((curve, i) => {
    let x = Array.from(read(curve.x));
    let y = Array.from(read(curve.y));
    if (kind === "det") {
      x = x.map(probit);
      y = y.map(probit);
    }
    const colour = withName ? COLORS[names.indexOf(curve.name) % COLORS.length] : COLORS[i % COLORS.length];
    const extraLabels = withName && curve.label !== null && curves.filter((c) => c.name === curve.name).length > 1;
    traces.push({
      type: "scatter", mode: kind === "calibration" ? "lines+markers" : "lines",
      x, y, name: plotText(curveLabel(curve, withName)),
      line: { color: colour, width: 2, dash: extraLabels && curve.label !== curves.find((c) => c.name === curve.name).label ? "dot" : "solid" },
      legendgroup: withName ? plotText(curve.name) : undefined,
      visible: extraLabels && curve.label !== curves.find((c) => c.name === curve.name).label ? "legendonly" : true,
    });
  });
  if (kind === "roc" || kind === "calibration") {
    traces.push({ type: "scatter", mode: "lines", x: [0, 1], y: [0, 1], name: "chance", line: { color: "#999", dash: "dash", width: 1 }, hoverinfo: "skip" });
    layout.xaxis.range = [0, 1];
    layout.yaxis.range = [0, 1.02];
  }
  if (kind === "det") {
    const vals = DET_TICKS.map(probit);
    const text = DET_TICKS.map((t) => `${+(t * 100).toPrecision(3)}%`);
    layout.xaxis.tickvals = vals;
    layout.xaxis.ticktext = text;
    layout.yaxis.tickvals = vals;
    layout.yaxis.ticktext = text;
  }
  if (kind === "lift") layout.yaxis.rangemode = "tozero";
  return { traces, layout };
}

function curvesContent(panel, spec, read) {
  const byKind = new Map();
  for (const curve of spec.curves || []) {
    if (!byKind.has(curve.kind)) byKind.set(curve.kind, []);
    byKind.get(curve.kind).push(curve);
  }
  const kinds = CURVE_ORDER.filter((k) => byKind.has(k));
  const grid = h("div", { class: "wb-grid" });
  for (const kind of kinds) {
    grid.appendChild(panel.plot("curves", kind, (Plotly, node) => {
      const { traces, layout } = curveFigure(kind, byKind.get(kind), read, false, panel.fg);
      return Plotly.newPlot(node, traces, layout, PLOT_CONFIG);
    }));
  }
  const res = spec.residuals;
  if (res) {
    grid.appendChild(panel.plot("curves", "residuals", (Plotly, node) => {
      const edges = read(res.bin_edges);
      const counts = read(res.counts);
      const mids = Array.from(counts, (_, i) => (edges[i] + edges[i + 1]) / 2);
      return Plotly.newPlot(node, [{ type: "bar", x: mids, y: Array.from(counts), name: "rows", marker: { color: COLORS[0] } }],
        baseLayout("Residuals (target - prediction)", "residual", "rows", panel.fg), PLOT_CONFIG);
    }));
    grid.appendChild(panel.plot("curves", "predicted_vs_actual", (Plotly, node) => {
      const t = Array.from(read(res.target));
      const p = Array.from(read(res.prediction));
      const lo = Math.min(...t, ...p);
      const hi = Math.max(...t, ...p);
      return Plotly.newPlot(node, [
        { type: "scatter", mode: "markers", x: t, y: p, name: "rows (sample)", marker: { size: 4, color: COLORS[0], opacity: 0.6 } },
        { type: "scatter", mode: "lines", x: [lo, hi], y: [lo, hi], name: "y = x", line: { color: "#999", dash: "dash", width: 1 } },
      ], baseLayout("Predicted vs actual", "target", "prediction", panel.fg), PLOT_CONFIG);
    }));
  }
  if (!kinds.length && !res) return null;
  const nodes = [grid];
  if (byKind.has("det")) nodes.push(note("DET axes use a normal-deviate (probit) scale."));
  return h("div", { class: "wb-curves" }, nodes);
}

function summaryContent(spec) {
  const rows = (spec.metrics || []).map((m) => h("tr", { data: { metric: m.name } },
    h("th", { scope: "row", text: m.name }),
    h("td", { class: "wb-num", data: { value: m.value } }, fmt(m.value)),
    h("td", {}, hint(m.greater_is_better))));
  const nodes = [h("h4", { text: "Metrics" })];
  if (rows.length) {
    nodes.push(h("table", { class: "wb-table wb-metrics" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "metric" }), h("th", { scope: "col", text: "value" }), h("th", { scope: "col", text: "" }))),
      h("tbody", {}, rows)));
    if (spec.metrics_total > rows.length) nodes.push(note(`\u2026 ${spec.metrics_total - rows.length} more metrics (see result.metrics)`));
  } else nodes.push(note("No metrics."));
  if (spec.skipped && spec.skipped.length) nodes.push(h("h4", { text: "Skipped" }), list(spec.skipped, "wb-skipped"));
  if (spec.warnings && spec.warnings.length) nodes.push(h("h4", { text: "Warnings" }), list(spec.warnings, "wb-warnings"));
  if (spec.facts && spec.facts.length) nodes.push(h("h4", { text: "Model and data" }), facts(spec.facts));
  if (spec.artifacts && spec.artifacts.length) {
    nodes.push(h("h4", { text: "Artifacts" }), table(["name", "kind", "uri"], spec.artifacts, { className: "wb-table wb-artifacts" }));
  }
  return h("div", { class: "wb-summary" }, nodes);
}

function thresholdContent(panel, spec, read) {
  const t = spec.threshold;
  const cols = Object.fromEntries(Object.entries(t.columns).map(([k, ref]) => [k, read(ref)]));
  const n = t.n;
  const labels = spec.confusion && spec.confusion.labels && spec.confusion.labels.length === 2 ? spec.confusion.labels : ["negative", t.label ?? "positive"];
  // Slider left to right = threshold low to high; the table is ordered high to low.
  const rowOf = (v) => n - 1 - v;
  let start = 0;
  for (let i = 0; i < n; i++) if (cols.thresholds[i] >= 0.5) start = i;
  const slider = h("input", { type: "range", min: "0", max: String(Math.max(n - 1, 0)), step: "1", value: String(n - 1 - start), "aria-label": "Decision threshold", class: "wb-slider" });
  const thresholdOut = h("output", { class: "wb-threshold-value" });
  const cell = (name) => h("td", { class: "wb-num", data: { cell: name } });
  const cells = { tn: cell("tn"), fp: cell("fp"), fn: cell("fn"), tp: cell("tp") };
  const cm = h("table", { class: "wb-table wb-cm" },
    h("thead", {}, h("tr", {}, h("th", { text: "actual \\ predicted" }), h("th", { scope: "col", text: labels[0] }), h("th", { scope: "col", text: labels[1] }))),
    h("tbody", {},
      h("tr", {}, h("th", { scope: "row", text: labels[0] }), cells.tn, cells.fp),
      h("tr", {}, h("th", { scope: "row", text: labels[1] }), cells.fn, cells.tp)));
  const metricNames = ["precision", "recall", "f1", "accuracy"];
  const outs = Object.fromEntries(metricNames.map((m) => [m, h("dd", { class: "wb-num", data: { metric: m } })]));
  const metrics = h("dl", { class: "wb-threshold-metrics" }, metricNames.flatMap((m) => [h("dt", { text: m === "f1" ? "F1" : m }), outs[m]]));
  const costInputs = {};
  const defaults = { tp: 0, fp: 1, tn: 0, fn: 1 };
  const costOut = h("output", { class: "wb-num", data: { metric: "expected_cost" } });
  const costFields = ["tp", "fp", "fn", "tn"].map((k) => {
    costInputs[k] = h("input", { type: "number", step: "any", value: String(defaults[k]), data: { cost: k }, "aria-label": `cost of a ${k.toUpperCase()}` });
    return h("label", { class: "wb-cost-field" }, `${k.toUpperCase()} `, costInputs[k]);
  });
  const costAt = (i) => {
    const total = cols.tp[i] + cols.fp[i] + cols.tn[i] + cols.fn[i];
    let sum = 0;
    for (const k of ["tp", "fp", "tn", "fn"]) sum += (Number(costInputs[k].value) || 0) * cols[k][i];
    return total > 0 ? sum / total : NaN;
  };
  const best = h("button", { type: "button", class: "wb-best", onclick: () => {
    let bi = 0;
    for (let i = 1; i < n; i++) if (costAt(i) < costAt(bi)) bi = i;
    slider.value = String(n - 1 - bi);
    update();
  } }, "Go to the lowest cost");
  const cost = h("fieldset", { class: "wb-cost" }, h("legend", { text: "Cost matrix (cost per row of each outcome)" }),
    ...costFields, h("div", {}, "Expected cost per row: ", costOut, " ", best));
  const plotNode = panel.plot("threshold", "threshold_metrics", (Plotly, node) => {
    const x = Array.from(cols.thresholds);
    const traces = metricNames.map((m, k) => ({ type: "scatter", mode: "lines", x, y: Array.from(cols[m]), name: m === "f1" ? "F1" : m, line: { color: COLORS[k] } }));
    const layout = baseLayout("Metrics by threshold", "threshold", "value", panel.fg);
    layout.shapes = [marker(Number(cols.thresholds[rowOf(Number(slider.value))]))];
    return Plotly.newPlot(node, traces, layout, PLOT_CONFIG);
  });
  function marker(x) {
    return { type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1, line: { color: "#444", width: 1, dash: "dot" } };
  }
  const root = h("div", { class: "wb-threshold" });
  function update() {
    const i = rowOf(Number(slider.value));
    root.dataset.row = String(i);
    thresholdOut.textContent = fmt(cols.thresholds[i]);
    thresholdOut.dataset.value = String(cols.thresholds[i]);
    for (const k of ["tp", "fp", "tn", "fn"]) {
      cells[k].textContent = fmt(cols[k][i]);
      cells[k].dataset.value = String(cols[k][i]);
    }
    for (const m of metricNames) {
      outs[m].textContent = fmt(cols[m][i]);
      outs[m].dataset.value = String(cols[m][i]);
    }
    costOut.textContent = fmt(costAt(i));
    if (panel.plotly && plotNode.layout) {
      panel.plotly.relayout(plotNode, { shapes: [marker(Number(cols.thresholds[i]))] });
    }
  }
  slider.addEventListener("input", update);
  for (const input of Object.values(costInputs)) input.addEventListener("input", update);
  root.append(
    h("div", { class: "wb-slider-row" }, h("label", {}, "Threshold ", slider), " ", thresholdOut,
      h("span", { class: "wb-hint", text: ` rows with score \u2265 threshold are predicted ${labels[1]}` })),
    h("div", { class: "wb-row" }, cm, metrics), cost, plotNode,
    note(`${n} thresholds kept from the exact ranking; counts at each are exact.`));
  update();
  return root;
}

function confusionContent(conf) {
  if (!conf) return null;
  if (!conf.matrix) return note(conf.note || "No confusion matrix.");
  const max = Math.max(1, ...conf.matrix.flat().map(num).filter(Number.isFinite));
  const rows = conf.matrix.map((row, i) => h("tr", {}, h("th", { scope: "row", text: conf.labels[i] }), row.map((v, j) => {
    const td = h("td", { class: "wb-num", data: { i, j } }, fmt(v));
    td.style.setProperty("--wb-heat", String(Math.sqrt(num(v) / max) || 0));
    return td;
  })));
  return h("div", {}, h("h4", { text: "Confusion matrix" }),
    h("table", { class: "wb-table wb-confusion" },
      h("thead", {}, h("tr", {}, h("th", { text: "actual \\ predicted" }), conf.labels.map((l) => h("th", { scope: "col", text: l })))),
      h("tbody", {}, rows)));
}

function perClassContent(spec) {
  const nodes = [];
  if (spec.per_class) {
    nodes.push(h("h4", { text: "Per-class metrics" }), note("Click a column header to sort."),
      table(spec.per_class.columns, spec.per_class.rows, { sortable: true, className: "wb-table wb-per-class" }));
    if (spec.per_class.n_total > spec.per_class.rows.length) nodes.push(note(`\u2026 ${spec.per_class.n_total - spec.per_class.rows.length} more classes`));
  }
  const cm = confusionContent(spec.confusion);
  if (cm) nodes.push(cm);
  return nodes.length ? h("div", { class: "wb-per-class-tab" }, nodes) : null;
}

function explainContent(panel, spec, read) {
  const ex = spec.explain;
  const imp = ex.importance;
  const nodes = [];
  const what = `${ex.explainer} explainer, values in ${ex.model_output}` + (ex.positive_label !== null ? ` of class ${ex.positive_label}` : "");
  nodes.push(note(`SHAP: ${what}; ${ex.n_sample} of ${ex.n_rows_total} rows explained${ex.sampled ? " (a seeded sample)" : ""}.`));
  if (ex.notes && ex.notes.length) nodes.push(list(ex.notes, "wb-notes"));
  nodes.push(panel.plot("explain", "importance", (Plotly, node) => {
    const y = imp.features.map(plotText).reverse();
    const traces = imp.by_class
      ? imp.by_class.map((c, k) => ({ type: "bar", orientation: "h", y, x: c.values.map(num).reverse(), name: plotText(`class ${c.label}`), marker: { color: COLORS[k % COLORS.length] } }))
      : [{ type: "bar", orientation: "h", y, x: imp.overall.map(num).reverse(), name: "mean |SHAP|", marker: { color: COLORS[0] } }];
    const layout = baseLayout("Feature importance (mean |SHAP|)", "mean |SHAP value|", "", panel.fg);
    layout.barmode = "stack";
    layout.height = Math.max(260, 22 * y.length + 90);
    layout.margin.l = 160;
    layout.yaxis.automargin = true;
    return Plotly.newPlot(node, traces, layout, PLOT_CONFIG);
  }));
  const swarm = ex.beeswarm;
  if (swarm && swarm.classes.length) {
    let current = 0;
    const figure = (k) => {
      const c = swarm.classes[k];
      const xs = read(c.shap);
      const ys = read(c.y);
      const cs = read(c.colour);
      const known = { x: [], y: [], c: [] };
      const missing = { x: [], y: [] };
      for (let i = 0; i < xs.length; i++) {
        if (Number.isNaN(cs[i])) {
          missing.x.push(xs[i]);
          missing.y.push(-ys[i]);
        } else {
          known.x.push(xs[i]);
          known.y.push(-ys[i]);
          known.c.push(cs[i]);
        }
      }
      const traces = [{
        type: "scatter", mode: "markers", x: known.x, y: known.y, name: "feature value", showlegend: false, hoverinfo: "x",
        marker: { size: 4, color: known.c, cmin: 0, cmax: 1, colorscale: [[0, "#1e88e5"], [1, "#ff0d57"]], opacity: 0.8,
          colorbar: { title: { text: "feature value" }, tickvals: [0, 1], ticktext: ["low", "high"], thickness: 10, len: 0.6 } },
      }];
      if (missing.x.length) traces.push({ type: "scatter", mode: "markers", x: missing.x, y: missing.y, name: "missing / not numeric", marker: { size: 4, color: "#999" }, hoverinfo: "x" });
      const title = c.label === null ? "SHAP values (beeswarm)" : `SHAP values for class ${c.label} (beeswarm)`;
      const layout = baseLayout(title, "SHAP value (impact on model output)", "", panel.fg);
      layout.yaxis.tickvals = swarm.features.map((_, i) => -i);
      layout.yaxis.ticktext = swarm.features.map(plotText);
      layout.yaxis.automargin = true;
      layout.margin.l = 160;
      layout.height = Math.max(280, 26 * swarm.features.length + 100);
      layout.shapes = [{ type: "line", xref: "x", yref: "paper", x0: 0, x1: 0, y0: 0, y1: 1, line: { color: "#999", width: 1 } }];
      return { traces, layout };
    };
    const plotNode = panel.plot("explain", "beeswarm", (Plotly, node) => {
      const { traces, layout } = figure(current);
      return Plotly.newPlot(node, traces, layout, PLOT_CONFIG);
    });
    if (swarm.classes.length > 1) {
      const select = h("select", { class: "wb-class-select", "aria-label": "Class shown in the beeswarm" },
        swarm.classes.map((c, k) => h("option", { value: String(k), text: `class ${c.label}` })));
      select.addEventListener("change", () => {
        current = Number(select.value);
        if (panel.plotly && plotNode.layout) {
          const { traces, layout } = figure(current);
          panel.plotly.react(plotNode, traces, layout, PLOT_CONFIG);
        }
      });
      nodes.push(h("label", { class: "wb-control" }, "Beeswarm for ", select));
    }
    nodes.push(plotNode, note(`${swarm.points_per_feature} points per feature from the explained rows; colour: the feature's value (5th\u201395th percentile).`));
  }
  return h("div", { class: "wb-explain" }, nodes);
}

function signatureContent(rows) {
  return table(["part", "name", "type", ""], rows, { className: "wb-table wb-signature" });
}

function dataContent(spec) {
  const d = spec.dataset || {};
  const rows = [];
  if (d.name !== null && d.name !== undefined) rows.push(["name", d.name]);
  if (d.n_rows !== null && d.n_rows !== undefined) rows.push(["rows", d.n_rows]);
  if (d.n_features !== null && d.n_features !== undefined) rows.push(["features", d.n_features]);
  if (d.digest) rows.push(["digest", d.digest]);
  const nodes = [facts(rows)];
  if (d.sampling && d.sampling.length) nodes.push(h("h4", { text: "Sampling" }), list(d.sampling, "wb-sampling"));
  else nodes.push(note("Every row was used; nothing was sampled."));
  if (d.features && d.features.length) {
    nodes.push(h("h4", { text: "Features" }), h("ol", { class: "wb-features" }, d.features.map((f) => h("li", { text: f }))));
    if (d.features_total > d.features.length) nodes.push(note(`\u2026 ${d.features_total - d.features.length} more features`));
  }
  return h("div", { class: "wb-data" }, nodes);
}

function header(spec) {
  return h("div", { class: "wb-header" },
    h("span", { class: "wb-kind", text: spec.type === "comparison" ? "Comparison" : "Evaluation" }),
    h("span", { class: "wb-title", text: spec.title || "" }),
    spec.run_id && !String(spec.title || "").includes(spec.run_id) ? h("span", { class: "wb-run", text: `run ${spec.run_id}` }) : null);
}

function renderEvaluation(panel, spec, read) {
  panel.addTab("summary", "Summary", summaryContent(spec));
  const curves = curvesContent(panel, spec, read);
  if (curves) panel.addTab("curves", (spec.curves || []).length ? "Curves" : "Residuals", curves);
  if (spec.threshold && spec.threshold.n > 0) panel.addTab("threshold", "Threshold", thresholdContent(panel, spec, read));
  const perClass = perClassContent(spec);
  if (perClass) panel.addTab("per-class", "Per-class", perClass);
  if (spec.explain) panel.addTab("explain", "Explain", explainContent(panel, spec, read));
  if (spec.signature && spec.signature.length) panel.addTab("signature", "Signature", signatureContent(spec.signature));
  panel.addTab("data", "Data", dataContent(spec));
  panel.mount(header(spec));
}

// ------------------------------------------------------------------------------------ comparison

function gateBadges(gates) {
  return h("div", { class: "wb-gates" }, gates.map((g) => {
    const passed = g.passed === true ? "true" : g.passed === false ? "false" : "unknown";
    const verdict = g.passed === true ? "\u2713 passed" : g.passed === false ? "\u2717 failed" : "?";
    return h("span", { class: "wb-gate", data: { passed }, title: g.message || `${g.metric}: passed`, role: "note" },
      `${g.candidate}: ${g.metric} ${verdict}`);
  }));
}

function badgeText(better, significant) {
  const word = better ? "better" : "worse";
  if (significant === true) return ` ${better ? "\u25b2" : "\u25bc"} ${word}`;
  if (significant === false) return ` ${better ? "\u25b3" : "\u25bd"} ${word} (not significant)`;
  return ` ${better ? "\u25b3" : "\u25bd"} ${word}`;
}

function comparisonMetrics(spec) {
  const names = spec.names || [];
  const base = spec.baseline_index ?? 0;
  const head = [h("th", { scope: "col", text: "metric" }), h("th", { scope: "col", text: "" })];
  names.forEach((name, i) => {
    head.push(h("th", { scope: "col", class: i === base ? "wb-baseline" : undefined, text: i === base ? `${name} (baseline)` : name }));
    if (i !== base) head.push(h("th", { scope: "col", text: `\u0394 ${name}` }));
  });
  const body = (spec.metrics || []).map((row) => {
    const cells = [h("th", { scope: "row", text: row.metric }), h("td", {}, hint(row.greater_is_better))];
    names.forEach((name, i) => {
      const vci = row.ci[i];
      cells.push(h("td", { class: "wb-num wb-value", data: { run: i, value: row.values[i] ?? "" } }, fmt(row.values[i]),
        vci ? h("span", { class: "wb-ci", text: ` [${fmt(vci[0])}, ${fmt(vci[1])}]` }) : null));
      if (i === base) return;
      const better = row.better[i];
      const cls = better === true ? "wb-better" : better === false ? "wb-worse" : "wb-same";
      const dci = row.delta_ci[i];
      const significant = row.significant[i];
      cells.push(h("td", {
        class: `wb-num wb-delta ${cls}`,
        data: { run: i, better: better === null ? "none" : String(better), significant: significant === null ? "none" : String(significant), value: row.deltas[i] ?? "" },
      },
      fmtSigned(row.deltas[i]),
      dci ? h("span", { class: "wb-ci", text: ` [${fmtSigned(dci[0])}, ${fmtSigned(dci[1])}]` }) : null,
      better === null ? null : h("span", { class: "wb-badge", text: badgeText(better, significant) })));
    });
    return h("tr", { data: { metric: row.metric } }, cells);
  });
  return h("table", { class: "wb-table wb-compare-metrics" }, h("thead", {}, h("tr", {}, head)), h("tbody", {}, body));
}

function comparisonSummary(spec) {
  const nodes = [];
  const level = spec.confidence ? `${fmt(num(spec.confidence) * 100)}%` : "";
  nodes.push(note(spec.paired
    ? `The results share the same rows: brackets hold paired bootstrap ${level} confidence intervals (${spec.n_resamples} resamples).`
    : "The results do not share the same rows: deltas are plain differences, without intervals."));
  if (spec.metrics && spec.metrics.length) nodes.push(comparisonMetrics(spec));
  else nodes.push(note("No metric in common."));
  if (spec.gates && spec.gates.length) nodes.push(h("h4", { text: "Gates" }), gateBadges(spec.gates));
  if (spec.notes && spec.notes.length) nodes.push(h("h4", { text: "Notes" }), list(spec.notes, "wb-notes"));
  if (spec.models && spec.models.length) {
    nodes.push(h("h4", { text: "Runs" }), table(["name", "run id", "model", "type", "data", "digest", "rows"], spec.models, { className: "wb-table wb-models" }));
  }
  return h("div", { class: "wb-compare-summary" }, nodes);
}

function comparisonCurves(panel, spec, read) {
  const kinds = CURVE_ORDER.filter((k) => spec.curves && spec.curves[k] && spec.curves[k].length);
  if (!kinds.length) return null;
  return h("div", { class: "wb-grid" }, kinds.map((kind) => panel.plot("curves", kind, (Plotly, node) => {
    const { traces, layout } = curveFigure(kind, spec.curves[kind], read, true, panel.fg);
    return Plotly.newPlot(node, traces, layout, PLOT_CONFIG);
  })));
}

function runPicker(model) {
  const runs = model.get("runs") || [];
  const known = new Set(runs.map((r) => r.id));
  // The order of selection is kept: the first run ticked is the baseline.
  const order = (model.get("selected") || []).filter((id) => known.has(id));
  const status = h("span", { class: "wb-status", role: "status", text: order.length < 2 ? "Select two or more runs to compare." : "" });
  const boxes = runs.map((run) => {
    const box = h("input", { type: "checkbox", value: run.id, checked: order.includes(run.id), data: { run: run.id } });
    box.addEventListener("change", () => {
      const i = order.indexOf(run.id);
      if (box.checked && i < 0) order.push(run.id);
      if (!box.checked && i >= 0) order.splice(i, 1);
      status.textContent = order.length < 2 ? "Select two or more runs to compare." : "Comparing\u2026";
      model.set("selected", [...order]);
      model.save_changes();
    });
    const facts = [run.model_type, run.created].filter(Boolean).join(", ");
    return h("label", { class: "wb-run-choice" }, box, " ", h("span", { class: "wb-run-name", text: run.name }),
      facts ? h("span", { class: "wb-hint", text: ` (${facts})` }) : null);
  });
  const error = h("div", { class: "wb-error", role: "alert", text: model.get("error") || "" });
  error.hidden = !model.get("error");
  return h("fieldset", { class: "wb-picker" }, h("legend", { text: "Runs (the first one ticked is the baseline)" }), boxes, status, error);
}

function renderComparison(panel, spec, read, model) {
  const hasSpec = spec && spec.type === "comparison";
  if (hasSpec) {
    panel.addTab("metrics", "Metrics", comparisonSummary(spec));
    const curves = comparisonCurves(panel, spec, read);
    if (curves) panel.addTab("curves", "Curves", curves);
    if (spec.per_class) {
      panel.addTab("per-class", "Per-class", h("div", {}, note("Per-class metrics and deltas against the baseline. Click a column header to sort."),
        table(spec.per_class.columns, spec.per_class.rows, { sortable: true, className: "wb-table wb-per-class" })));
    }
    if (spec.signature && spec.signature.length) {
      panel.addTab("signature", "Signature", table(["run", "part", "change", "name", "before", "after"], spec.signature, { className: "wb-table wb-signature-diff" }));
    } else if (spec.signature_compared) {
      panel.addTab("signature", "Signature", note("The model signatures are the same."));
    }
  }
  const top = h("div", {}, header(spec && spec.type ? spec : { type: "comparison", title: "Pick runs to compare" }));
  const runs = model.get("runs");
  if (Array.isArray(runs) && runs.length) top.appendChild(runPicker(model));
  panel.mount(top);
}

// ------------------------------------------------------------------------------------ entry point

function draw(model, host, root) {
  const spec = model.get("spec") || {};
  const read = makeReader(toBuffer(model.get("data")));
  const panel = new Panel(model, host, root);
  root.dataset.kind = spec.type || "empty";
  if (spec.type === "evaluation") renderEvaluation(panel, spec, read);
  else renderComparison(panel, spec, read, model);
  return panel;
}

function render({ model, el, host }) {
  const root = h("div", { class: "wb-panel" });
  el.appendChild(root);
  let panel = null;
  const redraw = () => {
    if (panel) panel.purge();
    try {
      panel = draw(model, host, root);
    } catch (err) {
      console.error("[workbench] the panel could not be drawn:", err);
      root.replaceChildren(h("div", { class: "wb-error", text: `The panel could not be drawn: ${err.message || err}` }));
      panel = null;
    }
  };
  const onError = () => {
    const box = root.querySelector(".wb-picker .wb-error");
    if (!box) return;
    const text = model.get("error") || "";
    box.textContent = text;
    box.hidden = !text;
    const status = root.querySelector(".wb-picker .wb-status");
    if (status && text) status.textContent = "";
  };
  const beforePrint = () => {
    globalThis.__wbPlotly?.loadNow?.();
    if (panel) panel.drawAll();
  };
  redraw();
  model.on("change:spec", redraw);
  model.on("change:error", onError);
  globalThis.addEventListener?.("beforeprint", beforePrint);
  return () => {
    model.off("change:spec", redraw);
    model.off("change:error", onError);
    globalThis.removeEventListener?.("beforeprint", beforePrint);
    if (panel) panel.purge();
  };
}

export default { render };
export { render, toBuffer, fmt, plotText };
