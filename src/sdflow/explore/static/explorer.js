// sdflow explore: the page. It asks the local server (JSON endpoints, see
// sdflow/explore/app.py) for runs and draws every chart as SVG (charts.js), so it needs
// no library and no network. Model text reaches the page only through textContent.
"use strict";

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                 "#e377c2", "#17becf"];
const state = {
  model: null,
  values: {},        // constant name -> number, or flat array of element values
  defaults: {},      // the same, at the model's defaults
  shapes: {},        // constant name -> nested default (to rebuild nested lists)
  inflight: false,
  again: false,
  timer: null,
  runs: 0,           // finished runs of the time plots (read by tests)
};

// ---------------------------------------------------------------- small helpers
function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function flatten(nested) {
  return Array.isArray(nested) ? nested.flatMap(flatten) : [nested];
}

function reshapeLike(flat, nested) {
  let i = 0;
  const build = (n) => (Array.isArray(n) ? n.map(build) : flat[i++]);
  return build(nested);
}

function setStatus(text, error = false) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = error ? "error" : "";
}

async function api(method, path, body) {
  const options = { method, headers: { "Content-Type": "application/json" } };
  if (body !== undefined) options.body = JSON.stringify(body);
  const reply = await fetch(path, options);
  const data = await reply.json();
  if (!reply.ok) throw new Error(data.error || `${path}: HTTP ${reply.status}`);
  return data;
}

// ---------------------------------------------------------------- settings
function settings() {
  const values = {};
  for (const [name, value] of Object.entries(state.values)) {
    const base = state.defaults[name];
    const same = Array.isArray(value) ? value.every((v, i) => v === base[i]) : value === base;
    if (!same) {
      values[name] = Array.isArray(value) ? reshapeLike(value, state.shapes[name]) : value;
    }
  }
  const use = document.getElementById("use-policy-year").checked;
  const year = Number(document.getElementById("policy-year").value);
  return { values, policy_year: use ? year : null };
}

function markChanged(name, label) {
  const value = state.values[name];
  const base = state.defaults[name];
  const changed = Array.isArray(value) ? value.some((v, i) => v !== base[i]) : value !== base;
  label.classList.toggle("changed", changed);
}

function slider(attrs, value, onInput) {
  const row = el("div", { class: "slider-row" });
  const input = el("input", { type: "range", ...attrs });
  input.value = value;
  const shown = el("output", {}, fmt(value));
  input.addEventListener("input", () => {
    shown.textContent = fmt(Number(input.value));
    onInput(Number(input.value));
  });
  row.append(input, shown);
  return { row, input, shown };
}

function step(low, high) {
  return (high - low) / 200;
}

function scalarControl(control, index) {
  const box = el("div", { class: "control" });
  const label = el("div", { class: "name", title: control.doc },
                   control.name + (control.units && control.units !== "1"
                                   ? ` (${control.units})` : ""));
  const { row, input } = slider({ min: control.low, max: control.high,
                                  step: step(control.low, control.high),
                                  id: `control-${index}`, "data-name": control.name },
                                control.default, (v) => {
    state.values[control.name] = v;
    markChanged(control.name, label);
    runSoon();
  });
  input.dataset.default = control.default;
  box.append(label, row);
  if (control.doc) box.append(el("div", { class: "doc" }, control.doc));
  return box;
}

function arrayedControl(control, index) {
  const box = el("div", { class: "control" });
  const label = el("div", { class: "name", title: control.doc },
                   `${control.name} [${control.dims.join(" × ")}]`);
  const lows = flatten(control.low), highs = flatten(control.high);
  const base = state.defaults[control.name];
  const elementInputs = [];
  const factor = slider({ min: control.factor_range[0], max: control.factor_range[1],
                          step: 0.01, id: `control-${index}-factor`,
                          "data-name": control.name, "data-role": "factor" }, 1, (f) => {
    state.values[control.name] = base.map((v) => v * f);
    elementInputs.forEach((item, i) => {
      item.input.value = state.values[control.name][i];
      item.shown.textContent = fmt(state.values[control.name][i]);
    });
    markChanged(control.name, label);
    runSoon();
  });
  box.append(label, el("div", { class: "doc" }, "common factor on every element"),
             factor.row);
  const details = el("details");
  details.append(el("summary", {}, `${control.elements.length} elements`));
  control.elements.forEach((name, i) => {
    const low = Math.min(lows[i], base[i]), high = Math.max(highs[i], base[i]);
    details.append(el("div", { class: "doc" }, name));
    const item = slider({ min: low, max: high, step: step(low, high),
                          "data-name": control.name, "data-element": i }, base[i], (v) => {
      state.values[control.name] = state.values[control.name].slice();
      state.values[control.name][i] = v;
      markChanged(control.name, label);
      runSoon();
    });
    elementInputs.push(item);
    details.append(item.row);
  });
  box.append(details);
  if (control.doc) box.append(el("div", { class: "doc" }, control.doc));
  return box;
}

function buildControls() {
  const holder = document.getElementById("controls");
  holder.replaceChildren();
  state.model.controls.forEach((control, i) => {
    if (control.dims.length) {
      state.defaults[control.name] = flatten(control.default);
      state.shapes[control.name] = control.default;
    } else {
      state.defaults[control.name] = control.default;
    }
    state.values[control.name] = state.defaults[control.name];
    holder.append(control.dims.length ? arrayedControl(control, i) : scalarControl(control, i));
  });
}

function buildPolicyYear() {
  const { start, stop, dt } = state.model;
  const input = document.getElementById("policy-year");
  const shown = document.getElementById("policy-year-value");
  input.min = start;
  input.max = stop;
  input.step = dt;
  input.value = start + Math.round((stop - start) / 2 / dt) * dt;
  shown.textContent = fmt(Number(input.value));
  const use = document.getElementById("use-policy-year");
  use.addEventListener("change", () => {
    input.disabled = !use.checked;
    runSoon();
  });
  input.addEventListener("input", () => {
    shown.textContent = fmt(Number(input.value));
    runSoon();
  });
}

// ---------------------------------------------------------------- views
function chosenSeries() {
  return Array.from(document.getElementById("series-choice").selectedOptions, (o) => o.value);
}

function runSoon() {
  clearTimeout(state.timer);
  state.timer = setTimeout(runNow, 80);
}

async function runNow() {
  if (state.inflight) { state.again = true; return; }
  const series = chosenSeries();
  if (!series.length) return;
  state.inflight = true;
  setStatus("running…");
  const started = performance.now();
  try {
    const current = settings();
    const data = await api("POST", "/api/run", { settings: current, series });
    drawPlots(data, current.policy_year);
    state.runs += 1;
    document.body.dataset.runs = state.runs;
    setStatus(`${data.scenario}; run in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    setStatus(error.message, true);
  } finally {
    state.inflight = false;
    if (state.again) { state.again = false; runSoon(); }
  }
}

function drawPlots(data, policyYear) {
  const holder = document.getElementById("plots");
  holder.replaceChildren();
  data.series.forEach((s, i) => {
    const box = el("div", { class: "chart", "data-series": s.label, id: `plot-${i}` });
    box.append(el("div", { class: "title" }, s.label + (s.units ? ` (${s.units})` : "")));
    const last = s.current[s.current.length - 1];
    const change = s.change_at_end === null ? "" :
      ` (${s.change_at_end >= 0 ? "+" : ""}${(100 * s.change_at_end).toFixed(1)}% on the baseline)`;
    box.append(el("div", { class: "change" },
                  `at ${fmt(data.time[data.time.length - 1])}: `));
    box.lastChild.append(el("span", { class: "end-value", "data-value": last }, fmt(last)),
                         document.createTextNode(change));
    box.append(el("div", { class: "hint" }, "solid: current settings; dashed: baseline"));
    box.append(chart({ time: data.time, policyYear,
                       lines: [{ values: s.baseline, cls: "baseline", name: "baseline" },
                               { values: s.current, cls: "current", name: "current" }] }));
    holder.append(box);
  });
}

async function drawFan() {
  const holder = document.getElementById("fan");
  const uncertain = Array.from(document.getElementById("fan-uncertain").selectedOptions,
                               (o) => o.value);
  const request = { settings: settings(), series: document.getElementById("fan-series").value,
                    uncertain,
                    spread: Number(document.getElementById("fan-spread").value) / 100,
                    runs: Number(document.getElementById("fan-runs").value) };
  setStatus("running the batch…");
  const started = performance.now();
  try {
    const data = await api("POST", "/api/fan", request);
    holder.replaceChildren();
    const b = data.bands;
    holder.append(chart({ time: data.time, policyYear: request.settings.policy_year,
      bands: [{ low: b["0.05"], high: b["0.95"], cls: "band90" },
              { low: b["0.25"], high: b["0.75"], cls: "band50" }],
      lines: [{ values: b["0.5"], cls: "median", name: "median" },
              { values: data.baseline, cls: "baseline", name: "baseline" }] }, 700, 260));
    const varied = Object.entries(data.uncertain)
      .map(([k, [lo, hi]]) => `${k} uniform ${fmt(lo)}–${fmt(hi)}`).join("; ");
    holder.append(el("p", { class: "hint" },
      `${data.label}: 90% and 50% bands and median of ${data.runs} runs` +
      (data.failed ? ` (${data.failed} failed runs left out)` : "") +
      `, dashed the baseline; varied: ${varied}`));
    setStatus(`${data.runs} runs in one batch, ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    setStatus(error.message, true);
  }
}

async function drawLoops() {
  const holder = document.getElementById("loops");
  setStatus("scoring the loops…");
  try {
    const data = await api("POST", "/api/loops", { settings: settings() });
    holder.replaceChildren();
    if (!data.loops.length) {
      holder.append(el("p", {}, "The model has no feedback loops."));
      setStatus("no loops");
      return;
    }
    holder.append(chart({ time: data.time, range: [-1, 1],
      lines: data.loops.map((loop, i) => ({ values: loop.scores, cls: "loop",
                                            color: PALETTE[i % PALETTE.length],
                                            name: loop.id })) }, 700, 260));
    holder.append(el("p", { class: "hint" },
      `Relative loop scores (balancing negative) of the ${data.loops.length} strongest of ` +
      `${data.loop_count} loops between ${data.level}` +
      (data.notes.length ? `; ${data.notes.join("; ")}` : "")));
    const table = el("table");
    table.append(row(["loop", "polarity", "mean share", "variables"], "th"));
    data.loops.forEach((loop, i) => {
      const tr = row(["", loop.polarity, fmt(loop.mean_share), loop.variables.join(" → ")]);
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = PALETTE[i % PALETTE.length];
      tr.firstChild.append(swatch, document.createTextNode(loop.id));
      if (data.level === "variables") {  // ids of sf.loops: the diagram can draw them
        tr.classList.add("clickable");
        tr.addEventListener("click", () => drawDiagram(loop.id));
      }
      table.append(tr);
    });
    holder.append(table);
    holder.append(el("h3", {}, "Periods of dominance"));
    const periods = el("table", { id: "dominance-periods" });
    periods.append(row(["from", "to", "dominant loops", "share"], "th"));
    for (const p of data.periods) {
      const shown = p.loops.length > 6 ? p.loops.slice(0, 6).join(", ") +
        ` and ${p.loops.length - 6} more` : p.loops.join(", ");
      periods.append(row([fmt(p.start), fmt(p.end), shown, fmt(p.share)]));
    }
    holder.append(periods);
    setStatus("loop dominance computed");
  } catch (error) {
    setStatus(error.message, true);
  }
}

function row(cells, tag = "td") {
  const tr = el("tr");
  for (const cell of cells) tr.append(el(tag, {}, cell));
  return tr;
}

async function exportScenario() {
  const uncertain = Array.from(document.getElementById("fan-uncertain").selectedOptions,
                               (o) => o.value);
  try {
    const data = await api("POST", "/api/scenario", {
      settings: settings(), outputs: chosenSeries(), uncertain,
      spread: Number(document.getElementById("fan-spread").value) / 100,
      n: Number(document.getElementById("fan-runs").value) });
    const text = document.getElementById("export-text");
    text.textContent = data.toml;
    text.hidden = false;
    const link = document.getElementById("export-download");
    link.href = URL.createObjectURL(new Blob([data.toml], { type: "application/toml" }));
    link.download = data.filename;
    link.hidden = false;
    setStatus("scenario exported: sdflow forecast reads it");
  } catch (error) {
    setStatus(error.message, true);
  }
}

// The diagram is inline SVG (so that its hover texts work), parsed as XML from our own
// server; anything scriptable is dropped before it joins the page.
async function drawDiagram(loop = null) {
  const holder = document.getElementById("diagram");
  const kind = loop ? "causal_loop" : document.getElementById("diagram-kind").value;
  const query = new URLSearchParams({ kind });
  if (loop) query.set("loop", loop);
  setStatus("drawing the diagram…");
  try {
    const reply = await fetch(`/api/diagram?${query}`);
    if (!reply.ok) throw new Error((await reply.json()).error);
    const svg = new DOMParser().parseFromString(await reply.text(), "image/svg+xml")
      .documentElement;
    svg.querySelectorAll("script, foreignObject").forEach((node) => node.remove());
    for (const node of svg.querySelectorAll("*")) {
      for (const attr of Array.from(node.attributes)) {
        if (attr.name.startsWith("on")) node.removeAttribute(attr.name);
      }
    }
    holder.replaceChildren(document.importNode(svg, true));
    holder.firstChild.setAttribute("data-kind", kind);
    setStatus(loop ? `loop ${loop}` : `${kind.replace("_", " ")} diagram`);
  } catch (error) {
    holder.replaceChildren(el("p", { class: "hint" }, error.message));
    setStatus(error.message, true);
  }
}

function resetAll() {
  buildControls();
  document.getElementById("use-policy-year").checked = false;
  document.getElementById("policy-year").disabled = true;
  runSoon();
}

async function start() {
  try {
    state.model = await api("GET", "/api/model");
  } catch (error) {
    setStatus(error.message, true);
    return;
  }
  const model = state.model;
  document.getElementById("model-name").textContent =
    `${model.name} (${fmt(model.start)} to ${fmt(model.stop)} ${model.time_units})`;
  document.title = `sdflow explore: ${model.name}`;
  buildControls();
  buildPolicyYear();
  const choice = document.getElementById("series-choice");
  const fanSeries = document.getElementById("fan-series");
  for (const s of model.series) {
    const option = el("option", { value: s.label }, s.label);
    option.selected = model.default_series.includes(s.label);
    choice.append(option);
    fanSeries.append(el("option", { value: s.label }, s.label));
  }
  fanSeries.value = model.default_series[0];
  choice.addEventListener("change", runSoon);
  const uncertain = document.getElementById("fan-uncertain");
  model.controls.filter((c) => !c.dims.length).forEach((c, i) => {
    const option = el("option", { value: c.name }, c.name);
    option.selected = i === 0;
    uncertain.append(option);
  });
  document.getElementById("fan-draw").addEventListener("click", drawFan);
  document.getElementById("loops-draw").addEventListener("click", drawLoops);
  document.getElementById("export").addEventListener("click", exportScenario);
  document.getElementById("reset-all").addEventListener("click", resetAll);
  document.getElementById("diagram-draw").addEventListener("click", () => drawDiagram());
  await runNow();
  drawDiagram();
}

start();
