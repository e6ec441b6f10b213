"""Pin what PyTorch defines for issue 22 as test data: tests/data/torch_modules.json and
tests/data/torch_modules.npz.

- ``state_dict`` keys (in order), ``named_modules`` and ``named_children`` names of common models built
  the same way on both sides (``MODELS`` below: the spec each test builds with tinygrad_sm.nn);
- one model's state dict as NumPy arrays (``np.savez``), which tinygrad_sm must load by name;
- the repr of a Parameter, of Sequentials of parameterless layers, and ``grad_fn`` names along
  ``next_functions`` for a small graph;
- values and gradients of the custom Functions of PyTorch's tutorials (LegendrePolynomial3, MyReLU,
  Exp) on fixed inputs;
- what ``default_collate`` makes of numbers and arrays (dtypes, shapes), ``DataLoader`` lengths, and
  ``random_split``'s lengths for fractions.

Run: PYTHONPATH=. /work/torchenv/bin/python scripts/pin_torch_modules.py   (needs torch; the tests do not)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, default_collate, random_split

OUT = Path(__file__).resolve().parent.parent / "tests" / "data"
sys.path.insert(0, str(OUT.parent))  # the models and Functions the tests build, written once
from module_cases import build as _build  # noqa: E402
from module_cases import tutorial_functions  # noqa: E402

# each model: a nested spec of ("Layer", args...) / ("Sequential", [...]) / ("SequentialDict", {...}) /
# ("ModuleList", [...]) / ("ModuleDict", {...}) / ("Custom", {...}) that tests/test_modules_torch.py builds too
# layers whose repr tinygrad_sm must print as PyTorch does (evaluated with torch.nn and tinygrad_sm.nn as nn)
REPRS = [
    "Linear(2, 3)",
    "Linear(4, 1, bias=False)",
    "Conv2d(1, 4, 3)",
    "Conv2d(3, 8, 5, stride=2, padding=1, bias=False)",
    "Conv2d(2, 4, 3, groups=2, dilation=2, padding='same')",
    "Conv1d(4, 4, 1)",
    "BatchNorm2d(4)",
    "BatchNorm1d(3, affine=False)",
    "BatchNorm1d(3, momentum=None, track_running_stats=False)",
    "LayerNorm(4)",
    "LayerNorm((2, 3), elementwise_affine=False)",
    "Embedding(10, 4)",
    "Embedding(10, 4, padding_idx=0)",
    "Dropout(0.1)",
    "MaxPool2d(2)",
    "MaxPool2d(3, stride=1)",
    "AvgPool2d(2)",
    "AvgPool2d(3, stride=1, padding=1)",
    "AdaptiveAvgPool2d(1)",
    "Flatten()",
    "Unflatten(1, (1, 28, 28))",
    "ReLU()",
    "Tanh()",
    "Sigmoid()",
    "LeakyReLU(0.2)",
    "ELU()",
    "GELU()",
    "SiLU()",
    "Softplus()",
    "Hardtanh()",
    "Softmax(dim=1)",
    "LogSoftmax(1)",
    "Identity()",
    "CrossEntropyLoss()",
    "MSELoss()",
]

MODELS = {
    "mlp": ["Sequential", [["Linear", 4, 8], ["ReLU"], ["Linear", 8, 3]]],
    "nested": ["Sequential", [["Linear", 2, 3], ["Sequential", [["Tanh"], ["Linear", 3, 1]]]]],
    "named": ["SequentialDict", {"fc1": ["Linear", 3, 4], "act": ["ReLU"], "fc2": ["Linear", 4, 2]}],
    "cnn": [
        "Sequential",
        [
            ["Conv2d", 1, 4, 3],
            ["BatchNorm2d", 4],
            ["ReLU"],
            ["MaxPool2d", 2],
            ["Flatten"],
            ["Linear", 4 * 3 * 3, 10],
        ],
    ],
    "sequence": [
        "Sequential",
        [["Embedding", 10, 4], ["LayerNorm", 4], ["Conv1dT"], ["BatchNorm1d", 4], ["Dropout", 0.1]],
    ],
    "containers": [
        "Custom",
        {
            "blocks": ["ModuleList", [["Linear", 2, 2], ["Linear", 2, 2]]],
            "heads": ["ModuleDict", {"cls": ["Linear", 2, 3], "reg": ["Linear", 2, 1]}],
            "scale": ["Parameter", [1.0, 2.0]],
        },
    ],
}


def build(spec):
    return _build(spec, torch)


def legendre_cases() -> dict:
    values = [-1.5, -0.3, 0.0, 0.4, 1.2]
    out = {}
    for name, function in tutorial_functions(torch).items():
        x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        y = function.apply(x)
        weights = torch.linspace(0.5, 1.5, len(values), dtype=torch.float64)
        (y * weights).sum().backward()
        out[name] = {
            "x": values,
            "weights": weights.tolist(),
            "y": y.tolist(),
            "grad": x.grad.tolist(),
            "grad_fn": y.grad_fn.name(),
        }
    return out


def graph_names() -> dict:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    b = torch.tensor(0.25, requires_grad=True)
    loss = (x * w + b).sum()

    def describe(node):
        if node is None:
            return None
        return {"name": node.name(), "next": [[describe(n), i] for n, i in node.next_functions]}

    return describe(loss.grad_fn)


def collate_cases() -> dict:
    cases = {
        "ints": default_collate([1, 2, 3]),
        "floats": default_collate([1.5, 2.5]),
        "bools": default_collate([True, False]),
        "float32_arrays": default_collate([np.zeros(3, np.float32), np.ones(3, np.float32)]),
        "int_pairs": default_collate([(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 0)]),
        "dicts": default_collate([{"x": 1.0, "y": 2}, {"x": 3.0, "y": 4}]),
    }

    def summary(value):
        if isinstance(value, torch.Tensor):
            return {
                "dtype": str(value.dtype).replace("torch.", ""),
                "shape": list(value.shape),
                "values": value.tolist(),
            }
        if isinstance(value, dict):
            return {k: summary(v) for k, v in value.items()}
        return {"type": type(value).__name__, "items": [summary(v) for v in value]}

    return {name: summary(value) for name, value in cases.items()}


def loader_cases() -> dict:
    data = TensorDataset(torch.arange(10.0).reshape(10, 1), torch.arange(10))
    out = {}
    for batch_size in (1, 3, 4, 10, 11):
        for drop_last in (False, True):
            loader = DataLoader(data, batch_size=batch_size, drop_last=drop_last)
            batches = [[xb.shape[0], str(yb.dtype).replace("torch.", "")] for xb, yb in loader]
            out[f"{batch_size}_{drop_last}"] = {"len": len(loader), "batches": batches}
    splits = {}
    for total, fractions in ((10, [0.3, 0.7]), (10, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]), (5, [0.1, 0.1, 0.8])):
        parts = random_split(range(total), fractions, generator=torch.Generator().manual_seed(0))
        splits[f"{total}_{fractions}"] = {"total": total, "fractions": fractions, "lengths": [len(p) for p in parts]}
    orders = {}
    data = TensorDataset(torch.arange(10))
    loader = DataLoader(data, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))
    orders["generator_seed0_batch4"] = [[b[0].tolist() for b in loader] for _ in range(3)]
    torch.manual_seed(5)
    loader = DataLoader(data, batch_size=3, shuffle=True, drop_last=True)
    orders["default_seed5_batch3_drop_last"] = [[b[0].tolist() for b in loader] for _ in range(2)]
    orders["after_default_seed5"] = torch.randn(3).tolist()  # the default generator moved on as PyTorch's
    from torch.utils.data import RandomSampler

    orders["sampler_replacement_seed2"] = list(
        RandomSampler(range(7), replacement=True, num_samples=40, generator=torch.Generator().manual_seed(2))
    )
    orders["random_split_seed1"] = [
        p.indices for p in random_split(range(10), [3, 7], generator=torch.Generator().manual_seed(1))
    ]
    return {"loaders": out, "splits": splits, "orders": orders}


def main() -> None:
    torch.manual_seed(0)
    pinned: dict = {"models": {}}
    for name, spec in MODELS.items():
        model = build(spec)
        pinned["models"][name] = {
            "spec": spec,
            "state_dict": list(model.state_dict()),
            "parameters": [n for n, _ in model.named_parameters()],
            "buffers": [n for n, _ in model.named_buffers()],
            "named_modules": [n for n, _ in model.named_modules()],
            "named_children": [n for n, _ in model.named_children()],
        }
    mlp = build(MODELS["mlp"])
    np.savez(OUT / "torch_modules.npz", **{k: v.numpy() for k, v in mlp.state_dict().items()})
    x = torch.linspace(-1, 1, 8).reshape(2, 4)
    pinned["mlp_output"] = {"x": x.tolist(), "y": mlp(x).tolist()}
    pinned["parameter_repr"] = repr(nn.Parameter(torch.tensor([1.0, 2.0])))
    pinned["layer_reprs"] = {expression: repr(eval(expression, {"nn": nn}, dict(vars(nn)))) for expression in REPRS}
    pinned["module_reprs"] = {
        "relu_tanh": repr(nn.Sequential(nn.ReLU(), nn.Sequential(nn.Tanh(), nn.Identity()))),
        "flatten": repr(nn.Flatten()),
    }
    pinned["functions"] = legendre_cases()
    pinned["graph"] = graph_names()
    pinned["collate"] = collate_cases()
    pinned.update(loader_cases())
    pinned["size"] = {"shape": [2, 3, 4], "size_1": torch.zeros(2, 3, 4).size(1), "numel": torch.zeros(2, 3, 4).numel()}
    (OUT / "torch_modules.json").write_text(json.dumps(pinned, indent=1) + "\n")


if __name__ == "__main__":
    main()
