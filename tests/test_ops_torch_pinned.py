"""Values and gradients of the breadth ops against PyTorch, pinned by scripts/pin_torch_ops.py.

Each case recomputes ``sum(weights * f(inputs))`` with tinygrad_sm in float64 and compares the output
and every input's gradient with PyTorch's. The cases include zeros (prod, cumprod, norms at 0), ties
(amax, sort) and boundaries (clamp at its bounds), where the subgradient conventions show.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tinygrad_sm as tg
import tinygrad_sm.functional.shape as shape_ops
from tinygrad_sm import Tensor

DATA = json.loads((Path(__file__).parent / "data" / "torch_ops.json").read_text())["cases"]

INDEX_2x4 = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])


def _weighted_pieces(pieces, axis=0):
    return tg.concatenate([p * (k + 1) for k, p in enumerate(pieces)], axis=axis)


OURS = {
    "squeeze": lambda x: x.squeeze(),
    "squeeze_dim": lambda x: x.squeeze(2),
    "unsqueeze": lambda x: x.unsqueeze(-1),
    "flatten_1_2": lambda x: x.flatten(1, 2),
    "flip": lambda x: x.flip([0, 2]),
    "roll": lambda x: x.roll((1, -2), (0, 1)),
    "roll_flat": lambda x: x.roll(5),
    "repeat": lambda x: x.repeat(2, 1, 3),
    "tile": lambda x: x.tile((2,)),
    "split": lambda x: _weighted_pieces(x.split(2)),
    "split_sizes": lambda x: _weighted_pieces(x.split([1, 3, 2], 1), 1),
    "chunk": lambda x: _weighted_pieces(x.chunk(3, 1), 1),
    "narrow": lambda x: x.narrow(1, 1, 3),
    "pad_constant": lambda x: shape_ops.pad(x, (1, 2, 0, 1), value=0.5),
    "pad_reflect": lambda x: tg.pad(x, (2, 3), mode="reflect"),
    "pad_replicate": lambda x: tg.pad(x, (2, 1, 1, 2), mode="replicate"),
    "clamp": lambda x: x.clamp(-1.0, 1.0),
    "clamp_min_only": lambda x: x.clamp(min=0.1),
    "clamp_tensor_bounds": lambda x, lo, hi: x.clamp(lo, hi),
    "neg": lambda x: x.neg(),
    "square": lambda x: x.square(),
    "sign": lambda x: x.sign() + x,
    "reciprocal": lambda x: x.reciprocal(),
    "var": lambda x: x.var(),
    "var_dim_biased": lambda x: x.var(1, unbiased=False),
    "var_correction2_keepdim": lambda x: x.var(0, correction=2, keepdim=True),
    "std": lambda x: x.std(0),
    "prod": lambda x: x.prod(1),
    "prod_one_zero": lambda x: x.prod(1),
    "prod_two_zeros": lambda x: x.prod(),
    "cumsum": lambda x: x.cumsum(1),
    "cumprod": lambda x: x.cumprod(0),
    "cumprod_zero": lambda x: x.cumprod(0),
    "norm_2": lambda x: x.norm(),
    "norm_1_dim": lambda x: x.norm(1, dim=1),
    "norm_inf": lambda x: x.norm(float("inf"), dim=1),
    "norm_3": lambda x: x.norm(3),
    "norm_2_at_zero": lambda x: x.norm(dim=1),
    "norm_1_at_zero": lambda x: x.norm(1),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "log1p": lambda x: x.log1p(),
    "expm1": lambda x: x.expm1(),
    "log2": lambda x: x.log2(),
    "log10": lambda x: x.log10(),
    "erf": lambda x: x.erf(),
    "logaddexp": lambda a, b: tg.logaddexp(a, b),
    "amax_ties": lambda x: x.amax(1),
    "amin_tuple": lambda x: x.amin((0, 2)),
    "sort": lambda x: x.sort(1, stable=True).values,
    "sort_descending": lambda x: x.sort(0, descending=True).values,
    "topk": lambda x: x.topk(2, 1).values,
    "topk_smallest": lambda x: x.topk(3, 0, largest=False).values,
    "gather": lambda x: x.gather(0, INDEX_2x4),
    "scatter_add": lambda x, s: x.scatter_add(0, np.array([[0, 2, 1, 0], [1, 2, 0, 0]]), s),
    "scatter": lambda x, s: x.scatter(0, np.array([[0, 2, 1, 0], [1, 0, 0, 2]]), s),
    "index_select": lambda x: x.index_select(1, np.array([3, 0, 3])),
    "masked_fill": lambda x: x.masked_fill(MASK, -1.5),
    "bool_mask_getitem": lambda x: x[MASK],
    "take_along_axis": lambda x: tg.take_along_axis(x, INDEX_2x4[:, :3].T, 1),
    "einsum_matmul": lambda a, b: tg.einsum("ij,jk->ik", a, b),
    "einsum_trace": lambda a: np.einsum("ii->", a),
    "einsum_diag": lambda a: tg.einsum("ii->i", a),
    "einsum_batch": lambda a, b: np.einsum("bij,bjk->bik", a, b),
    "einsum_implicit_outer": lambda a, b: tg.einsum("i,j", a, b),
    "einsum_ellipsis": lambda a: tg.einsum("...ij->...ji", a),
    "einsum_three": lambda a, b, c: np.einsum("ij,jk,k->i", a, b, c),
    "einsum_sum_out": lambda a, b: tg.einsum("ij,k->i", a, b),
    "tensordot": lambda a, b: np.tensordot(a, b, axes=([1, 2], [1, 0])),
    "tensordot_int": lambda a, b: tg.tensordot(a, b, dims=2),
    "outer": lambda a, b: np.outer(a, b),
}


def test_every_pinned_case_has_an_implementation_here():
    assert set(OURS) == set(DATA)


@pytest.mark.parametrize("name", sorted(DATA))
def test_value_and_gradient_match_pytorch(name):
    case = DATA[name]
    leaves = [
        Tensor(np.array(x, dtype=np.float64).reshape(s), requires_grad=True)
        for x, s in zip(case["inputs"], case["shapes"])
    ]
    out = OURS[name](*leaves)
    expected = np.array(case["output"], dtype=np.float64).reshape(case["output_shape"])
    assert out.shape == expected.shape, name
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12, err_msg=f"{name}: forward")
    weights = np.array(case["weights"], dtype=np.float64).reshape(case["output_shape"])
    (out * Tensor(weights)).sum().backward()
    for position, (leaf, grad, s) in enumerate(zip(leaves, case["grads"], case["shapes"])):
        got = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad.detach().numpy()
        np.testing.assert_allclose(
            got, np.array(grad).reshape(s), rtol=1e-10, atol=1e-12, err_msg=f"{name}: gradient of input {position}"
        )
