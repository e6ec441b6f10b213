"""The explorer screenshots in docs/img/: ``python scripts/explorer_screenshots.py`` (Graphviz,
Debian's chromium and Playwright). Each opens a page, steps with the keyboard to a chosen step and
saves the window."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import browser_page  # noqa: E402
from test_explorer import page_data  # noqa: E402

from tinygrad_sm import Tensor  # noqa: E402
from tinygrad_sm import functional as F  # noqa: E402
from tinygrad_sm.explorer import example_loss, explore  # noqa: E402


def shoot(page_path: Path, out: Path, at_tensor: str, phase: str, open_composite: bool = False) -> None:
    with browser_page(1400, 860) as (page, record):
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        data = page_data(page_path.read_text(encoding="utf-8"))
        steps = data["steps"]
        order = [("forward", i) for i in steps["forward"]] + [("backward", s[0]) for s in steps["backward"]]
        order += [("leaf", s[0]) for s in steps["leaf"]]
        names = data["tensors"]["name"]
        target = next(k for k, (p, i) in enumerate(order) if p == phase and names[i] == at_tensor)
        for _ in range(target):
            page.keyboard.press("ArrowRight")
        if open_composite:
            page.locator("#graph g.node.composite").first.click()
        page.screenshot(path=str(out))
        assert not record["errors"], record["errors"]
    print(f"wrote {out}")


if __name__ == "__main__":
    images = ROOT / "docs" / "img"
    with tempfile.TemporaryDirectory() as folder:
        loss, _ = example_loss("softmax-ce")
        shoot(explore(loss, Path(folder) / "ce.html").path, images / "explorer_softmax_ce.png", "z (logits)", "leaf")
        loss, model = example_loss("mlp")
        shoot(
            explore(loss, Path(folder) / "mlp.html", params=model).path,
            images / "explorer_mlp.png",
            "2.weight",
            "leaf",
        )
        logits = Tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True, name="z")
        loss = sum(F.cross_entropy(logits * (1 + k / 100), np.array([0, 1])) for k in range(60))
        shoot(
            explore(loss, Path(folder) / "large.html").path,
            images / "explorer_large.png",
            "z",
            "leaf",
            open_composite=True,
        )
