"""The explorer's generation time (Python), file size, page load time and step time (headless
Chromium) for a small graph and a 10,000-op one: ``python benchmarks/explorer_load.py`` (needs
Graphviz, chromium, Playwright).

The large graph sums the cross-entropies of 1,000 independent heads (each a matmul, tanh and
cross-entropy), so the page opens with one collapsed ``cross_entropy`` node per head and is laid out
by the page itself. "arrays" counts the arrays the page holds (each stored once) against the places
that show one (a value, a gradient sent, a running sum, a total)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from tinygrad_sm import Tensor
from tinygrad_sm import functional as F
from tinygrad_sm.explorer import example_loss, explore


def many_heads(ops: int = 10_000) -> Tensor:
    """The summed cross-entropies of many independent heads on one input, each a matmul, tanh and
    cross-entropy, with at least ``ops`` recorded ops. (Each head's cross_entropy is one composite call;
    recurrent steps would not do: calls of one composite that feed one another count as one call.)"""
    rng = np.random.default_rng(0)
    features = Tensor(rng.standard_normal((4, 8)).astype(np.float32), name="x")
    labels = np.array([0, 1, 2, 1])
    total, recorded, head = None, 0, 0
    while recorded < ops:
        W = Tensor((rng.standard_normal((8, 3)) * 0.3).astype(np.float32), requires_grad=True, name=f"W{head}")
        loss = F.cross_entropy((features @ W).tanh(), labels)
        total = loss if total is None else total + loss
        recorded += 7 + 2 + (head > 0)  # cross_entropy's 7 primitives, matmul and tanh, the running sum
        head += 1
    return total


def measure(name: str, loss: Tensor, params=None) -> None:
    from browser import browser_page
    from test_explorer import page_data

    from tinygrad_sm.viz import _collect

    ops = sum(1 for t in _collect([loss]) if t._node is not None)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = explore(loss, Path(folder) / "page.html", params=params)
        generation = time.perf_counter() - start
        with browser_page() as (page, _record):
            start = time.perf_counter()
            page.goto(result.path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=300_000)
            load = time.perf_counter() - start
            script = page.evaluate("window.explorerReadyMs")
            start = time.perf_counter()
            for _ in range(20):
                page.keyboard.press("ArrowRight")
            page.wait_for_function("document.body.dataset.step === '20'")
            per_step = (time.perf_counter() - start) / 20
            slowest = 0.0
            for _ in range(20):  # each step alone, waiting for the redraw
                start = time.perf_counter()
                page.keyboard.press("ArrowRight")
                page.evaluate("new Promise((done) => requestAnimationFrame(() => done()))")
                slowest = max(slowest, time.perf_counter() - start)
            start = time.perf_counter()
            page.keyboard.press("End")
            page.evaluate("new Promise((done) => requestAnimationFrame(() => done()))")
            to_end = time.perf_counter() - start
        size = result.path.stat().st_size / 1e6
        data = page_data(result.path.read_text(encoding="utf-8"))
        stored = len(data["values"]["items"])
        shown = len(data["tensors"]["value"]) + sum(
            1 + sum((ref >= 0) + (running >= 0) for _, ref, running in sends)
            for _, _, sends in data["steps"]["backward"]
        )
    print(flush=True)
    print(
        f"{name}: {ops} ops, {result.steps} steps, collapsed={result.collapsed}; generation {generation:.2f} s; "
        f"file {size:.1f} MB; page load {load:.2f} s (script {script / 1000:.2f} s); one step {per_step * 1000:.0f} ms "
        f"(slowest of 20: {slowest * 1000:.0f} ms); jump to the last step {to_end:.2f} s; "
        f"arrays stored {stored} for {shown} places shown"
    )


if __name__ == "__main__":
    loss, model = example_loss("mlp")
    measure("small (mlp example)", loss, model)
    measure("10,000-op graph (many heads)", many_heads())
