"""Pin PyTorch's values and gradients for the breadth ops as test data (tests/data/torch_ops.json).

Run with torch installed (the tests never need it):  PYTHONPATH=. python scripts/pin_torch_ops.py

Each case has float64 inputs drawn from a fixed seed (some with zeros and ties on purpose), PyTorch's
output, and PyTorch's gradient of ``sum(weights * output)`` for each input, with fixed random weights.
tests/test_ops_breadth.py recomputes each case with tinygrad_sm under the same name.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_ops.json"
rng = np.random.default_rng(1234)


def normal(*shape):
    return rng.standard_normal(shape)


def positive(*shape):
    return rng.uniform(0.5, 3.0, shape)


INDEX_2x4 = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

# name -> (inputs, torch function of the input tensors)
CASES = {
    "squeeze": ([normal(1, 3, 1)], lambda x: x.squeeze()),
    "squeeze_dim": ([normal(1, 3, 1)], lambda x: x.squeeze(2)),
    "unsqueeze": ([normal(2, 3)], lambda x: x.unsqueeze(-1)),
    "flatten_1_2": ([normal(2, 3, 2, 2)], lambda x: x.flatten(1, 2)),
    "flip": ([normal(2, 3, 4)], lambda x: x.flip([0, 2])),
    "roll": ([normal(3, 4)], lambda x: x.roll((1, -2), (0, 1))),
    "roll_flat": ([normal(3, 4)], lambda x: x.roll(5)),
    "repeat": ([normal(2, 3)], lambda x: x.repeat(2, 1, 3)),
    "tile": ([normal(2, 3)], lambda x: x.tile((2,))),
    "split": ([normal(5, 3)], lambda x: torch.cat([p * (k + 1) for k, p in enumerate(x.split(2))])),
    "split_sizes": ([normal(3, 6)], lambda x: torch.cat([p * (k + 1) for k, p in enumerate(x.split([1, 3, 2], 1))], 1)),
    "chunk": ([normal(3, 7)], lambda x: torch.cat([p * (k + 1) for k, p in enumerate(x.chunk(3, 1))], 1)),
    "narrow": ([normal(3, 5)], lambda x: x.narrow(1, 1, 3)),
    "pad_constant": ([normal(2, 3)], lambda x: torch.nn.functional.pad(x, (1, 2, 0, 1), value=0.5)),
    "pad_reflect": ([normal(2, 4)], lambda x: torch.nn.functional.pad(x, (2, 3), mode="reflect")),
    "pad_replicate": ([normal(2, 3, 3)], lambda x: torch.nn.functional.pad(x, (2, 1, 1, 2), mode="replicate")),
    "clamp": ([np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])], lambda x: x.clamp(-1.0, 1.0)),
    "clamp_min_only": ([normal(3, 4)], lambda x: x.clamp(min=0.1)),
    "clamp_tensor_bounds": ([normal(3, 4), normal(3, 4) - 1, normal(1, 4) + 1], lambda x, lo, hi: x.clamp(lo, hi)),
    "neg": ([normal(3)], lambda x: x.neg()),
    "square": ([normal(2, 3)], lambda x: x.square()),
    "sign": ([np.array([-2.0, 0.0, 3.0])], lambda x: x.sign() + x),
    "reciprocal": ([positive(2, 3)], lambda x: x.reciprocal()),
    "var": ([normal(3, 4)], lambda x: x.var()),
    "var_dim_biased": ([normal(3, 4)], lambda x: x.var(1, unbiased=False)),
    "var_correction2_keepdim": ([normal(3, 5)], lambda x: x.var(0, correction=2, keepdim=True)),
    "std": ([normal(3, 4)], lambda x: x.std(0)),
    "prod": ([normal(3, 4)], lambda x: x.prod(1)),
    "prod_one_zero": ([np.array([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]])], lambda x: x.prod(1)),
    "prod_two_zeros": ([np.array([0.0, 2.0, 0.0, 3.0])], lambda x: x.prod()),
    "cumsum": ([normal(3, 4)], lambda x: x.cumsum(1)),
    "cumprod": ([normal(3, 4)], lambda x: x.cumprod(0)),
    "cumprod_zero": ([np.array([2.0, 0.0, 3.0, -1.5])], lambda x: x.cumprod(0)),
    "norm_2": ([normal(3, 4)], lambda x: x.norm()),
    "norm_1_dim": ([normal(3, 4)], lambda x: x.norm(1, dim=1)),
    "norm_inf": ([np.array([[1.0, -3.0, 3.0], [0.5, 0.2, -0.1]])], lambda x: x.norm(float("inf"), dim=1)),
    "norm_3": ([normal(2, 3)], lambda x: x.norm(3)),
    "norm_2_at_zero": ([np.zeros((2, 3))], lambda x: x.norm(dim=1)),
    "norm_1_at_zero": ([np.zeros(3)], lambda x: x.norm(1)),
    "sin": ([normal(2, 3)], lambda x: x.sin()),
    "cos": ([normal(2, 3)], lambda x: x.cos()),
    "log1p": ([positive(2, 3) - 0.4], lambda x: x.log1p()),
    "expm1": ([normal(2, 3)], lambda x: x.expm1()),
    "log2": ([positive(2, 3)], lambda x: x.log2()),
    "log10": ([positive(2, 3)], lambda x: x.log10()),
    "erf": ([normal(2, 3)], lambda x: x.erf()),
    "logaddexp": ([normal(2, 3) * 30, normal(1, 3) * 30], lambda a, b: torch.logaddexp(a, b)),
    "amax_ties": ([np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])], lambda x: x.amax(1)),
    "amin_tuple": ([normal(2, 3, 4)], lambda x: x.amin((0, 2))),
    "sort": ([np.array([[3.0, 1.0, 2.0, 1.0], [0.5, -1.0, 4.0, 2.0]])], lambda x: x.sort(stable=True, dim=1).values),
    "sort_descending": ([normal(3, 4)], lambda x: x.sort(0, descending=True).values),
    "topk": ([normal(3, 5)], lambda x: x.topk(2, 1).values),
    "topk_smallest": ([normal(4, 3)], lambda x: x.topk(3, 0, largest=False).values),
    "gather": ([normal(3, 4)], lambda x: x.gather(0, torch.tensor(INDEX_2x4))),
    "scatter_add": (
        [normal(3, 4), normal(2, 4)],
        lambda x, s: x.scatter_add(0, torch.tensor(np.array([[0, 2, 1, 0], [1, 2, 0, 0]])), s),
    ),
    "scatter": (
        [normal(3, 4), normal(2, 4)],
        lambda x, s: x.scatter(0, torch.tensor(np.array([[0, 2, 1, 0], [1, 0, 0, 2]])), s),
    ),
    "index_select": ([normal(3, 4)], lambda x: x.index_select(1, torch.tensor([3, 0, 3]))),
    "masked_fill": ([normal(3, 4)], lambda x: x.masked_fill(torch.tensor(MASK), -1.5)),
    "bool_mask_getitem": ([normal(3, 4)], lambda x: x[torch.tensor(MASK)]),
    "take_along_axis": ([normal(3, 4)], lambda x: torch.take_along_dim(x, torch.tensor(INDEX_2x4[:, :3].T), 1)),
    "einsum_matmul": ([normal(2, 3), normal(3, 4)], lambda a, b: torch.einsum("ij,jk->ik", a, b)),
    "einsum_trace": ([normal(3, 3)], lambda a: torch.einsum("ii->", a)),
    "einsum_diag": ([normal(3, 3)], lambda a: torch.einsum("ii->i", a)),
    "einsum_batch": ([normal(2, 2, 3), normal(2, 3, 4)], lambda a, b: torch.einsum("bij,bjk->bik", a, b)),
    "einsum_implicit_outer": ([normal(3), normal(4)], lambda a, b: torch.einsum("i,j", a, b)),
    "einsum_ellipsis": ([normal(2, 3, 4)], lambda a: torch.einsum("...ij->...ji", a)),
    "einsum_three": ([normal(2, 3), normal(3, 4), normal(4)], lambda a, b, c: torch.einsum("ij,jk,k->i", a, b, c)),
    "einsum_sum_out": ([normal(2, 3), normal(3)], lambda a, b: torch.einsum("ij,k->i", a, b)),
    "tensordot": ([normal(2, 3, 4), normal(4, 3, 2)], lambda a, b: torch.tensordot(a, b, dims=([1, 2], [1, 0]))),
    "tensordot_int": ([normal(2, 3, 4), normal(3, 4, 2)], lambda a, b: torch.tensordot(a, b, dims=2)),
    "outer": ([normal(3), normal(4)], lambda a, b: torch.outer(a, b)),
}


def pin() -> dict:
    cases = {}
    for name, (inputs, function) in CASES.items():
        tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
        out = function(*tensors)
        weights = rng.standard_normal(tuple(out.shape))
        (out * torch.tensor(weights)).sum().backward()
        cases[name] = {
            "inputs": [x.tolist() for x in inputs],
            "shapes": [list(x.shape) for x in inputs],
            "weights": np.asarray(weights).tolist(),
            "output": out.detach().numpy().tolist(),
            "output_shape": list(out.shape),
            "grads": [
                np.zeros(x.shape).tolist() if t.grad is None else t.grad.numpy().tolist()
                for x, t in zip(inputs, tensors)
            ],
        }
    return {"torch_version": torch.__version__, "cases": cases}


if __name__ == "__main__":
    data = json.dumps(pin(), indent=1)
    with tempfile.NamedTemporaryFile("w", dir=OUT.parent, delete=False, suffix=".tmp") as handle:
        handle.write(data)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, OUT)  # written atomically
    print(f"wrote {len(CASES)} cases to {OUT}")
