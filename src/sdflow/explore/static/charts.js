// sdflow explore: line charts and bands drawn as SVG, with axes and ticks; no library.
"use strict";

const SVG = "http://www.w3.org/2000/svg";

function svgEl(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function fmt(v) {
  if (v === null || v === undefined || !isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) {
    return Number(v.toPrecision(3)).toExponential().replace("e+", "e");
  }
  return String(+v.toPrecision(4));
}

function ticks(low, high, count = 5) {
  const span = high - low || Math.abs(high) || 1;
  const raw = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = [1, 2, 5, 10].map((m) => m * power).find((s) => span / s <= count) || raw;
  const found = [];
  for (let t = Math.ceil(low / unit) * unit; t <= high + unit * 1e-9; t += unit) {
    found.push(Math.abs(t) < unit * 1e-9 ? 0 : t);
  }
  return found;
}

function pathData(xs, ys, x, y) {
  let d = "", pen = false;
  xs.forEach((t, i) => {
    const v = ys[i];
    if (v === null || v === undefined) { pen = false; return; }
    d += `${pen ? "L" : "M"}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

function bandData(xs, lows, highs, x, y) {
  const top = xs.map((t, i) => `${x(t).toFixed(1)},${y(highs[i] ?? 0).toFixed(1)}`);
  const bottom = xs.map((t, i) => `${x(t).toFixed(1)},${y(lows[i] ?? 0).toFixed(1)}`);
  return `M${top.join("L")}L${bottom.reverse().join("L")}Z`;
}

// A chart: {time, lines: [{values, cls, color, name}], bands: [{low, high, cls}],
// range: [min, max] (optional), policyYear}. Returns the <svg>.
function chart(spec, width = 460, height = 220) {
  const margin = { left: 58, right: 22, top: 10, bottom: 26 };
  const all = [];
  for (const line of spec.lines) all.push(...line.values.filter((v) => v !== null));
  for (const band of spec.bands || []) {
    all.push(...band.low.filter((v) => v !== null), ...band.high.filter((v) => v !== null));
  }
  let [low, high] = spec.range || [Math.min(...all), Math.max(...all)];
  if (!isFinite(low) || !isFinite(high)) { low = 0; high = 1; }
  if (high === low) { high = low + (Math.abs(low) || 1) * 0.1; low -= (high - low); }
  const pad = spec.range ? 0 : (high - low) * 0.05;
  low -= pad; high += pad;
  const t0 = spec.time[0], t1 = spec.time[spec.time.length - 1];
  const x = (t) => margin.left + (t - t0) / ((t1 - t0) || 1) * (width - margin.left - margin.right);
  const y = (v) => height - margin.bottom -
    (v - low) / (high - low) * (height - margin.top - margin.bottom);
  const svg = svgEl("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
  for (const t of ticks(low, high)) {
    svg.append(svgEl("line", { class: "grid", x1: margin.left, x2: width - margin.right,
                               y1: y(t), y2: y(t) }));
    svg.append(svgEl("text", { x: margin.left - 4, y: y(t) + 4, "text-anchor": "end" },
                     fmt(t)));
  }
  for (const t of ticks(t0, t1, 6)) {
    svg.append(svgEl("text", { x: x(t), y: height - 8, "text-anchor": "middle" }, fmt(t)));
  }
  svg.append(svgEl("line", { class: "axis", x1: margin.left, x2: margin.left,
                             y1: margin.top, y2: height - margin.bottom }));
  svg.append(svgEl("line", { class: "axis", x1: margin.left, x2: width - margin.right,
                             y1: height - margin.bottom, y2: height - margin.bottom }));
  for (const band of spec.bands || []) {
    svg.append(svgEl("path", { class: band.cls, d: bandData(spec.time, band.low, band.high, x, y) }));
  }
  if (spec.policyYear !== null && spec.policyYear !== undefined) {
    svg.append(svgEl("line", { class: "policy", x1: x(spec.policyYear), x2: x(spec.policyYear),
                               y1: margin.top, y2: height - margin.bottom }));
  }
  for (const line of spec.lines) {
    const attrs = { class: line.cls, d: pathData(spec.time, line.values, x, y),
                    "data-name": line.name };
    if (line.color) attrs.stroke = line.color;
    const path = svgEl("path", attrs);
    path.append(svgEl("title", {}, line.name));
    svg.append(path);
  }
  return svg;
}

