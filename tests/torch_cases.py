"""The cases compared with PyTorch (values, gradients, dtypes), shared by the pinning script
(scripts/pin_torch_conformance.py, which runs them in torch) and tests/test_torch_conformance.py
(which runs them in tinygrad_sm, against the pinned file and, when torch imports, live).

A case: ``op`` (a key of the two tables below), ``inputs`` as ``(values, dtype, requires_grad)``,
``kwargs``. The output's value and dtype are compared, and the gradient of ``output.sum()`` with
respect to every input that requires grad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

NEG_INF = float("-inf")


def _case(op: str, *inputs: tuple, **kwargs: Any) -> dict:
    return {"op": op, "inputs": [list(i) for i in inputs], "kwargs": kwargs}


LOGITS = [[2.0, -1.0, 0.5, 3.0], [0.1, 0.2, -0.3, 1.5], [-2.0, 4.0, 1.0, 0.0]]
SPATIAL = np.linspace(-2, 2, 2 * 3 * 2 * 2).reshape(2, 3, 2, 2).round(3).tolist()
SPATIAL_LABELS = [[[0, 2], [1, 1]], [[2, 0], [0, 1]]]
SOFT = [[0.1, 0.2, 0.3, 0.4], [0.0, 0.5, 0.5, 0.0], [0.25, 0.25, 0.25, 0.25]]

CASES: dict[str, dict] = {
    "bce_probs": _case("bce", ([0.9, 0.2, 0.5, 1e-3], "float64", True), ([1.0, 0.0, 1.0, 0.0], "float64", False)),
    "bce_probs_float32_issue_example": _case("bce", ([0.9, 0.2], "float32", True), ([1.0, 0.0], "float32", False)),
    "bce_clamps_log_at_minus_100": _case(
        "bce", ([0.0, 1.0, 0.3], "float64", False), ([1.0, 0.0, 1.0], "float64", False)
    ),
    "bce_weight_sum": _case(
        "bce", ([0.7, 0.4], "float64", True), ([1.0, 0.0], "float64", False), weight=[2.0, 0.5], reduction="sum"
    ),
    "ce_plain": _case("ce", (LOGITS, "float64", True), ([3, 0, 1], "int64", False)),
    "ce_unbatched": _case("ce", (LOGITS[0], "float64", True), (2, "int64", False)),
    "ce_unbatched_none": _case("ce", (LOGITS[1], "float64", True), (1, "int64", False), reduction="none"),
    "ce_spatial_mean": _case("ce", (SPATIAL, "float64", True), (SPATIAL_LABELS, "int64", False)),
    "ce_spatial_none": _case("ce", (SPATIAL, "float64", True), (SPATIAL_LABELS, "int64", False), reduction="none"),
    "ce_ignore_index": _case("ce", (LOGITS, "float64", True), ([3, -100, 1], "int64", False)),
    "ce_ignore_index_custom": _case(
        "ce", (LOGITS, "float64", True), ([3, 0, 1], "int64", False), ignore_index=0, reduction="sum"
    ),
    "ce_label_smoothing": _case("ce", (LOGITS, "float64", True), ([3, 0, 1], "int64", False), label_smoothing=0.1),
    "ce_label_smoothing_none": _case(
        "ce", (LOGITS, "float64", True), ([3, 0, 1], "int64", False), label_smoothing=0.2, reduction="none"
    ),
    "ce_weight": _case("ce", (LOGITS, "float64", True), ([3, 0, 1], "int64", False), weight=[1.0, 2.0, 0.5, 3.0]),
    "ce_weight_sum": _case(
        "ce", (LOGITS, "float64", True), ([3, 0, 1], "int64", False), weight=[1.0, 2.0, 0.5, 3.0], reduction="sum"
    ),
    "ce_weight_ignore_smoothing": _case(
        "ce",
        (LOGITS, "float64", True),
        ([3, -100, 1], "int64", False),
        weight=[1.0, 2.0, 0.5, 3.0],
        label_smoothing=0.3,
    ),
    "ce_soft_targets": _case("ce", (LOGITS, "float64", True), (SOFT, "float64", False)),
    "ce_soft_targets_smoothing_weight": _case(
        "ce", (LOGITS, "float64", True), (SOFT, "float64", False), label_smoothing=0.1, weight=[1.0, 2.0, 0.5, 3.0]
    ),
    "ce_spatial_weight_ignore": _case(
        "ce",
        (SPATIAL, "float64", True),
        ([[[0, 2], [-100, 1]], [[2, 0], [0, 1]]], "int64", False),
        weight=[1.0, 0.5, 2.0],
    ),
    "ce_float32_logits": _case("ce", (LOGITS, "float32", True), ([3, 0, 1], "int64", False)),
    "nll_weight_ignore": _case(
        "nll",
        ([[-1.2, -0.5, -2.0], [-0.1, -3.0, -2.5]], "float64", True),
        ([2, -100], "int64", False),
        weight=[1.0, 2.0, 3.0],
    ),
    "nll_spatial": _case("nll", (SPATIAL, "float64", True), (SPATIAL_LABELS, "int64", False), reduction="sum"),
    "pow_at_zero": _case(
        "pow", ([0.0, 0.0, 0.0, 2.0, 0.0], "float64", True), ([0.0, 1.0, 2.5, 0.0, -1.0], "float64", True)
    ),
    "pow_zero_exponent_at_zero": _case("pow", ([0.0, 3.0], "float64", True), ([0.0, 0.0], "float64", False)),
    "pow_of_zero_base": _case("pow", ([0.0, 0.0, 0.0], "float64", False), ([0.0, 1.0, 2.5], "float64", True)),
    "abs_at_zero": _case("abs", ([-1.5, 0.0, 2.0], "float64", True)),
    "relu_at_zero": _case("relu", ([-1.0, 0.0, 2.0], "float64", True)),
    "maximum_ties": _case("maximum", ([1.0, 2.0, 3.0], "float64", True), ([1.0, 0.0, 3.0], "float64", True)),
    "minimum_ties": _case("minimum", ([1.0, 2.0, 3.0], "float64", True), ([1.0, 0.0, 4.0], "float64", True)),
    "max_all_ties": _case("max", ([[1.0, 3.0], [3.0, 2.0]], "float64", True)),
    "min_all_ties": _case("min", ([[1.0, 3.0], [1.0, 2.0]], "float64", True)),
    "min_int32_most_negative": _case("min", ([0, -2147483648], "int32", False)),
    "min_int64_most_negative": _case("min", ([5, -9223372036854775808], "int64", False)),
    "minimum_int8_most_negative": _case("minimum", ([0, -128], "int8", False), ([-128, 0], "int8", False)),
    "min_bool": _case("min", ([True, False], "bool", False)),
    "minimum_bool": _case("minimum", ([True, False], "bool", False), ([True, True], "bool", False)),
    "softmax_0d": _case("softmax", (1.5, "float64", True), dim=0),
    "log_softmax_0d": _case("log_softmax", (1.5, "float64", True), dim=-1),
    "logsumexp_0d": _case("logsumexp", (1.5, "float64", True), dim=0),
    "sum_0d_dim0": _case("sum", (1.5, "float64", True), dim=0),
    "sum_0d_dim_minus1_keepdim": _case("sum", (1.5, "float64", True), dim=-1, keepdim=True),
    "mean_dim_keepdim": _case("mean", (LOGITS, "float64", True), dim=1, keepdim=True),
    "max_dim_values": _case("max_values", (LOGITS, "float64", True), dim=1),
}

# result dtype of a binary op: operands are ("tensor", dtype, ndim) or ("scalar", python value)
_T = "tensor"
PROMOTION_CASES: dict[str, tuple] = {
    "f32_f32": ((_T, "float32", 1), (_T, "float32", 1)),
    "f32_f64": ((_T, "float32", 1), (_T, "float64", 1)),
    "f32_pyfloat": ((_T, "float32", 1), ("scalar", 2.0)),
    "f32_pyint": ((_T, "float32", 1), ("scalar", 2)),
    "f32_0d_f64": ((_T, "float32", 1), (_T, "float64", 0)),
    "f16_pyfloat": ((_T, "float16", 1), ("scalar", 2.5)),
    "f16_f32": ((_T, "float16", 1), (_T, "float32", 1)),
    "i32_pyint": ((_T, "int32", 1), ("scalar", 3)),
    "i32_pyfloat": ((_T, "int32", 1), ("scalar", 2.5)),
    "i64_pyfloat": ((_T, "int64", 1), ("scalar", 2.5)),
    "i64_0d_f64": ((_T, "int64", 1), (_T, "float64", 0)),
    "i32_0d_i64": ((_T, "int32", 1), (_T, "int64", 0)),
    "i64_f16": ((_T, "int64", 1), (_T, "float16", 1)),
    "i64_f32": ((_T, "int64", 1), (_T, "float32", 1)),
    "u8_i8": ((_T, "uint8", 1), (_T, "int8", 1)),
    "u8_i16": ((_T, "uint8", 1), (_T, "int16", 1)),
    "i8_i32": ((_T, "int8", 1), (_T, "int32", 1)),
    "bool_pyint": ((_T, "bool", 1), ("scalar", 1)),
    "bool_pyfloat": ((_T, "bool", 1), ("scalar", 1.5)),
    "bool_bool": ((_T, "bool", 1), (_T, "bool", 1)),
    "bool_i32": ((_T, "bool", 1), (_T, "int32", 1)),
    "bool_0d_f64": ((_T, "bool", 1), (_T, "float64", 0)),
    "0d_f32_0d_f64": ((_T, "float32", 0), (_T, "float64", 0)),
    "0d_i32_pyfloat": ((_T, "int32", 0), ("scalar", 0.5)),
    "0d_f64_pyfloat": ((_T, "float64", 0), ("scalar", 0.5)),
    "pyfloat_f32": (("scalar", 2.0), (_T, "float32", 1)),
}
DIVISION_CASES = ("i32_pyint", "u8_i8", "bool_bool", "i64_0d_f64")


def operand_array(spec: tuple) -> Any:
    if spec[0] == "scalar":
        return spec[1]
    _, dtype, ndim = spec
    values = np.array([1, 0, 1] if dtype == "bool" else [1, 2, 3]).astype(dtype)
    return values[0] if ndim == 0 else values


# ---------------------------------------------------------------- the torch side (pinning script, live check)


def _torch_ops() -> dict:
    import torch
    import torch.nn.functional as TF

    def weighted(kwargs: dict, like: Any) -> dict:
        if "weight" in kwargs:
            return {**kwargs, "weight": torch.tensor(kwargs["weight"], dtype=like.dtype)}
        return kwargs

    return {
        "bce": lambda p, t, **kw: TF.binary_cross_entropy(p, t, **weighted(kw, p)),
        "ce": lambda z, t, **kw: TF.cross_entropy(z, t, **weighted(kw, z)),
        "nll": lambda z, t, **kw: TF.nll_loss(z, t, **weighted(kw, z)),
        "pow": lambda a, b: a**b,
        "abs": torch.abs,
        "relu": torch.relu,
        "maximum": torch.maximum,
        "minimum": torch.minimum,
        "max": lambda x: x.max(),
        "min": lambda x: x.min(),
        "softmax": lambda x, dim: torch.softmax(x, dim=dim),
        "log_softmax": lambda x, dim: torch.log_softmax(x, dim=dim),
        "logsumexp": lambda x, dim: torch.logsumexp(x, dim=dim),
        "sum": lambda x, **kw: x.sum(**kw),
        "mean": lambda x, **kw: x.mean(**kw),
        "max_values": lambda x, dim: x.max(dim=dim).values,
    }


def _plain(value: Any) -> Any:
    """JSON for an array: numbers, with non-finite floats as the strings 'inf', '-inf', 'nan'."""
    array = np.asarray(value)
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        encoded = [
            float(v) if np.isfinite(v) else ("nan" if np.isnan(v) else ("inf" if v > 0 else "-inf"))
            for v in array.reshape(-1)
        ]
        return np.array(encoded, dtype=object).reshape(array.shape).tolist()
    return array.tolist()


def decode(value: Any) -> np.ndarray:
    return (
        np.vectorize(lambda v: float(v), otypes=[np.float64])(np.array(value, dtype=object))
        if np.array(value, dtype=object).size
        else np.array(value, dtype=np.float64)
    )


def run_torch_case(case: dict) -> dict:
    import torch

    tensors = []
    for values, dtype, requires_grad in case["inputs"]:
        tensors.append(torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=requires_grad))
    out = _torch_ops()[case["op"]](*tensors, **case["kwargs"])
    result = {
        "value": _plain(out.detach().numpy()),
        "dtype": str(out.dtype).replace("torch.", ""),
        "shape": list(out.shape),
        "grads": [],
    }
    if out.requires_grad:
        out.sum().backward()
    for tensor, (_, _, requires_grad) in zip(tensors, case["inputs"]):
        result["grads"].append(_plain(tensor.grad.numpy()) if requires_grad else None)
    return result


def torch_promotion(left: tuple, right: tuple) -> dict:
    import torch

    def as_torch(spec: tuple) -> Any:
        value = operand_array(spec)
        return value if spec[0] == "scalar" else torch.tensor(np.asarray(value))

    a, b = as_torch(left), as_torch(right)
    result = {
        "add": str((a + b).dtype).replace("torch.", ""),
        "where": str(torch.where(torch.tensor(True), a, b).dtype).replace("torch.", ""),
        "div": str((a / b).dtype).replace("torch.", ""),
    }
    return result
