"""The usual mistakes in a hand-derived gradient, each a rule that either explains the difference
between the learner's gradient and autograd's *exactly* (at every checked point) or says nothing.

[`diagnose`][tinygrad_sm.derivation_rules.diagnose] tries the rules in a fixed order and returns the
first explanation that holds, or the first-differing-index fallback. A rule never guesses: a
candidate explanation is accepted only when the transformed gradient equals autograd's within the
same tolerance the PASS verdict uses, at every point. Shape rules (transpose, a batch axis left in,
a stray axis of length 1) are tried first and may be followed by one value rule (sign, constant
factor, a term of the loss missing or scaled), so ``-2 * dW.T`` is named as all three at once.

Tags in ``Diagnosis.mistakes``: ``transpose``, ``batch-axis``, ``reshape``, ``sign``, ``factor``,
``zero``, ``missing-term``, ``term-factor``, ``shape`` (a wrong shape no rule explains) and
``first-index`` (the fallback).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial

import numpy as np

Arrays = Sequence[np.ndarray]  # one array per checked point


@dataclass
class Diagnosis:
    """What explains the difference: ``mistakes`` are tags (see the module docstring), ``message`` says it."""

    mistakes: list[str] = field(default_factory=list)
    message: str = ""


def within(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """``max|actual - expected| <= atol + rtol * max|expected|``: the PASS criterion, also used by the rules."""
    if actual.shape != expected.shape or not np.all(np.isfinite(actual)):
        return False
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return bool(expected.size == 0 or np.max(np.abs(actual - expected)) <= atol + rtol * scale)


def _all_within(yours: Arrays, targets: Arrays, rtol: float, atol: float) -> bool:
    return all(within(y, t, rtol, atol) for y, t in zip(yours, targets))


def describe_factor(factor: float, batch_size: int | None, means: Sequence[int] = ()) -> tuple[list[str], str]:
    """Tags and words for ``yours = factor * autograd``. A factor of n or 1/n, where n is the batch size
    or the count of a mean in the loss (``means``), is named as the mean's 1/n whatever n is (even 2 or
    4, which could be other factors: the mean is the usual mistake)."""
    if abs(factor + 1) < 1e-9:
        return ["sign"], "yours is the negative of autograd's: a sign error"
    magnitude, sign = abs(factor), "-" if factor < 0 else ""
    counts = [(batch_size, "the batch size")] if batch_size and batch_size > 1 else []
    counts += [(n, "the number of elements a mean in the loss averages") for n in means if n > 1 and n != batch_size]
    for n, what in counts:
        over = "over the batch " if what == "the batch size" else f"over {n} elements "
        if abs(magnitude - n) < 1e-9 * n:
            times, why = f"{sign}n times autograd's (n = {n}, {what})", f"the 1/n of the mean {over}is missing"
            break
        if abs(magnitude * n - 1) < 1e-9:
            times = f"{sign}1/n times autograd's (n = {n}, {what})"
            why = "divided by n once too often, or the loss is a sum where you derived a mean"
            break
    else:
        simple = Fraction(magnitude).limit_denominator(8)
        words = str(simple) if simple and abs(float(simple) - magnitude) < 1e-9 * magnitude else f"{magnitude:.6g}"
        times, why = f"{sign}{words} times autograd's", f"a constant factor of {words}"
    if sign:
        return ["sign", "factor"], f"yours is {times}: the sign is wrong, and {why}"
    return ["factor"], f"yours is {times}: {why}"


def _scale_rule(
    yours: Arrays, autograd: Arrays, batch_size: int | None, rtol: float, atol: float, means: Sequence[int] = ()
) -> Diagnosis | None:
    energy = sum(float(np.sum(g * g)) for g in autograd)
    if energy == 0:
        return None
    factor = sum(float(np.sum(y * g)) for y, g in zip(yours, autograd)) / energy
    if not _all_within(yours, [factor * g for g in autograd], rtol, atol):
        return None
    if abs(factor) < 1e-12:
        return Diagnosis(["zero"], "yours is zero everywhere; autograd's is not")
    return Diagnosis(*describe_factor(factor, batch_size, means))


def _terms_rule(
    yours: Arrays,
    term_grads: Mapping[str, Arrays],
    rtol: float,
    atol: float,
    batch_size: int | None = None,
    means: Sequence[int] = (),
) -> Diagnosis | None:
    """``yours = sum_t c_t * grad(term_t)`` by least squares over all points; accepted only when exact."""
    names = list(term_grads)
    if len(names) < 2:
        return None
    columns = np.stack([np.concatenate([g.ravel() for g in term_grads[name]]) for name in names], axis=1)
    target = np.concatenate([y.ravel() for y in yours])
    if np.linalg.matrix_rank(columns) < len(names):
        return None  # two terms with proportional gradients: no single explanation
    coefficients = np.linalg.lstsq(columns, target, rcond=None)[0]
    coefficients = np.where(np.abs(coefficients) < 1e-9, 0.0, coefficients)
    refit = [sum(c * term_grads[name][k] for c, name in zip(coefficients, names)) for k in range(len(yours))]
    if not _all_within(yours, refit, rtol, atol):
        return None
    kept = [name for c, name in zip(coefficients, names) if c != 0]
    missing = [name for c, name in zip(coefficients, names) if c == 0]
    mistakes, parts = [], []
    if missing and kept:
        mistakes.append("missing-term")
        alone = " + ".join(repr(name) for name in kept)
        parts.append(
            f"yours matches autograd of {alone} alone: the term{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(name) for name in missing)} {'are' if len(missing) > 1 else 'is'} missing"
        )
    for c, name in zip(coefficients, names):
        if c != 0 and abs(c - 1) > 1e-9:
            mistakes.append("term-factor")
            parts.append(
                f"the term {name!r} enters {describe_factor(c, batch_size, means)[1].replace('yours is ', '')}".replace(
                    "autograd's", "its autograd gradient"
                )
            )
    return Diagnosis(mistakes, "; ".join(parts)) if parts else None


def _value_rules(
    yours: Arrays,
    autograd: Arrays,
    term_grads: Mapping[str, Arrays] | None,
    batch_size: int | None,
    rtol: float,
    atol: float,
    means: Sequence[int] = (),
) -> Diagnosis | None:
    return _scale_rule(yours, autograd, batch_size, rtol, atol, means) or (
        _terms_rule(yours, term_grads, rtol, atol, batch_size, means) if term_grads else None
    )


def _reshaped(array: np.ndarray, shape: tuple) -> np.ndarray:
    return array.reshape(shape)


def _shape_transforms(
    label: str, your_shape: tuple, shape: tuple, batch_size: int | None
) -> list[tuple[str, Callable[[np.ndarray], np.ndarray], str, str]]:
    """Ways a gradient of the wrong shape can be turned into one of the right shape: ``(tag, transform,
    what is wrong, what fixes it)``."""
    found = f"your {label} has shape {your_shape}; autograd's is {shape}"
    transforms: list[tuple[str, Callable[[np.ndarray], np.ndarray], str, str]] = []
    if len(your_shape) == 2 and your_shape[::-1] == shape:
        square = " (the matrix is square, so the shapes agree but the values do not)" if your_shape == shape else ""
        transforms.append(("transpose", np.transpose, found + square, f"{label}.T"))
    if len(your_shape) == len(shape) + 1:
        for axis in range(len(your_shape)):
            # an axis of length 1 is a reshape, unless it is the batch axis of a batch of one
            long_enough = your_shape[axis] > 1 or (batch_size == 1 and axis == 0)
            if long_enough and your_shape[:axis] + your_shape[axis + 1 :] == shape:
                length = your_shape[axis]
                why = (
                    "(length {length}, the batch axis); the per-example gradients must be summed over the batch"
                    if batch_size and length == batch_size
                    else "(length {length}), which autograd's does not have"
                )
                transforms.append(
                    (
                        "batch-axis",
                        partial(np.sum, axis=axis),
                        f"{found}: yours keeps axis {axis} {why.format(length=length)}",
                        f"{label}.sum(axis={axis})",
                    )
                )
    squeezed = tuple(d for d in your_shape if d != 1)
    if your_shape != shape and squeezed == tuple(d for d in shape if d != 1):
        transforms.append(
            (
                "reshape",
                partial(_reshaped, shape=shape),
                f"{found}: an axis of length 1 too many or too few",
                f"{label}.reshape({shape})",
            )
        )
    return transforms


def _first_difference(
    label: str, yours: Arrays, autograd: Arrays, numeric: Arrays, points: Sequence[str], rtol: float, atol: float
) -> Diagnosis:
    for k, (y, g, fd) in enumerate(zip(yours, autograd, numeric)):
        if within(y, g, rtol, atol):
            continue
        scale = float(np.max(np.abs(g))) if g.size else 0.0
        bad = ~(np.abs(y - g) <= atol + rtol * scale)  # also true where yours is nan
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"{label}[{', '.join(map(str, index))}]"
        fd_text = "n/a (a large input, checked along random directions)" if np.isnan(fd[index]) else f"{fd[index]:.6g}"
        why = "yours holds nan or inf" if not np.all(np.isfinite(y)) else "no usual mistake explains it"
        values = f"yours {y[index]:.6g}, autograd {g[index]:.6g}, finite differences {fd_text}"
        return Diagnosis(["first-index"], f"{why}; first differing element {where} at {points[k]}: {values}")
    return Diagnosis(["first-index"], "no usual mistake explains it")


def diagnose(
    label: str,
    yours: Arrays,
    autograd: Arrays,
    numeric: Arrays,
    points: Sequence[str],
    term_grads: Mapping[str, Arrays] | None = None,
    batch_size: int | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-10,
    means: Sequence[int] = (),
) -> Diagnosis:
    """Explain why ``yours`` differs from ``autograd`` (lists over the same points; ``numeric`` holds the
    finite differences). ``label`` names the gradient in messages (``dW``); ``term_grads`` maps each named
    term of the loss to autograd's gradient of that term alone; ``batch_size`` lets a factor n be named."""
    shape = autograd[0].shape
    your_shapes = {y.shape for y in yours}
    if len(your_shapes) > 1:
        return Diagnosis(
            ["shape"],
            f"your {label} changes shape from point to point: "
            f"{', '.join(str(s) for s in sorted(your_shapes))}; autograd's is {shape}",
        )
    your_shape = yours[0].shape
    if not all(np.all(np.isfinite(y)) for y in yours):
        if your_shape != shape:
            return Diagnosis(
                ["shape"],
                f"wrong shape: your {label} has shape {your_shape}; autograd's is {shape}; and it holds nan or inf",
            )
        return _first_difference(label, yours, autograd, numeric, points, rtol, atol)
    if your_shape == shape:
        found = _value_rules(yours, autograd, term_grads, batch_size, rtol, atol, means)
        if found:
            return found
    for tag, transform, wrong, fix in _shape_transforms(label, your_shape, shape, batch_size):
        reshaped = [transform(y) for y in yours]
        if _all_within(reshaped, autograd, rtol, atol):
            return Diagnosis([tag], f"{wrong}; {fix} matches")
        found = _value_rules(reshaped, autograd, term_grads, batch_size, rtol, atol, means)
        if found:
            return Diagnosis([tag, *found.mistakes], f"{wrong}; and taking {fix}, {found.message}")
    if your_shape != shape:
        return Diagnosis(
            ["shape"],
            f"wrong shape: your {label} has shape {your_shape}; autograd's is {shape}; "
            "no usual mistake (transpose, batch axis left in, axis of length 1) explains it",
        )
    return _first_difference(label, yours, autograd, numeric, points, rtol, atol)
