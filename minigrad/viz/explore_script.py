"""The style and the script of the explorer's page (see explore.py), inline in it.

The script lays nothing out: the picture is Graphviz's SVG, laid out once. For step i it sets
classes on the SVG's nodes and edges (found by their <title>, the node's key: v3, f1, L0):
``current`` for the step's nodes, ``pending`` for the nodes the walk has not reached yet,
``sending`` for the edges the step sends gradients along; and it shows the step's panel. The
page's state is readable from outside (the browser test reads it): ``document.body.dataset.step``,
and on the panel ``data-node`` and ``data-grad`` (the gradient shown, as JSON).
"""

CSS = (
    "body{font-family:system-ui,sans-serif;margin:0;color:#222}"
    "header{position:sticky;top:0;background:#fff;padding:.4em 1em;border-bottom:1px solid #ddd;z-index:1}"
    "h1{font-size:1.2em;margin:.2em 0}h2{font-size:1.05em}h3{font-size:1em}"
    "#controls button{margin-right:.3em}#slider{width:40%;vertical-align:middle}#counter{margin-left:.6em}"
    "main{display:flex;gap:1em;padding:.8em;align-items:flex-start}"
    "#graph{flex:1 1 auto;overflow:auto;max-height:calc(100vh - 6em)}#graph.fit svg{max-width:100%;height:auto}"
    "#panel{flex:0 0 28em;max-height:calc(100vh - 6em);overflow:auto;font-size:14px}"
    "#panel table{border-collapse:collapse;margin:.4em 0}#panel td,#panel th{border:1px solid #ccc;padding:.15em .4em;"
    "text-align:left;vertical-align:top}#panel th{background:#f3f3f3}"
    ".grad{padding:.3em .5em;border:1px solid #999}.state{padding:.3em .5em;border:3px solid #555;margin:.4em 0}"
    ".state pre{white-space:pre-wrap;font-size:12px;margin:.3em 0 0}"
    "#graph g.node,#graph g.edge{transition:opacity .12s}"
    "#graph g.pending{opacity:.3}#graph g.pending,#graph g.forward,#graph g.idle{filter:grayscale(1)}"
    "#graph g.current{filter:drop-shadow(0 0 5px #1565c0)}"
    "#graph g.current>polygon,#graph g.current>ellipse,#graph g.current>path{stroke:#1565c0;stroke-width:3}"
    "#graph g.edge.sending path{stroke:#1565c0;stroke-width:3}"
    "#graph g.edge.sending polygon{fill:#1565c0;stroke:#1565c0}"
)

SCRIPT = r"""
(function () {
  "use strict";
  const steps = JSON.parse(document.getElementById("steps").textContent);
  const last = steps.length - 1;
  const byTitle = (selector) => {
    const found = {};
    document.querySelectorAll(selector).forEach((g) => {
      const title = g.querySelector("title");
      if (title) found[title.textContent] = g;
    });
    return found;
  };
  const nodes = byTitle("#graph g.node"), edges = byTitle("#graph g.edge");
  const reachedAt = {}, sentAt = {};  // the step at which the walk first takes a node, sends along an edge
  steps.forEach((step, i) => {
    step.nodes.forEach((key) => { if (!(key in reachedAt)) reachedAt[key] = i; });
    step.edges.forEach((key) => { if (!(key in sentAt)) sentAt[key] = i; });
  });
  const panel = document.getElementById("panel"), slider = document.getElementById("slider");
  const counter = document.getElementById("counter"), play = document.getElementById("play");
  let current = -1, timer = null;

  function show(i) {
    i = Math.max(0, Math.min(last, Number(i) || 0));
    current = i;
    const step = steps[i];
    for (const [key, g] of Object.entries(nodes)) {
      const at = reachedAt[key];
      g.classList.toggle("forward", i === 0 && key !== "legend");
      g.classList.toggle("idle", i > 0 && at === undefined && key !== "legend");
      g.classList.toggle("pending", i > 0 && at !== undefined && at > i);
      g.classList.toggle("current", step.nodes.includes(key));
    }
    for (const [key, g] of Object.entries(edges)) {
      const at = sentAt[key];
      g.classList.toggle("pending", i > 0 && (at === undefined || at > i));
      g.classList.toggle("sending", at === i);
    }
    panel.innerHTML = step.html;
    panel.dataset.step = String(i);
    panel.dataset.node = step.key;
    panel.dataset.grad = JSON.stringify(step.grad);
    document.body.dataset.step = String(i);
    slider.value = String(i);
    counter.textContent = "step " + i + " of " + last;
    const focus = step.nodes.length ? nodes[step.nodes[0]] : null;
    if (focus && focus.scrollIntoView) focus.scrollIntoView({block: "nearest", inline: "nearest"});
    if (location.hash !== "#step=" + i) {
      try { history.replaceState(null, "", "#step=" + i); } catch (error) { /* a page shown from srcdoc */ }
    }
  }
  function stop() { if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "\u25b6 play"; } }
  function toggle() {
    if (timer !== null) { stop(); return; }
    if (current >= last) show(0);
    play.textContent = "\u275a\u275a pause";
    timer = setInterval(() => { if (current >= last) stop(); else show(current + 1); }, 700);
  }
  function fromHash() { const m = /^#step=(\d+)$/.exec(location.hash); return m ? Number(m[1]) : 0; }

  const fit = document.getElementById("fit"), picture = document.getElementById("graph");
  fit.addEventListener("change", () => picture.classList.toggle("fit", fit.checked));
  const svg = picture.querySelector("svg");  // NOTE: a picture far wider than the window opens at full size
  if (svg && svg.width.baseVal.value > 1.6 * picture.clientWidth) { fit.checked = false; picture.classList.remove("fit"); }
  document.getElementById("prev").addEventListener("click", () => { stop(); show(current - 1); });
  document.getElementById("next").addEventListener("click", () => { stop(); show(current + 1); });
  play.addEventListener("click", toggle);
  slider.addEventListener("input", () => { stop(); show(slider.value); });
  window.addEventListener("hashchange", () => { if (fromHash() !== current) show(fromHash()); });
  document.addEventListener("keydown", (event) => {
    if (event.target === slider && event.key.startsWith("Arrow")) return;  // the slider moves itself
    const moves = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};
    if (event.key in moves) show(current + moves[event.key]);
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(last);
    else if (event.key === " ") toggle();
    else return;
    if (event.key !== " ") stop();
    event.preventDefault();
  });
  window.minigradExplorer = {steps: steps, show: show, get step() { return current; }};
  show(fromHash());
})();
"""
