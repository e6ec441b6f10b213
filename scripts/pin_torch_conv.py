"""Pin PyTorch's values and gradients for convolution, pooling, unfold and fold as test data.

Writes ``tests/data/torch_conv.json`` (one entry per case: the function, its keyword arguments and
the names of its arrays) and ``tests/data/torch_conv.npz`` (the arrays: inputs, the upstream
gradient, PyTorch's output and its gradient for every input), all float64. Shapes, strides,
paddings, dilations and groups are drawn at random from one seed, so rerunning reproduces the files:

    PYTHONPATH=. /work/venv/bin/python scripts/pin_torch_conv.py

Max-pooling inputs are continuous random values, so no window has a tie (PyTorch sends a tie's
gradient to one element, tinygrad_sm splits it evenly; ties are tested against the even split).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "data"
CASES_PER_KIND = 12


def _pair(rng: np.random.Generator, low: int, high: int) -> list[int]:
    return [int(v) for v in rng.integers(low, high + 1, size=2)]


def _conv2d_case(rng):
    groups = int(rng.choice([1, 1, 2, 3]))
    in_channels, out_channels = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel, dilation = _pair(rng, 1, 3), _pair(rng, 1, 2)
    stride = [1, 1] if rng.random() < 0.4 else _pair(rng, 1, 3)  # often unit: 'same' needs it
    padding = rng.choice(["same", "valid", "pair"]) if stride == [1, 1] else "pair"
    padding = _pair(rng, 0, 2) if padding == "pair" else str(padding)
    size = [d * (k - 1) + 1 + int(rng.integers(0, 5)) for k, d in zip(kernel, dilation)]
    args = {
        "input": rng.standard_normal((int(rng.integers(1, 3)), in_channels, *size)),
        "weight": rng.standard_normal((out_channels, in_channels // groups, *kernel)),
    }
    if rng.random() < 0.7:
        args["bias"] = rng.standard_normal(out_channels)
    return args, {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


def _conv1d_case(rng):
    groups = int(rng.choice([1, 2]))
    in_channels, out_channels = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel, dilation, stride = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 3))
    padding = "same" if stride == 1 and rng.random() < 0.3 else int(rng.integers(0, 3))
    args = {
        "input": rng.standard_normal((2, in_channels, dilation * (kernel - 1) + 1 + int(rng.integers(0, 6)))),
        "weight": rng.standard_normal((out_channels, in_channels // groups, kernel)),
        "bias": rng.standard_normal(out_channels),
    }
    return args, {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


def _conv_transpose2d_case(rng):
    groups = int(rng.choice([1, 2]))
    in_channels, out_per_group = groups * int(rng.integers(1, 3)), int(rng.integers(1, 3))
    kernel, dilation, stride = _pair(rng, 1, 3), _pair(rng, 1, 2), _pair(rng, 1, 3)
    padding = [int(rng.integers(0, min(2, d * (k - 1) // 2) + 1)) for k, d in zip(kernel, dilation)]
    output_padding = [int(rng.integers(0, s)) for s in stride]
    args = {
        "input": rng.standard_normal((2, in_channels, *(_pair(rng, 1, 4)))),
        "weight": rng.standard_normal((in_channels, out_per_group, *kernel)),
    }
    if rng.random() < 0.5:
        args["bias"] = rng.standard_normal(out_per_group * groups)
    return args, {
        "stride": stride,
        "padding": padding,
        "output_padding": output_padding,
        "groups": groups,
        "dilation": dilation,
    }


def _max_pool2d_case(rng):
    kernel, dilation = _pair(rng, 1, 3), _pair(rng, 1, 2)
    stride = None if rng.random() < 0.3 else _pair(rng, 1, 3)
    padding = [int(rng.integers(0, k // 2 + 1)) for k in kernel]
    size = [d * (k - 1) + 1 + int(rng.integers(0, 5)) for k, d in zip(kernel, dilation)]
    return (
        {"input": rng.standard_normal((2, 2, *size))},
        {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "ceil_mode": bool(rng.random() < 0.5),
        },
    )


def _avg_pool2d_case(rng):
    kernel = _pair(rng, 1, 3)
    stride = None if rng.random() < 0.3 else _pair(rng, 1, 3)
    padding = [int(rng.integers(0, k // 2 + 1)) for k in kernel]
    size = [k + int(rng.integers(0, 5)) for k in kernel]
    return (
        {"input": rng.standard_normal((2, 2, *size))},
        {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "ceil_mode": bool(rng.random() < 0.5),
            "count_include_pad": bool(rng.random() < 0.5),
            "divisor_override": None if rng.random() < 0.8 else int(rng.integers(1, 5)),
        },
    )


def _adaptive_avg_pool2d_case(rng):
    size = _pair(rng, 1, 9)
    return {"input": rng.standard_normal((2, 2, *size))}, {"output_size": _pair(rng, 1, 5)}


def _unfold_case(rng):
    kernel, dilation, stride, padding = _pair(rng, 1, 3), _pair(rng, 1, 2), _pair(rng, 1, 3), _pair(rng, 0, 2)
    size = [d * (k - 1) + 1 + int(rng.integers(0, 4)) for k, d in zip(kernel, dilation)]
    return (
        {"input": rng.standard_normal((2, int(rng.integers(1, 4)), *size))},
        {"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride},
    )


def _fold_case(rng):
    kernel, dilation, stride, padding = _pair(rng, 1, 3), _pair(rng, 1, 2), _pair(rng, 1, 3), _pair(rng, 0, 2)
    size = [d * (k - 1) + 1 + int(rng.integers(0, 4)) for k, d in zip(kernel, dilation)]
    counts = [(n + 2 * p - d * (k - 1) - 1) // s + 1 for n, p, d, k, s in zip(size, padding, dilation, kernel, stride)]
    channels = int(rng.integers(1, 3))
    return (
        {"input": rng.standard_normal((2, channels * kernel[0] * kernel[1], counts[0] * counts[1]))},
        {"output_size": size, "kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride},
    )


KINDS = {
    "conv2d": _conv2d_case,
    "conv1d": _conv1d_case,
    "conv_transpose2d": _conv_transpose2d_case,
    "max_pool2d": _max_pool2d_case,
    "avg_pool2d": _avg_pool2d_case,
    "adaptive_avg_pool2d": _adaptive_avg_pool2d_case,
    "unfold": _unfold_case,
    "fold": _fold_case,
}


def main() -> None:
    rng = np.random.default_rng(20261202)
    cases, arrays = [], {}
    for kind, make in KINDS.items():
        for number in range(CASES_PER_KIND):
            inputs, kwargs = make(rng)
            tensors = {name: torch.tensor(value, requires_grad=True) for name, value in inputs.items()}
            output = getattr(torch.nn.functional, kind)(**tensors, **kwargs)
            upstream = rng.standard_normal(tuple(output.shape))
            output.backward(torch.tensor(upstream))
            key = f"{kind}_{number}"
            for name, value in inputs.items():
                arrays[f"{key}/{name}"] = value
                arrays[f"{key}/grad_{name}"] = tensors[name].grad.numpy()
            arrays[f"{key}/upstream"], arrays[f"{key}/output"] = upstream, output.detach().numpy()
            cases.append({"key": key, "function": kind, "kwargs": kwargs, "inputs": list(inputs)})
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "torch_conv.npz", **arrays)
    (OUT / "torch_conv.json").write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"pinned {len(cases)} cases with torch {torch.__version__} into {OUT}/torch_conv.{{json,npz}}")


if __name__ == "__main__":
    main()
