"""Autograd against the hand derivation: each case computes a quantity both ways and reports the error.

``compare_gradients(case)`` runs one case, ``run_standard_checks`` all of them, ``check_command`` prints
the table and returns an exit status (``python -m tinygrad_sm check``). The references come from
``analytic.py`` and are always evaluated in float64 on the same (cast) inputs, so in float32 the
error shown is the float32 rounding of the autograd path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from . import analytic
from . import functional as F
from .autograd import grad
from .gradcheck import jacobian
from .tensor import Tensor

STANDARD_CASES = ("labels", "soft-targets", "last-layer", "softmax-jacobian", "hessian", "mse-vs-ce", "fused")

# passed when max|autograd - reference| <= abs + rel * max|reference|
TOLERANCES = {np.dtype(np.float64): (1e-12, 1e-12), np.dtype(np.float32): (1e-6, 1e-5)}


@dataclass
class Row:
    """One compared quantity. ``tolerance`` is the allowed max abs error (``abs + rel * max|reference|``)."""

    quantity: str
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    tolerance: float
    passed: bool
    note: str = ""


class Report(list):
    """A list of [`Row`][tinygrad_sm.compare.Row]; ``passed`` is True when every row passed."""

    def __init__(self, rows: Any = (), dtype: Any = np.float64, seed: int = 0) -> None:
        super().__init__(rows)
        self.dtype = np.dtype(dtype)
        self.seed = seed

    @property
    def passed(self) -> bool:
        return len(self) > 0 and all(row.passed for row in self)

    def to_dict(self) -> dict:
        return {
            "dtype": self.dtype.name,
            "seed": self.seed,
            "passed": self.passed,
            "rows": [{**asdict(row), "shape": list(row.shape)} for row in self],
        }

    def __str__(self) -> str:
        header = ("quantity", "shape", "max abs err", "max rel err", "tolerance", "ok", "note")
        lines = [header] + [
            (
                row.quantity,
                str(tuple(row.shape)),
                f"{row.max_abs_error:.2e}",
                f"{row.max_rel_error:.2e}",
                f"{row.tolerance:.1e}",
                "PASS" if row.passed else "FAIL",
                row.note,
            )
            for row in self
        ]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        rendered = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]
        rendered.insert(1, "  ".join("-" * width for width in widths))
        abs_tol, rel_tol = TOLERANCES[self.dtype]
        summary = (
            f"dtype {self.dtype.name}, seed {self.seed}: {sum(r.passed for r in self)}/{len(self)} passed "
            f"(tolerance = {abs_tol:g} + {rel_tol:g} * max|reference|)"
        )
        return "\n".join(rendered + [summary])


def _row(quantity: str, autograd_value: Any, reference: Any, dtype: np.dtype, note: str = "") -> Row:
    actual = np.asarray(getattr(autograd_value, "data", autograd_value), dtype=np.float64)
    expected = np.asarray(reference, dtype=np.float64)
    if actual.shape != expected.shape:
        return Row(
            quantity,
            actual.shape,
            float("inf"),
            float("inf"),
            0.0,
            False,
            f"shape mismatch: autograd {actual.shape}, reference {expected.shape}",
        )
    abs_tol, rel_tol = TOLERANCES[dtype]
    error = np.abs(actual - expected)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    max_abs = float(np.max(error)) if error.size else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(error == 0, 0.0, error / np.abs(expected))
    max_rel = float(np.max(relative)) if relative.size else 0.0
    tolerance = abs_tol + rel_tol * scale
    passed = bool(np.all(np.isfinite(actual)) and max_abs <= tolerance)
    return Row(quantity, actual.shape, max_abs, max_rel, tolerance, passed, note)


def _logits(rng: np.random.Generator, batch: int, classes: int, dtype: np.dtype) -> np.ndarray:
    return (3 * rng.standard_normal((batch, classes))).astype(dtype)


def _case_labels(rng, dtype, batch, classes):
    logits = Tensor(_logits(rng, batch, classes, dtype), requires_grad=True)
    labels = rng.integers(0, classes, size=batch)
    (autograd_grad,) = grad(F.cross_entropy(logits, labels), logits)
    probs = analytic.softmax(logits._data.astype(np.float64))
    return [
        _row(
            "dC/dz, int labels (p - onehot)/n", autograd_grad, analytic.cross_entropy_grad_logits(probs, labels), dtype
        )
    ]


def _case_soft_targets(rng, dtype, batch, classes):
    logits = Tensor(_logits(rng, batch, classes, dtype), requires_grad=True)
    targets = rng.dirichlet(np.ones(classes), size=batch).astype(dtype)
    (autograd_grad,) = grad(F.cross_entropy(logits, targets), logits)
    probs = analytic.softmax(logits._data.astype(np.float64))
    reference = analytic.cross_entropy_grad_logits(probs, targets.astype(np.float64))
    return [_row("dC/dz, soft targets (p - t)/n", autograd_grad, reference, dtype)]


def _case_last_layer(rng, dtype, batch, classes):
    fan_in = 3
    x = rng.standard_normal((batch, fan_in)).astype(dtype)
    # W (out, in) as nn.Linear stores it: w_jk connects input k to output j
    weight = Tensor(rng.standard_normal((classes, fan_in)).astype(dtype), requires_grad=True, name="W")
    bias = Tensor(rng.standard_normal(classes).astype(dtype), requires_grad=True, name="b")
    labels = rng.integers(0, classes, size=batch)
    logits = Tensor(x) @ weight.T + bias
    grad_weight, grad_bias = grad(F.cross_entropy(logits, labels), [weight, bias])
    probs = analytic.softmax(x.astype(np.float64) @ weight._data.astype(np.float64).T + bias._data.astype(np.float64))
    ref_weight, ref_bias = analytic.last_layer_grads(x.astype(np.float64), probs, analytic.onehot(labels, classes))
    return [
        _row("dC/dW = (a - y)^T a_prev/n", grad_weight, ref_weight, dtype),
        _row("dC/db = mean(a - y)", grad_bias, ref_bias, dtype),
    ]


def _case_softmax_jacobian(rng, dtype, batch, classes):
    row = _logits(rng, 1, classes, dtype)[0]
    autograd_jacobian = jacobian(lambda z: F.softmax(z, axis=-1), Tensor(row))
    reference = analytic.softmax_jacobian(analytic.softmax(row.astype(np.float64)))
    return [_row("softmax Jacobian p_i(delta_ij - p_j)", autograd_jacobian, reference, dtype)]


def _gradient_of_mean_ce(labels: np.ndarray) -> Callable[[Tensor], Tensor]:
    def gradient(logits: Tensor) -> Tensor:
        (g,) = grad(F.cross_entropy(logits, labels), logits, create_graph=True)
        assert g is not None  # the loss depends on the logits
        return g

    return gradient


def _case_hessian(rng, dtype, batch, classes):
    one = _logits(rng, 1, classes, dtype)
    label = rng.integers(0, classes, size=1)
    hessian_one = jacobian(_gradient_of_mean_ce(label), Tensor(one))
    probs_one = analytic.softmax(one.astype(np.float64))[0]
    rows = [
        _row(
            "Hessian n=1: diag(p) - p p^T",
            hessian_one.reshape(classes, classes),
            analytic.cross_entropy_hessian_logits(probs_one),
            dtype,
            "double backward",
        )
    ]
    logits = _logits(rng, batch, classes, dtype)
    labels = rng.integers(0, classes, size=batch)
    hessian = jacobian(_gradient_of_mean_ce(labels), Tensor(logits))
    blocks = analytic.cross_entropy_hessian_logits(analytic.softmax(logits.astype(np.float64))) / batch
    reference = np.zeros((batch, classes, batch, classes))
    for i in range(batch):
        reference[i, :, i, :] = blocks[i]
    rows.append(_row("Hessian batch: block diag / n", hessian, reference, dtype, "double backward"))
    return rows


def _case_mse_vs_ce(rng, dtype, batch, classes):
    a_value, target = 1e-8, 1.0
    logit = Tensor(np.array([np.log(a_value / (1 - a_value))], dtype=dtype), requires_grad=True)
    a = F.sigmoid(logit)
    (mse_grad,) = grad((0.5 * (a - target) ** 2).sum(), logit)
    a64 = 1 / (1 + np.exp(-logit._data.astype(np.float64)))
    mse_ref = analytic.mse_sigmoid_grad(a64, target)
    (ce_grad,) = grad(F.binary_cross_entropy_with_logits(logit, np.array([target], dtype=dtype)), logit)
    ce_ref = analytic.ce_sigmoid_grad(a64, target)
    return [
        _row(
            "MSE dC/dz = (a-t)a(1-a), a=1e-8, t=1",
            mse_grad,
            mse_ref,
            dtype,
            f"grad {float(mse_grad._data[0]):+.3e} (vanishes)",
        ),
        _row("BCE dC/dz = a - t,       a=1e-8, t=1", ce_grad, ce_ref, dtype, f"grad {float(ce_grad._data[0]):+.3e}"),
    ]


def _case_fused(rng, dtype, batch, classes):
    logits_data = _logits(rng, batch, classes, dtype)
    labels = rng.integers(0, classes, size=batch)
    composed_logits = Tensor(logits_data.copy(), requires_grad=True)
    fused_logits = Tensor(logits_data.copy(), requires_grad=True)
    composed = F.cross_entropy(composed_logits, labels)
    fused = F.softmax_cross_entropy_fused(fused_logits, labels)
    (composed_grad,) = grad(composed, composed_logits)
    (fused_grad,) = grad(fused, fused_logits)
    return [
        _row("fused vs composed: loss", fused, composed._data, dtype),
        _row("fused vs composed: dC/dz", fused_grad, composed_grad._data, dtype),
    ]


_CASES = {
    "labels": _case_labels,
    "soft-targets": _case_soft_targets,
    "last-layer": _case_last_layer,
    "softmax-jacobian": _case_softmax_jacobian,
    "hessian": _case_hessian,
    "mse-vs-ce": _case_mse_vs_ce,
    "fused": _case_fused,
}


def _check_arguments(dtype: Any, batch: int, classes: int) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in TOLERANCES:
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if int(batch) < 1 or int(classes) < 2:
        raise ValueError(f"need batch >= 1 and classes >= 2, got batch={batch}, classes={classes}")
    return dtype


def compare_gradients(
    case: str = "labels", dtype: Any = np.float64, seed: int = 0, batch: int = 4, classes: int = 5
) -> Report:
    """Run one comparison case (one of ``STANDARD_CASES``) and return its [`Report`][tinygrad_sm.compare.Report]."""
    dtype = _check_arguments(dtype, batch, classes)
    if case not in _CASES:
        raise ValueError(f"unknown case {case!r}; choose one of {', '.join(STANDARD_CASES)}")
    rng = np.random.default_rng(seed)
    return Report(_CASES[case](rng, dtype, int(batch), int(classes)), dtype=dtype, seed=seed)


def run_standard_checks(dtype: Any = np.float64, seed: int = 0, batch: int = 4, classes: int = 5) -> Report:
    """Every case of ``STANDARD_CASES``, rows in that order, in one [`Report`][tinygrad_sm.compare.Report]."""
    dtype = _check_arguments(dtype, batch, classes)
    report = Report(dtype=dtype, seed=seed)
    for case in STANDARD_CASES:
        report.extend(compare_gradients(case, dtype, seed, batch, classes))
    return report


def check_command(dtype: Any = "float64", seed: int = 0, batch: int = 4, classes: int = 5) -> int:
    """Print the table of all standard checks; return 0 when every row passed, else 1."""
    report = run_standard_checks(dtype, seed, batch, classes)
    print(report)
    return 0 if report.passed else 1
