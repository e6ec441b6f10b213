"""Regenerate every picture in docs/img/ (each as SVG for the docs and a PNG twin for the README).

    python scripts/make_pictures.py

Needs the ``graphviz`` Python package and the Graphviz ``dot`` program (apt-get install graphviz).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from tinygrad_sm import Tensor, viz  # noqa: E402

IMAGES = ROOT / "docs" / "img"


def reused_node() -> object:
    """``a = 1; b = a + a; c = b + b``: one node per tensor, two edges per reuse, and in backward
    the flows along both edges summed (dc/db = 1 + 1, dc/da = 2 + 2)."""
    a = Tensor(1.0, requires_grad=True, name="a")
    b = a + a
    b.name = "b"
    c = b + b
    c.name = "c"
    return viz.draw_graph(
        c, show_values=True, show_backward=True, title="a reused tensor: b = a + a, c = b + b (backward)"
    )


def small_cnn() -> object:
    """A one-conv network on a 6x6 image (conv 2 filters 3x3, ReLU, max-pool 2, Linear 3): every layer
    a labelled box of its primitives; the unfold nodes say their window. The image requires grad, so
    the first unfold is recorded too (for data that does not, it would be a constant)."""
    import numpy as np

    from tinygrad_sm import functional as F
    from tinygrad_sm import nn

    generator = np.random.default_rng(0)
    model = nn.build_model("conv2k3-pool2-3", 36, 3, generator=generator)
    image = Tensor(generator.random((1, 36), dtype=np.float32), requires_grad=True, name="image (flat)")
    loss = F.cross_entropy(model(image), np.array([1]))
    loss.name = "loss"
    return viz.draw_graph(
        loss,
        params=model,
        expand={"image", "conv1", "conv2d", "relu1", "pool1", "max_pool2d", "flatten", "fc1"},
        title="a small CNN: each layer a box of primitives (cross_entropy collapsed)",
    )


def lenet_layers() -> object:
    """The LeNet-style default (``--model cnn``) on one image, each layer collapsed into one node."""
    import numpy as np

    from tinygrad_sm import functional as F
    from tinygrad_sm import nn

    generator = np.random.default_rng(0)
    model = nn.build_model("cnn", 784, 10, generator=generator)
    loss = F.cross_entropy(model(Tensor(generator.random((1, 784), dtype=np.float32), name="image")), np.array([3]))
    loss.name = "loss"
    return viz.draw_graph(loss, params=model, expand=set(), title="the LeNet-style CNN, one node per layer")


PICTURES = {
    "cnn_small": small_cnn,
    "cnn_lenet_layers": lenet_layers,
    "softmax_ce_forward": lambda: viz.example_graph("softmax-ce", backward=False),
    "softmax_ce_backward": lambda: viz.example_graph("softmax-ce", backward=True),
    "mlp": lambda: viz.example_graph("mlp", backward=True),
    "reused_node": reused_node,
}


def main() -> int:
    failed = []
    for name, build in PICTURES.items():
        try:
            graph = build()
        except ImportError as error:  # e.g. a module the example needs is missing: draw the others
            print(f"skipped {name}: {error}", file=sys.stderr)
            failed.append(name)
            continue
        for suffix in (".svg", ".png"):
            print(viz.save(graph, IMAGES / f"{name}{suffix}").relative_to(ROOT))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
