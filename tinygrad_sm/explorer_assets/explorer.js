// The explorer page. Its data (written by tinygrad_sm/explorer.py into a JSON block, never into
// code) holds the tensors, the forward and backward steps in the engine's order, and every array
// once, in two binary buffers. Every name is written with textContent or, inside formulas, as the
// \text{...} that Python escaped: nothing from the data is ever parsed as markup or run.
// Everything is local: no request leaves the page.
(function () {
  "use strict";
  const started = performance.now();
  const D = JSON.parse(document.getElementById("explorer-data").textContent);
  const T = D.tensors;
  const $ = (id) => document.getElementById(id);
  const graph = $("graph"), panel = $("panel");
  const SVG = "http://www.w3.org/2000/svg";
  const COMPACT_ABOVE = 1500;
  const TILE_ABOVE = 400;  // drawn nodes above which the page's own picture is cut into tiles  // drawn nodes above which a box shows its name only (shape and dtype on hover)

  // ------------------------------------------------------------ the arrays, decoded once
  function decode(text, Kind) {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    return new Kind(bytes.buffer, 0, bytes.length / Kind.BYTES_PER_ELEMENT);
  }
  const buffers = [decode(D.values.f64, Float64Array), decode(D.values.f32, Float32Array)];
  const cache = new Map();
  // A value: {shape, kind, values (small arrays), norm, min, max, heat (large arrays)}.
  function valueOf(ref) {
    if (ref === undefined || ref < 0) return null;
    if (cache.has(ref)) return cache.get(ref);
    const item = D.values.items[ref];
    let v;
    if (Array.isArray(item)) {
      const [buffer, offset, shape, kind] = item;
      const size = shape.reduce((a, b) => a * b, 1);
      const values = buffers[buffer].subarray(offset, offset + size);
      let norm = 0, min = Infinity, max = -Infinity;
      for (const x of values) if (isFinite(x)) { norm += x * x; min = Math.min(min, x); max = Math.max(max, x); }
      v = { shape, kind, values, norm: Math.sqrt(norm), min: isFinite(min) ? min : 0, max: isFinite(max) ? max : 0 };
    } else {
      const [r, c, buffer, offset] = item.heat;
      v = { shape: item.shape, kind: item.kind, norm: item.norm, min: item.min, max: item.max,
        heat: { r, c, v: buffers[buffer].subarray(offset, offset + r * c) } };
    }
    cache.set(ref, v);
    return v;
  }
  function num(x, kind) {  // four significant digits, as the pictures print them
    if (kind !== "f") return kind === "b" ? (x ? "True" : "False") : String(x);
    if (x === 0) return "0";
    if (!isFinite(x)) return isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
    const a = Math.abs(x);
    if (a >= 1e-4 && a < 1e6) return String(parseFloat(x.toPrecision(4)));
    return x.toExponential(3).replace(/\.?0+e/, "e").replace("e+", "e+").replace(/e([+-])(\d)$/, "e$10$2");
  }
  function text(v) {
    if (!v) return "";
    if (v.heat || !v.values) return "shape (" + v.shape.join(", ") + "), norm " + num(v.norm, "f");
    if (v.shape.length === 0) return num(v.values[0], v.kind);
    let k = 0;
    const nest = (depth, indent) => {
      const parts = [];
      for (let n = 0; n < v.shape[depth]; n++) parts.push(depth === v.shape.length - 1 ? num(v.values[k++], v.kind) : nest(depth + 1, indent + " "));
      return "[" + parts.join(depth === v.shape.length - 1 ? ", " : ",\n" + indent + " ") + "]";
    };
    return nest(0, "");
  }
  const shortText = (v) => (v.values && v.values.length <= 3 ? text(v) : "\u2016\u00b7\u2016 " + parseFloat(v.norm.toPrecision(3)));

  // ------------------------------------------------------------ the steps, rebuilt from the data
  const label = (p, count) => (count < 2 ? "" : count === 2 ? ["lhs", "rhs"][p] : String(p));
  const steps = [], arrivals = new Map();
  D.steps.forward.forEach((i, n) => steps.push({ phase: "forward", n, tensor: i, node: T.opnode[i], out: T.node[i] }));
  D.steps.backward.forEach(([i, total, sends], n) => {
    const step = { phase: "backward", n, tensor: i, grad: total, node: T.opnode[i], out: T.node[i], sends: [] };
    sends.forEach(([j, ref, running], p) => {
      const send = { tensor: j, label: label(p, sends.length), grad: ref, running, edge: T.node[j] + "->" + T.opnode[i] };
      if (ref >= 0) {
        if (!arrivals.has(j)) arrivals.set(j, []);
        arrivals.get(j).push({ from: i, op: T.op[i], label: send.label, value: ref });
        send.count = arrivals.get(j).length;
      }
      step.sends.push(send);
    });
    steps.push(step);
  });
  D.steps.leaf.forEach(([i, total], n) => steps.push({ phase: "leaf", n, tensor: i, grad: total, node: T.node[i], out: T.node[i] }));
  const counts = { forward: D.steps.forward.length, backward: D.steps.backward.length, leaf: D.steps.leaf.length };

  // ------------------------------------------------------------ the picture: Graphviz's, or laid out here
  const colours = { parameter: "#c8e6c9", input: "#cfe3f7", constant: "#e8e8e8", intermediate: "#ffffff", output: "#ffd8a8" };
  function svgEl(tag, attrs, parent) {
    const e = document.createElementNS(SVG, tag);
    for (const key in attrs) e.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(e);
    return e;
  }
  // Nodes on the rank of their longest path from the inputs, ordered in a rank by the mean place of
  // their inputs; straight edges. nodes: [{name, lines: [bold, small], shape, fill}], edges: [tail, head, text].
  function layered(nodes, edges, box) {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const ins = new Map(), outs = new Map(), waiting = new Map();
    for (const n of nodes) { ins.set(n.name, []); outs.set(n.name, []); waiting.set(n.name, 0); }
    for (const [a, b] of edges) { ins.get(b).push(a); outs.get(a).push(b); waiting.set(b, waiting.get(b) + 1); }
    const ready = nodes.filter((n) => waiting.get(n.name) === 0).map((n) => n.name), rank = new Map(), rows = [];
    for (const n of ready) rank.set(n, 0);
    while (ready.length) {
      const n = ready.pop(), r = rank.get(n);
      (rows[r] = rows[r] || []).push(n);
      for (const h of outs.get(n)) {
        rank.set(h, Math.max(rank.get(h) || 0, r + 1));
        waiting.set(h, waiting.get(h) - 1);
        if (waiting.get(h) === 0) ready.push(h);
      }
    }
    const compact = nodes.length > COMPACT_ABOVE;  // one line a box: text is what costs the browser most
    const H = 34, GAP = 64, place = new Map();
    const order = rows.map((row) => row || []);
    const widthOf = (n) => { const shown = compact ? byName.get(n).lines.slice(0, 1) : byName.get(n).lines; return Math.max(60, 7 * Math.max(...shown.map((l) => Math.min(l.length, 60))) + 18); };
    const mean = (n, near) => {  // a node feeding (or fed by) hundreds pulls no one: it goes where it can
      const far = near === ins ? outs : ins, placed = near.get(n).filter((t) => place.has(t));
      const local = placed.filter((t) => far.get(t).length <= 8);
      const xs = (local.length ? local : placed).map((t) => place.get(t).x);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : place.has(n) ? place.get(n).x : 0;
    };
    let width = 0;
    // three sweeps: down by the inputs' places, up by the consumers' (so a weight sits above its
    // matmul), down again; within a row, left to right, each node as near its wanted place as it fits
    for (const [sequence, near] of [[order.keys(), ins], [[...order.keys()].reverse(), outs], [order.keys(), ins]]) {
      width = 0;
      for (const r of sequence) {
        const keyed = order[r].map((n) => [mean(n, near), n]).sort((a, b) => a[0] - b[0]);
        let x = 10;
        for (const [m, n] of keyed) {
          const w = widthOf(n);
          x = Math.max(x, m - w / 2);
          place.set(n, { x: x + w / 2, y: 20 + r * GAP + H / 2, w });
          x += w + 14;
        }
        order[r] = keyed.map(([, n]) => n);
      }
      for (const row of order) if (row.length) { const last = place.get(row[row.length - 1]); width = Math.max(width, last.x + last.w / 2 + 14); }
    }
    const height = 40 + Math.max(1, rows.length) * GAP, total = width + 10;
    // A wide picture is cut into side-by-side SVGs (each drawing in the whole picture's coordinates, its
    // content free to overflow): a step repaints the few it changes, not one SVG of tens of thousands.
    const TILE = nodes.length > TILE_ABOVE ? 1600 : total, count = Math.max(1, Math.ceil(total / TILE));
    const holder = document.createElement("div");
    holder.className = "layered-picture";
    holder.style.width = total + "px"; holder.style.height = height + "px";
    const tiles = [];
    for (let k = 0; k < count; k++) {
      const svg = svgEl("svg", { width: TILE, height, viewBox: k * TILE + " 0 " + TILE + " " + height, class: "layered", overflow: "visible" });
      svg.style.left = k * TILE + "px";
      const id = "arrow-" + box.id + "-" + k;
      const arrow = svgEl("marker", { id, viewBox: "0 0 6 6", refX: 6, refY: 3, markerWidth: 6, markerHeight: 6, orient: "auto" }, svgEl("defs", {}, svg));
      svgEl("path", { d: "M0,0L6,3L0,6z", fill: "#555555" }, arrow);
      tiles.push({ edges: svgEl("g", { class: "graph" }, svg), nodes: null, arrow: "url(#" + id + ")" });
      holder.appendChild(svg);
    }
    for (const tile of tiles) tile.nodes = svgEl("g", { class: "graph" }, tile.edges.ownerSVGElement);  // nodes over edges
    const tileAt = (x) => tiles[Math.min(count - 1, Math.max(0, Math.floor(x / TILE)))];
    const found = { nodes: new Map(), edges: new Map(), bounds: { left: 0, top: 0, right: total, bottom: height } };
    for (const [a, b, t] of edges) {  // no <title>s: the maps below find the elements
      const p = place.get(a), q = place.get(b), tile = tileAt(q.x);
      const g = svgEl("g", { class: "edge" }, tile.edges);
      const y1 = p.y + H / 2, y2 = q.y - H / 2;
      svgEl("path", { d: "M" + p.x + "," + y1 + "L" + q.x + "," + y2, "marker-end": tile.arrow }, g);
      if (t) svgEl("text", { x: (p.x + q.x) / 2 + 4, y: (y1 + y2) / 2, class: "small" }, g).textContent = t;
      else g._mid = [(p.x + q.x) / 2 + 4, (y1 + y2) / 2];
      found.edges.set(a + "->" + b, g);
    }
    const cut = (s) => (s.length > 60 ? s.slice(0, 59) + "\u2026" : s);
    for (const node of nodes) {
      const p = place.get(node.name);
      if (!p) continue;
      const g = svgEl("g", { class: "node", "data-id": node.name }, tileAt(p.x).nodes);
      if (node.shape === "box") svgEl("rect", { x: p.x - p.w / 2, y: p.y - H / 2, width: p.w, height: H, rx: 6, fill: node.fill }, g);
      else {
        svgEl("ellipse", { cx: p.x, cy: p.y, rx: p.w / 2, ry: H / 2, fill: node.fill }, g);
        if (node.shape === "double") svgEl("ellipse", { cx: p.x, cy: p.y, rx: p.w / 2 - 3, ry: H / 2 - 3, fill: "none" }, g);
      }
      const [first, rest] = node.lines, second = compact ? "" : rest;
      svgEl("text", { x: p.x, y: second ? p.y - 2 : p.y + 4, class: "bold" }, g).textContent = cut(first);
      if (second) svgEl("text", { x: p.x, y: p.y + 11, class: "small" }, g).textContent = cut(second);
      else if (rest) svgEl("title", {}, g).textContent = first + "\n" + rest;  // on hover: not laid out
      found.nodes.set(node.name, g);
    }
    box.prepend(holder);
    return { svg: holder, ...found };
  }
  function tensorNode(i, fill) {
    return { name: "t" + i, lines: [T.name[i], "(" + T.shape[i].join(", ") + (T.shape[i].length === 1 ? "," : "") + ") " + T.dtype[i]], shape: "box", fill: fill || colours[T.kind[i]] };
  }
  function drawMain() {  // the same drawn nodes and edges as viz's layout, from the tensors' data
    const nodes = new Map(), edges = new Map(), sizes = new Map();
    for (let i = 0; i < T.name.length; i++) {
      const o = T.opnode[i];
      if (o && D.composite[o] !== undefined) sizes.set(o, (sizes.get(o) || 0) + 1);
    }
    const add = (name, make) => { if (!nodes.has(name)) nodes.set(name, make()); };
    const composite = (name) => ({ name, lines: [D.composite[name], "composite, " + (sizes.get(name) || 0) + " ops"], shape: "double", fill: "#ead7f3" });
    for (let i = 0; i < T.name.length; i++) {
      const n = T.node[i];
      add(n, () => (D.composite[n] !== undefined ? composite(n) : tensorNode(i)));
      const o = T.opnode[i];
      if (!o) continue;
      add(o, () => (D.composite[o] !== undefined ? composite(o) : { name: o, lines: [T.title[i]], shape: "ellipse", fill: "#fff4c2" }));
      if (o !== n) edges.set(o + "\u0000" + n + "\u0000", [o, n, ""]);
      const inputs = T.inputs[i];
      inputs.forEach((j, p) => {
        if (T.node[j] === o) return;
        const t = D.composite[o] !== undefined ? "" : label(p, inputs.length);
        edges.set(T.node[j] + "\u0000" + o + "\u0000" + t, [T.node[j], o, t]);
      });
    }
    return layered([...nodes.values()], [...edges.values()], graph);
  }
  let svg, nodes = new Map(), edges = new Map(), bounds = null;
  if (D.layered) ({ svg, nodes, edges, bounds } = drawMain());
  else {  // Graphviz's SVG: nodes and edges carry their names in <title>
    svg = graph.querySelector("svg");
    for (const g of graph.querySelectorAll("g.node")) {
      const title = g.querySelector("title");
      if (title) nodes.set(title.textContent, g);
    }
    for (const g of graph.querySelectorAll("g.edge")) {
      const title = g.querySelector("title");
      if (title) edges.set(title.textContent.replace("\u2192", "->"), g);
    }
  }
  for (const name of Object.keys(D.composite)) {
    const g = nodes.get(name);
    if (g) {
      g.classList.add("composite");
      g.addEventListener("click", () => openInner(name));
    }
  }

  // ------------------------------------------------------------ values in the panel
  function tex(latex, element) {
    if (window.katex) {
      try { window.katex.render(latex, element, { throwOnError: false }); return; } catch (e) { /* shown as text below */ }
    }
    element.textContent = latex;
  }
  function el(tag, cls, content) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  }
  function heat(h) {
    const canvas = el("canvas", "heat");
    const scale = Math.max(1, Math.floor(160 / Math.max(h.r, h.c)));
    canvas.width = h.c; canvas.height = h.r;
    canvas.style.width = (h.c * scale) + "px"; canvas.style.height = (h.r * scale) + "px";
    const ctx = canvas.getContext("2d"), img = ctx.createImageData(h.c, h.r);
    let top = 0;
    for (const v of h.v) if (isFinite(v)) top = Math.max(top, Math.abs(v));
    h.v.forEach((v, k) => {
      const t = top > 0 && isFinite(v) ? v / top : 0;  // blue negative, white zero, red positive
      const [r, g, b] = t >= 0 ? [255, 255 * (1 - t), 255 * (1 - t)] : [255 * (1 + t), 255 * (1 + t), 255];
      img.data.set([r, g, b, 255], 4 * k);
    });
    ctx.putImageData(img, 0, 0);
    canvas.title = "heat map (" + h.r + " x " + h.c + " blocks): blue negative, red positive";
    return canvas;
  }
  // A value: numbers for small tensors; shape, norm and a heat map for large ones.
  function value(ref, role, tensor) {
    const box = el("div", "row"), v = valueOf(ref);
    if (!v) { box.appendChild(el("span", "note", "no gradient (a constant, or an input that does not require grad)")); return box; }
    const shown = el("span", "value", text(v));
    if (role) {
      shown.dataset.role = role;
      if (tensor !== undefined) shown.dataset.tensor = String(tensor);
      if (v.values) shown.dataset.values = JSON.stringify(Array.from(v.values, String));
      shown.dataset.norm = String(v.norm);
    }
    box.appendChild(shown);
    if (v.heat) {
      box.appendChild(el("div", "summary", "shape (" + v.shape.join(", ") + "), norm " + num(v.norm, "f") +
        ", min " + num(v.min, "f") + ", max " + num(v.max, "f")));
      box.appendChild(heat(v.heat));
    }
    return box;
  }
  const nameOf = (i) => T.name[i];
  const wrt = (name) => /[ +\-*/@]/.test(name) ? "(" + name + ")" : name;

  // ------------------------------------------------------------ the panel for one step
  function formula(caption, latex) {
    const row = el("div", "formula");
    row.appendChild(el("span", "label", caption + " "));
    const math = el("span");
    tex(latex, math);
    row.appendChild(math);
    return row;
  }
  function hands(i) {
    for (const h of D.hands[i] || []) {
      const box = el("div", "hand");
      box.appendChild(el("div", "label", "By hand: " + h.title));
      box.appendChild(formula("", h.formula));
      box.appendChild(el("div", "note", "hand-derived:"));
      box.appendChild(value(h.hand, "hand"));
      box.appendChild(el("div", "note", "autograd:"));
      box.appendChild(value(h.autograd));
      const diff = el("div", "diff" + (h.diff === null || h.diff > h.tolerance ? " bad" : ""), "largest |hand \u2212 autograd| = " + (h.diff === null ? "not finite" : h.diff.toExponential(2)));
      diff.dataset.role = "hand-diff";
      box.appendChild(diff);
      panel.appendChild(box);
    }
  }
  function derived(s) {
    const d = D.derived[s.tensor];
    if (!d) return;
    const box = el("div", "hand derived" + (d.ok ? "" : " wrong"));
    box.appendChild(el("div", "label", "Your derivation of \u2202" + D.tensors.name[D.root] + "/\u2202" + wrt(nameOf(s.tensor))));
    box.appendChild(value(d.yours, "derived", s.tensor));
    box.appendChild(el("div", "note", "autograd:"));
    box.appendChild(value(s.grad));
    const verdict = el("div", "diff" + (d.ok ? "" : " bad"), d.ok ? "matches autograd" : "differs from autograd: " + d.message);
    verdict.dataset.role = "derived-verdict";
    box.appendChild(verdict);
    panel.appendChild(box);
  }
  function arrived(s) {
    const list = arrivals.get(s.tensor) || [];
    if (list.length < 2) return;
    panel.appendChild(el("h3", "", "contributions adding up (" + nameOf(s.tensor) + " is used " + list.length + " times)"));
    list.forEach((c, k) => {
      const row = el("div", "contrib");
      row.appendChild(el("div", "note", (k ? "+ " : "") + "from " + c.op + (c.label ? " (as its " + c.label + ")" : "") + ", which made " + nameOf(c.from)));
      row.appendChild(value(c.value));
      panel.appendChild(row);
    });
    panel.appendChild(el("div", "note", "= the total above"));
  }
  function render(k) {
    const s = steps[k], i = s.tensor, name = nameOf(i);
    panel.textContent = "";
    const head = el("h2", "phase-" + s.phase);
    const op = T.title[i], detail = T.detail[i];
    if (s.phase === "forward") head.textContent = "Forward " + (s.n + 1) + "/" + counts.forward + ": " + op + (detail ? " (" + detail + ")" : "") + " makes " + name;
    else if (s.phase === "backward") head.textContent = "Backward " + (s.n + 1) + "/" + counts.backward + ": through " + op + ", which made " + name;
    else head.textContent = "Leaf " + (s.n + 1) + "/" + counts.leaf + ": " + name + " (" + T.kind[i] + ") receives its gradient";
    head.dataset.name = name;
    panel.appendChild(head);
    const math = D.ops[T.op[i]] || ["", ""];
    if (s.phase === "forward") {
      panel.appendChild(formula("rule:", T.tex[i] + " = " + math[0]));
      const inputs = T.inputs[i];
      if (inputs.length === 1) panel.appendChild(formula("where", "x = " + T.tex[inputs[0]]));
      panel.appendChild(el("h3", "", "inputs"));
      inputs.forEach((j, p) => {
        const l = label(p, inputs.length);
        panel.appendChild(el("div", "note", (l ? l + ": " : "") + nameOf(j) + "  (" + T.shape[j].join("\u00d7") + " " + T.dtype[j] + ")"));
        panel.appendChild(value(T.value[j], "input", j));
      });
      panel.appendChild(el("h3", "", "output " + name));
      panel.appendChild(value(T.value[i], "output", i));
      return;
    }
    panel.appendChild(el("h3", "", "gradient arriving at " + name));
    panel.appendChild(el("div", "note", "\u2202" + nameOf(D.root) + "/\u2202" + wrt(name) + (s.phase === "leaf" ? "  (what backward() stores in " + name + ".grad)" : "")));
    panel.appendChild(value(s.grad, "grad", i));
    arrived(s);
    if (s.phase === "backward") {
      panel.appendChild(el("h3", "", "local rule of " + op + " (g: the gradient arriving)"));
      panel.appendChild(formula("forward:", math[0]));
      panel.appendChild(formula("VJP:", math[1]));
      const source = (D.sources || {})[T.op[i]];
      if (source) panel.appendChild(el("pre", "source", source));  // a custom Function: the learner's own rule
      panel.appendChild(el("h3", "", "sent to the inputs"));
      for (const send of s.sends) {
        const of = (arrivals.get(send.tensor) || []).length;
        panel.appendChild(el("div", "note", "to " + (send.label ? send.label + " " : "") + nameOf(send.tensor) +
          (of > 1 && send.grad >= 0 ? "  (contribution " + send.count + " of " + of + ")" : "")));
        panel.appendChild(value(send.grad, "sent", send.tensor));
        if (send.running >= 0) {
          panel.appendChild(el("div", "note contrib", "running sum at " + nameOf(send.tensor) + ":"));
          panel.appendChild(value(send.running));
        }
      }
    }
    derived(s);  // at a leaf, or at an intermediate the learner derived too
    hands(i);
  }

  // ------------------------------------------------------------ marking the picture
  let current = -1;
  const marked = { current: null, op: null };
  const placed = new Map();  // grid cell -> the edge-gradient labels shown there (no two overlap)
  const CELL = 40;
  const cells = (b) => {
    const out = [];
    for (let x = Math.floor(b.x / CELL); x <= Math.floor((b.x + b.width) / CELL); x++)
      for (let y = Math.floor(b.y / CELL); y <= Math.floor((b.y + b.height) / CELL); y++) out.push(x + "," + y);
    return out;
  };
  const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  function clashes(b, self, withNodes) {
    for (const c of cells(b)) for (const other of placed.get(c) || []) if (other !== self && (withNodes || !other._isNode) && overlaps(b, other._box)) return true;  // hidden ones too: they come back
    return false;
  }
  // Edge-gradient labels are made in a batch and placed together: all geometry is read in one pass
  // and written in another, so a jump across thousands of steps lays the page out twice, not each time.
  let pending = [], wanted = [];
  function edgeLabel(g, content) { wanted.push([g, content]); }
  function makeLabels() {  // reads (the anchor points) first, then writes (the new elements)
    const anchors = wanted.map(([g]) => {
      const path = g.querySelector("path"), own = g.querySelector("text");
      if (g._mid) return g._mid;
      if (own) return [Number(own.getAttribute("x")), Number(own.getAttribute("y")) + 11];  // under lhs/rhs
      if (!path || !path.getTotalLength) return null;
      const at = path.getPointAtLength(path.getTotalLength() / 2);
      return [at.x + 4, at.y];
    });
    wanted.forEach(([g, content], n) => {
      if (!anchors[n]) return;
      const t = document.createElementNS(SVG, "text");
      t.setAttribute("class", "edge-grad");
      t.setAttribute("x", anchors[n][0]); t.setAttribute("y", anchors[n][1]);
      t.textContent = content;
      g.appendChild(t);
      pending.push(t);
    });
    wanted = [];
  }
  function settleLabels() {
    makeLabels();
    if (!pending.length) return;
    let { left, top, right, bottom } = bounds || { left: 0, top: 0, right: 1e9, bottom: 1e9 };
    if (!bounds) {  // Graphviz's SVG: its viewBox, in the coordinates of its translated root group
      const view = svg.viewBox.baseVal, root = svg.querySelector("g");
      const m = root && root.transform.baseVal.numberOfItems ? root.transform.baseVal.consolidate().matrix : null;
      left = m ? -m.e : 0; top = m ? -m.f : 0;
      right = left + (view && view.width ? view.width : 1e9); bottom = top + (view && view.height ? view.height : 1e9);
    }
    const boxes = pending.map((t) => t.getBBox());  // one layout for all of them
    pending.forEach((t, n) => {
      const b0 = boxes[n], b = { x: b0.x, y: b0.y, width: b0.width, height: b0.height };
      let dx = 0, dy = 0;
      // clear of the other labels and, where it can be, of the nodes; below, then above, further each time
      for (const withNodes of [true, false]) {
        b.x = b0.x; b.y = b0.y; dx = 0; dy = 0;
        let clear = false;
        for (let tries = 0; tries < 16 && !clear; tries++) {
          // inside the drawing: never cut at its border
          const fx = Math.min(0, right - 2 - (b.x + b.width)) + Math.max(0, left + 2 - b.x);
          const fy = Math.min(0, bottom - 2 - (b.y + b.height)) + Math.max(0, top + 2 - b.y);
          b.x += fx; b.y += fy; dx += fx; dy += fy;
          clear = !clashes(b, t, withNodes);
          if (!clear) { const step = (tries % 2 ? -1 : 1) * (tries + 1) * (b.height + 1); b.y += step; dy += step; }
        }
        if (clear) break;
      }
      t._box = b;
      t._shift = [dx, dy];
      for (const c of cells(b)) { if (!placed.has(c)) placed.set(c, []); placed.get(c).push(t); }
    });
    for (const t of pending) {  // one write pass
      const [dx, dy] = t._shift;
      if (dx || dy) { t.setAttribute("x", Number(t.getAttribute("x")) + dx); t.setAttribute("y", Number(t.getAttribute("y")) + dy); }
    }
    pending = [];
  }
  // the edges' own labels (lhs, rhs) are there from the start: new labels keep clear of them too
  const obstacles = [...graph.querySelectorAll("g.edge text")];
  if (nodes.size <= TILE_ABOVE) for (const g of nodes.values()) { g._isNode = true; obstacles.push(g); }  // small pictures: clear of the nodes too
  for (const t of obstacles) {
    const b = t.getBBox();
    t._box = { x: b.x, y: b.y, width: b.width, height: b.height };
    for (const c of cells(t._box)) { if (!placed.has(c)) placed.set(c, []); placed.get(c).push(t); }
  }
  function setDone(step, on) {
    for (const send of step.sends || []) {
      const g = send.grad >= 0 && edges.get(send.edge);
      if (!g) continue;
      g.classList.toggle("done", on);
      const shown = g.querySelector("text.edge-grad");
      if (shown) shown.style.display = on ? "" : "none";
      else if (on) edgeLabel(g, shortText(valueOf(send.grad)));
    }
  }
  function mark(k, on) {
    const s = steps[k];
    for (const name of [s.node, s.out]) { const g = nodes.get(name); if (g) g.classList.toggle("visited", on); }
    if (s.phase === "backward") setDone(s, on);
  }
  function reveal(g) {  // scroll the picture (only the picture: the toolbar stays put) to show g
    const box = g.getBoundingClientRect(), view = graph.getBoundingClientRect();
    if (box.left < view.left) graph.scrollLeft -= view.left - box.left + 20;
    else if (box.right > view.right) graph.scrollLeft += box.right - view.right + 20;
    if (box.top < view.top) graph.scrollTop -= view.top - box.top + 20;
    else if (box.bottom > view.bottom) graph.scrollTop += box.bottom - view.bottom + 20;
  }
  function go(k) {
    k = Math.max(0, Math.min(steps.length - 1, k));
    if (k === current) return;
    if (current >= 0 && Math.abs(k - current) === 1) mark(Math.min(k, current), k > current);
    else { for (let j = 0; j < steps.length; j++) mark(j, j < k); }
    settleLabels();  // the labels this move made, placed together
    current = k;
    const s = steps[k];
    if (marked.current) marked.current.classList.remove("current");
    if (marked.op) marked.op.classList.remove("current-op");
    marked.current = nodes.get(s.out) || null;
    marked.op = s.node !== s.out ? nodes.get(s.node) || null : null;
    if (marked.op) marked.op.classList.add("current-op");
    if (marked.current) { marked.current.classList.add("current"); reveal(marked.current); }
    $("position").textContent = "step " + (k + 1) + " of " + steps.length + " (" + s.phase + ")";
    document.body.dataset.step = String(k);
    render(k);
    if ($("inner").classList.contains("open")) highlightInner();
  }

  // ------------------------------------------------------------ collapsed composites, drawn on click
  let inner = new Map();
  function openInner(name) {
    const box = $("inner-svg");
    box.textContent = "";
    const members = [], nodes = new Map(), edges = [];
    for (let i = 0; i < T.name.length; i++) if (T.op[i] && T.opnode[i] === name) members.push(i);
    const inside = new Set(members);
    for (const i of members) {
      nodes.set("op" + i, { name: "op" + i, lines: [T.title[i]], shape: "ellipse", fill: "#fff4c2" });
      for (const j of T.inputs[i].concat([i])) if (!nodes.has("t" + j)) nodes.set("t" + j, tensorNode(j, inside.has(j) ? "#ffffff" : "#e8e8e8"));
      T.inputs[i].forEach((j) => edges.push(["t" + j, "op" + i, ""]));
      edges.push(["op" + i, "t" + i, ""]);
    }
    inner = layered([...nodes.values()], edges, box).nodes;
    $("inner-title").textContent = D.composite[name] + " (expanded; Esc closes)";
    $("inner").style.top = document.querySelector("header").getBoundingClientRect().bottom + "px";
    $("inner").classList.add("open");
    highlightInner();
  }
  function highlightInner() {
    const s = steps[current];
    for (const g of inner.values()) g.classList.remove("current");
    const g = s && inner.get("t" + s.tensor);
    if (g) g.classList.add("current");
  }
  $("inner-close").addEventListener("click", () => $("inner").classList.remove("open"));

  // ------------------------------------------------------------ controls
  const first = (phase) => steps.findIndex((s) => s.phase === phase);
  $("prev").addEventListener("click", () => go(current - 1));
  $("next").addEventListener("click", () => go(current + 1));
  $("to-forward").addEventListener("click", () => go(0));
  $("to-backward").addEventListener("click", () => go(Math.max(0, first("backward"))));
  $("zoom-in").addEventListener("click", () => zoom(1.25));
  $("zoom-out").addEventListener("click", () => zoom(0.8));
  const unit = svg && svg.width && svg.width.baseVal ? (svg.width.baseVal.unitType === SVGLength.SVG_LENGTHTYPE_PT ? "pt" : "px") : "px";
  const natural = svg && svg.width && svg.width.baseVal ? [svg.width.baseVal.valueInSpecifiedUnits, svg.height.baseVal.valueInSpecifiedUnits] : [0, 0];
  let scale = 1;
  function zoom(f) {
    scale *= f;
    if (D.layered) { svg.style.zoom = String(scale); return; }  // the tiles together
    svg.setAttribute("width", natural[0] * scale + unit);
    svg.setAttribute("height", natural[1] * scale + unit);
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "ArrowDown" || e.key === " ") { go(current + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") { go(current - 1); e.preventDefault(); }
    else if (e.key === "Home") { go(0); e.preventDefault(); }
    else if (e.key === "End") { go(steps.length - 1); e.preventDefault(); }
    else if (e.key === "Escape") $("inner").classList.remove("open");
  });
  go(0);
  window.explorerReadyMs = performance.now() - started;
  document.body.dataset.ready = "1";
})();
