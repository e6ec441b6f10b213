// The explorer page. DATA (written by tinygrad_sm/explorer.py) holds the tensors, the steps of the
// forward and backward passes in the engine's order, and the SVG of each collapsed composite.
// Everything is local: no request leaves the page.
(function () {
  "use strict";
  const started = performance.now();
  const D = window.EXPLORER_DATA;
  const steps = D.steps, tensors = D.tensors;
  const $ = (id) => document.getElementById(id);
  const graph = $("graph"), panel = $("panel");

  // ------------------------------------------------------------ the picture's elements, by Graphviz name
  const nodes = new Map(), edges = new Map();
  function index(root) {
    for (const g of root.querySelectorAll("g.node")) {
      const title = g.querySelector("title");
      if (title) nodes.set(title.textContent, g);
    }
    for (const g of root.querySelectorAll("g.edge")) {
      const title = g.querySelector("title");
      if (title) edges.set(title.textContent.replace("\u2192", "->"), g);
    }
  }
  index(graph);
  for (const name of Object.keys(D.composite)) {
    const g = nodes.get(name);
    if (g) {
      g.classList.add("composite");
      g.addEventListener("click", () => openInner(name));
    }
  }

  // ------------------------------------------------------------ values
  function tex(latex, element, display) {
    if (window.katex) {
      try { window.katex.render(latex, element, { throwOnError: false, displayMode: !!display }); return; } catch (e) { /* shown as text below */ }
    }
    element.textContent = latex;
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
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
  function value(v, role, tensor) {
    const box = el("div", "row");
    if (!v) { box.appendChild(el("span", "note", "no gradient (a constant, or an input that does not require grad)")); return box; }
    const shown = el("span", "value", v.text);
    if (role) {
      shown.dataset.role = role;
      if (tensor !== undefined) shown.dataset.tensor = String(tensor);
      if (v.values) shown.dataset.values = JSON.stringify(v.values.map(String));
      shown.dataset.norm = String(v.norm);
    }
    box.appendChild(shown);
    if (v.heat) {
      box.appendChild(el("div", "summary", "shape (" + v.shape.join(", ") + "), norm " + v.norm.toPrecision(4) +
        ", min " + v.min.toPrecision(4) + ", max " + v.max.toPrecision(4)));
      box.appendChild(heat(v.heat));
    }
    return box;
  }
  const nameOf = (i) => tensors[i].name;
  const wrt = (name) => /[ +\-*/]/.test(name) ? "(" + name + ")" : name;

  // ------------------------------------------------------------ the panel for one step
  function formula(label, latex) {
    const row = el("div", "formula");
    row.appendChild(el("span", "label", label + " "));
    const math = el("span");
    tex(latex, math);
    row.appendChild(math);
    return row;
  }
  function hands(step) {
    for (const h of step.hand || []) {
      const box = el("div", "hand");
      box.appendChild(el("div", "label", "By hand: " + h.title));
      box.appendChild(formula("", h.formula));
      box.appendChild(el("div", "note", "hand-derived:"));
      box.appendChild(value(h.hand, "hand"));
      box.appendChild(el("div", "note", "autograd:"));
      box.appendChild(value(h.autograd));
      const diff = el("div", "diff" + (h.diff > h.tolerance ? " bad" : ""), "largest |hand \u2212 autograd| = " + h.diff.toExponential(2));
      diff.dataset.role = "hand-diff";
      box.appendChild(diff);
      panel.appendChild(box);
    }
  }
  function arrived(step) {
    if (!step.arrived || step.arrived.length < 2) return;
    panel.appendChild(el("h3", "", "contributions adding up (" + nameOf(step.tensor) + " is used " + step.arrived.length + " times)"));
    step.arrived.forEach((c, k) => {
      const row = el("div", "contrib");
      row.appendChild(el("div", "note", (k ? "+ " : "") + "from " + c.op + (c.label ? " (as its " + c.label + ")" : "") + ", which made " + nameOf(c.from)));
      row.appendChild(value(c.value));
      panel.appendChild(row);
    });
    panel.appendChild(el("div", "note", "= the total above"));
  }
  function render(k) {
    const s = steps[k];
    panel.textContent = "";
    const t = tensors[s.tensor];
    const head = el("h2", "phase-" + s.phase);
    if (s.phase === "forward") head.textContent = "Forward " + (s.n + 1) + "/" + D.counts.forward + ": " + s.op + (s.detail ? " (" + s.detail + ")" : "") + " makes " + t.name;
    else if (s.phase === "backward") head.textContent = "Backward " + (s.n + 1) + "/" + D.counts.backward + ": through " + s.op + ", which made " + t.name;
    else head.textContent = "Leaf " + (s.n + 1) + "/" + D.counts.leaf + ": " + t.name + " (" + t.kind + ") receives its gradient";
    panel.appendChild(head);
    if (s.phase === "forward") {
      panel.appendChild(formula("rule:", t.name + " = " + s.math));
      panel.appendChild(el("h3", "", "inputs"));
      s.inputs.forEach((j, p) => {
        panel.appendChild(el("div", "note", (s.labels[p] ? s.labels[p] + ": " : "") + nameOf(j) + "  (" + tensors[j].shape.join("\u00d7") + " " + tensors[j].dtype + ")"));
        panel.appendChild(value(tensors[j].value, "input", j));
      });
      panel.appendChild(el("h3", "", "output " + t.name));
      panel.appendChild(value(t.value, "output", s.tensor));
    } else {
      panel.appendChild(el("h3", "", "gradient arriving at " + t.name));
      const what = el("div", "note", "\u2202" + D.root + "/\u2202" + wrt(t.name) + (s.phase === "leaf" ? "  (what backward() stores in " + t.name + ".grad)" : ""));
      panel.appendChild(what);
      panel.appendChild(value(s.grad, "grad", s.tensor));
      arrived(s);
      if (s.phase === "backward") {
        panel.appendChild(el("h3", "", "local rule of " + s.op + " (g: the gradient arriving)"));
        panel.appendChild(formula("forward:", s.math));
        panel.appendChild(formula("VJP:", s.rule));
        panel.appendChild(el("h3", "", "sent to the inputs"));
        for (const send of s.sends) {
          panel.appendChild(el("div", "note", "to " + (send.label ? send.label + " " : "") + nameOf(send.tensor) +
            (send.of > 1 ? "  (contribution " + send.count + " of " + send.of + ")" : "")));
          panel.appendChild(value(send.grad, "sent", send.tensor));
          if (send.running) {
            panel.appendChild(el("div", "note contrib", "running sum at " + nameOf(send.tensor) + ":"));
            panel.appendChild(value(send.running));
          }
        }
      }
      hands(s);
    }
  }

  // ------------------------------------------------------------ marking the picture
  let current = -1;
  const marked = { current: null, op: null };
  function edgeLabel(g, text) {
    if (g.querySelector("text.edge-grad")) return;
    const path = g.querySelector("path"), own = g.querySelector("text");
    if (!path || !path.getTotalLength) return;
    const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
    if (own) {  // under the edge's own label (lhs, rhs), not on top of it
      label.setAttribute("x", own.getAttribute("x")); label.setAttribute("y", Number(own.getAttribute("y")) + 11);
    } else {
      const at = path.getPointAtLength(path.getTotalLength() / 2);
      label.setAttribute("x", at.x + 4); label.setAttribute("y", at.y);
    }
    label.setAttribute("class", "edge-grad");
    label.textContent = text;
    g.appendChild(label);
  }
  function setDone(step, on) {
    for (const send of step.sends || []) {
      const g = send.grad && edges.get(send.edge);
      if (!g) continue;
      g.classList.toggle("done", on);
      if (on) edgeLabel(g, send.short);
      const label = g.querySelector("text.edge-grad");
      if (label) label.style.display = on ? "" : "none";
    }
  }
  function mark(k, on) {
    const s = steps[k];
    for (const name of [s.node, s.out]) { const g = nodes.get(name); if (g) g.classList.toggle("visited", on); }
    if (s.phase === "backward") setDone(s, on);
  }
  function go(k) {
    k = Math.max(0, Math.min(steps.length - 1, k));
    if (k === current) return;
    if (current >= 0 && Math.abs(k - current) === 1) mark(Math.min(k, current), k > current);
    else { for (let j = 0; j < steps.length; j++) mark(j, j < k); }
    current = k;
    const s = steps[k];
    if (marked.current) marked.current.classList.remove("current");
    if (marked.op) marked.op.classList.remove("current-op");
    marked.current = nodes.get(s.out) || null;
    marked.op = s.node !== s.out ? nodes.get(s.node) || null : null;
    if (marked.op) marked.op.classList.add("current-op");
    if (marked.current) {
      marked.current.classList.add("current");
      marked.current.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    $("position").textContent = "step " + (k + 1) + " of " + steps.length + " (" + s.phase + ")";
    document.body.dataset.step = String(k);
    render(k);
    if ($("inner").classList.contains("open")) highlightInner();
  }

  // ------------------------------------------------------------ collapsed composites, expanded on click
  let innerName = null;
  function openInner(name) {
    innerName = name;
    const box = $("inner-svg");
    box.innerHTML = D.inner[name] || "<p>no inner picture</p>";
    $("inner-title").textContent = D.composite[name] + " (expanded; Esc closes)";
    $("inner").classList.add("open");
    highlightInner();
  }
  function highlightInner() {
    const box = $("inner-svg"), s = steps[current];
    for (const g of box.querySelectorAll("g.node.current")) g.classList.remove("current");
    for (const g of box.querySelectorAll("g.node")) {
      const title = g.querySelector("title");
      if (title && s && (title.textContent === "t" + s.tensor)) g.classList.add("current");
    }
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
  const svg = graph.querySelector("svg");
  const natural = svg ? [svg.width.baseVal.valueInSpecifiedUnits, svg.height.baseVal.valueInSpecifiedUnits] : [0, 0];
  let scale = 1;
  function zoom(f) {
    scale *= f;
    svg.setAttribute("width", natural[0] * scale + "pt");
    svg.setAttribute("height", natural[1] * scale + "pt");
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
