"""Check *your* derivation: a learner's hand-derived gradient (plain NumPy) against autograd, with
central finite differences in float64 as a third, independent opinion, and the usual mistakes named.

``check_derivation(loss, derived, W, b, x, labels, wrt=("W", "b"))`` evaluates both sides at the given
inputs and at ``trials`` seeded random perturbations of the inputs in ``wrt`` and returns a
[`DerivationReport`][tinygrad_sm.derivation_report.DerivationReport]. When a gradient disagrees,
[`derivation_rules.diagnose`][tinygrad_sm.derivation_rules.diagnose] says which usual mistake explains
it exactly (transpose, sign, constant factor such as a missing 1/n, bias not summed over the batch, a
missing term), or names the first element that differs with the three values.

Conventions:

- ``loss(*tensors)`` returns a scalar Tensor built from tinygrad_sm ops, **or a dict of named scalar
  Tensors** whose sum is the loss (``{"cross_entropy": ce, "l2": penalty}``); the names let the report
  say "the term 'l2' is missing".
- ``derived(*arrays)`` gets the same inputs as NumPy float arrays and returns one gradient per input
  in ``wrt``: a tuple/list in that order, a dict ``{name: gradient}``, or a bare array when ``wrt``
  has one input.
- Inputs are positional or keyword; names come from the keyword, a Tensor's ``name``, or the
  parameter names of ``loss``. Keyword inputs are passed by keyword to both functions.
- Only the inputs in ``wrt`` are perturbed; the others (data, labels, one-hot targets whose rows must
  sum to 1) keep their values. ``wrt`` defaults to every floating-point input.
- Kinks (relu at 0, ties in max, abs at 0): where the one-sided finite differences disagree at a
  point, the function is not differentiable there, autograd's and your convention may both be valid
  subgradients, so the point is skipped, reported in ``notes``, and another random point is drawn.
  So is a point where the loss is not finite (a perturbed input left the loss's domain, as in ``log``).
- Finite differences are element by element; an input of more than ``FD_ELEMENTS`` elements is
  checked along ``FD_DIRECTIONS`` random unit directions instead (``d/ds f(x + s u) = <grad, u>``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .autograd import grad, no_grad
from .derivation_report import (  # noqa: F401  (re-exported: the report lives in derivation_report)
    FD_TOLERANCE,
    DerivationReport,
    DerivationRow,
    _against_differences,
    _Directional,
    _row,
)
from .tensor import Tensor

# the learner's formula and autograd run the same float64 arithmetic: they agree to rounding
TOLERANCES = {np.dtype(np.float64): (1e-7, 1e-10), np.dtype(np.float32): (1e-4, 1e-6)}


@dataclass
class _Input:
    name: str
    value: np.ndarray
    keyword: bool


def _collect_inputs(loss_fn: Callable, inputs: Sequence[Any], named: dict[str, Any]) -> list[_Input]:
    try:
        parameters = [
            p.name
            for p in inspect.signature(loss_fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        parameters = []
    collected = []
    for position, value in enumerate(inputs):
        name = getattr(value, "name", None) if isinstance(value, Tensor) else None
        name = name or (parameters[position] if position < len(parameters) else f"input{position}")
        collected.append(_Input(name, _as_array(name, value), keyword=False))
    collected += [_Input(name, _as_array(name, value), keyword=True) for name, value in named.items()]
    names = [item.name for item in collected]
    if len(set(names)) != len(names):
        raise ValueError(
            f"check_derivation: two inputs share a name ({', '.join(names)}); name the tensors or pass them as keywords"
        )
    if not collected:
        raise ValueError("check_derivation: no inputs given")
    return collected


def _as_array(name: str, value: Any) -> np.ndarray:
    array = np.array(value._data if isinstance(value, Tensor) else value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"check_derivation: input {name!r} must be numbers, got dtype {array.dtype}")
    return array


def _resolve_wrt(wrt: Any, items: list[_Input]) -> list[int]:
    names = [item.name for item in items]
    if wrt is None:
        chosen = [i for i, item in enumerate(items) if item.value.dtype.kind == "f"]
        if not chosen:
            raise ValueError("check_derivation: no floating-point input to differentiate; pass wrt=")
        return chosen
    chosen = []
    for entry in [wrt] if isinstance(wrt, (str, int)) else list(wrt):
        if isinstance(entry, (int, np.integer)) and not isinstance(entry, bool):
            if not 0 <= entry < len(items):
                raise IndexError(f"check_derivation: wrt index {entry} out of range for {len(items)} inputs")
            chosen.append(int(entry))
        elif entry in names:
            chosen.append(names.index(entry))
        else:
            raise ValueError(f"check_derivation: wrt names {entry!r}, which is not an input ({', '.join(names)})")
    for i in chosen:
        if items[i].value.dtype.kind != "f":
            raise TypeError(
                f"check_derivation: cannot differentiate with respect to {names[i]!r} "
                f"of dtype {items[i].value.dtype} (make it floating point or leave it out of wrt)"
            )
    if len(set(chosen)) != len(chosen):
        raise ValueError("check_derivation: wrt names an input twice")
    return chosen


def _call(fn: Callable, items: list[_Input], values: list[Any]) -> Any:
    positional = [v for item, v in zip(items, values) if not item.keyword]
    keywords = {item.name: v for item, v in zip(items, values) if item.keyword}
    return fn(*positional, **keywords)


class _Loss:
    """Evaluates the learner's loss: as a graph (for autograd) or as a float64 number (for differences)."""

    def __init__(self, fn: Callable, items: list[_Input], wrt: list[int], dtype: np.dtype) -> None:
        self.fn, self.items, self.wrt, self.dtype = fn, items, wrt, dtype
        self.name = getattr(fn, "__name__", "loss")
        self.term_names: list[str] | None = None

    def _terms(self, values: list[np.ndarray], dtype: np.dtype, requires_grad: bool) -> tuple[list[Tensor], dict]:
        tensors = [
            Tensor(
                v.astype(dtype) if v.dtype.kind == "f" else v,
                requires_grad=requires_grad and i in self.wrt,
                name=item.name,
            )
            for i, (item, v) in enumerate(zip(self.items, values))
        ]
        try:
            out = _call(self.fn, self.items, tensors)
        except Exception as error:  # the learner's code: say where it failed, in one line
            raise ValueError(f"{self.name} raised {type(error).__name__}: {error}") from error
        terms = out if isinstance(out, dict) else {"loss": out}
        if not terms:
            raise ValueError(f"{self.name} returned an empty dict; return a scalar Tensor or named terms")
        for term_name, term in terms.items():
            if not isinstance(term, Tensor):
                raise TypeError(
                    f"{self.name} must return a scalar Tensor built from tinygrad_sm ops (or a dict of "
                    f"them); {term_name!r} is {type(term).__name__}: were NumPy functions used on it?"
                )
            if term._data.size != 1:
                raise ValueError(
                    f"{self.name} must return a scalar; {term_name!r} has shape {term.shape} (take .sum() or .mean())"
                )
        names = list(terms) if isinstance(out, dict) else None
        if self.term_names is not None and names != self.term_names:
            raise ValueError(f"{self.name} returned terms {names} at one point and {self.term_names} at another")
        self.term_names = names
        return tensors, terms

    def gradients(self, values: list[np.ndarray]) -> tuple[list[np.ndarray], dict[str, list[np.ndarray]]]:
        """Autograd's gradient of the whole loss, and of each named term alone, for each input in wrt."""
        tensors, terms = self._terms(values, self.dtype, requires_grad=True)
        leaves = [tensors[i] for i in self.wrt]
        per_term: dict[str, list[np.ndarray]] = {}
        for term_name, term in terms.items():
            if not term.requires_grad:  # the term does not depend on any input in wrt
                per_term[term_name] = [np.zeros(leaf.shape) for leaf in leaves]
                continue
            found = grad(term.reshape(()), leaves, retain_graph=True, allow_unused=True)
            per_term[term_name] = [
                np.zeros(leaf.shape) if g is None else np.asarray(g._data, dtype=np.float64)
                for g, leaf in zip(found, leaves)
            ]
        total = [np.sum([per_term[t][k] for t in per_term], axis=0) for k in range(len(leaves))]
        return total, (per_term if len(per_term) > 1 else {})

    def value(self, values: list[np.ndarray]) -> float:
        # a perturbed point may leave the loss's domain: the caller checks finiteness and skips it
        with no_grad(), np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            _, terms = self._terms(values, np.dtype(np.float64), requires_grad=False)
        return float(sum(float(np.asarray(t._data, dtype=np.float64).reshape(())) for t in terms.values()))


FD_ELEMENTS = 4096  # inputs larger than this are checked along random directions, not element by element
FD_DIRECTIONS = 8


def _slope(
    loss: _Loss, point: list[np.ndarray], base: float, flat: np.ndarray, direction: Any, eps: float
) -> tuple[float, str | None]:
    """Central difference along ``direction`` (an element index or a vector) of the flat view ``flat``
    into ``point``; a kink is reported where the one-sided slopes disagree, and still do at ``eps / 100``
    (a smooth curvature would shrink the gap a hundredfold); ``base`` is the loss at ``point``."""
    original = flat.copy() if not isinstance(direction, (int, np.integer)) else flat[direction]
    gaps = []
    for step in (eps, eps / 100):
        if isinstance(direction, (int, np.integer)):
            flat[direction] = original + step
            plus = loss.value(point)
            flat[direction] = original - step
            minus = loss.value(point)
            flat[direction] = original
        else:
            flat[:] = original + step * direction
            plus = loss.value(point)
            flat[:] = original - step * direction
            minus = loss.value(point)
            flat[:] = original
        forward, backward, central = (plus - base) / step, (base - minus) / step, (plus - minus) / (2 * step)
        gaps.append(abs(forward - backward))
        if step == eps and gaps[0] <= 1e-4 * max(1.0, abs(forward), abs(backward)):
            return central, None
    if gaps[1] > 0.3 * gaps[0]:
        return central, f"one-sided slopes {backward:.4g} and {forward:.4g} (relu at 0, a tie in max?)"
    return central, None


def _finite_differences(
    loss: _Loss, values: list[np.ndarray], eps: float, rng: np.random.Generator
) -> tuple[list[Any], str | None]:
    """Central differences in float64 for each input in wrt (an array of its shape, or ``_Directional``
    for inputs over ``FD_ELEMENTS``), and a description of a kink or non-finite loss, if there is one."""
    point = [v.astype(np.float64) if v.dtype.kind == "f" else v for v in values]
    base = loss.value(point)
    if not np.isfinite(base):
        return [], f"the loss is {base} there (did an input leave its domain?)"
    gradients: list[Any] = []
    for i in loss.wrt:
        flat = point[i].reshape(-1)  # a view: the perturbations write into the point itself
        if flat.size > FD_ELEMENTS:
            directions = rng.standard_normal((FD_DIRECTIONS, flat.size))
            directions /= np.linalg.norm(directions, axis=1, keepdims=True)
            slopes = np.zeros(FD_DIRECTIONS)
            for r in range(FD_DIRECTIONS):
                slopes[r], kink = _slope(loss, point, base, flat, directions[r], eps)
                if kink:
                    return [], f"{loss.items[i].name} sits on a kink along a random direction: {kink}"
            gradients.append(_Directional(directions, slopes))
            continue
        numeric = np.zeros(flat.size)
        for j in range(flat.size):
            numeric[j], kink = _slope(loss, point, base, flat, j, eps)
            if kink:
                index = ", ".join(map(str, np.unravel_index(j, point[i].shape)))
                return [], f"{loss.items[i].name}[{index}] sits on a kink: {kink}"
        gradients.append(numeric.reshape(point[i].shape))
    return gradients, None


def _parse_derived(out: Any, names: list[str], name: str) -> tuple[list[Any], str | None]:
    if isinstance(out, dict):
        unknown = [key for key in out if key not in names]
        if unknown:
            return [], f"{name} returned gradients for {unknown}, which are not among {names}"
        return [out.get(key) for key in names], None
    if len(names) == 1 and not isinstance(out, (tuple, list)):
        return [out], None
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        count = len(out) if isinstance(out, (tuple, list)) else 1
        return [], (
            f"{name} returned {count} value{'s' if count != 1 else ''}; expected {len(names)}: "
            f"{', '.join('d' + n for n in names)} in that order"
        )
    return list(out), None


def _as_gradient(value: Any) -> np.ndarray | None:
    try:
        array = np.asarray(value._data if isinstance(value, Tensor) else value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return None if value is None else array


def _points(items: list[_Input], wrt: list[int], trials: int, seed: int, loss: _Loss, eps: float, notes: list[str]):
    """The given inputs, then random perturbations of the inputs in wrt (noise of 0.1 + 0.5 * rms(value)),
    skipping any point that sits on a kink; yields ``(label, values, numeric gradients)``."""
    rng = np.random.default_rng(seed)
    given = [item.value for item in items]
    accepted, attempts = 0, 0
    while accepted < trials + 1 and attempts < 4 * (trials + 1):
        if attempts == 0:
            label, values = "the given inputs", given
        else:
            values = list(given)
            for i in wrt:
                value = given[i].astype(np.float64)
                noise = 0.1 + 0.5 * float(np.sqrt(np.mean(value**2))) if value.size else 0.0
                values[i] = value + noise * rng.standard_normal(value.shape)
            label = f"random point {attempts}"
        attempts += 1
        numeric, kink = _finite_differences(loss, values, eps, rng)
        if kink:
            notes.append(f"{label} skipped: {kink}")
            continue
        accepted += 1
        yield label, values, numeric
    if accepted < trials + 1:
        notes.append(f"only {accepted} of {trials + 1} points could be used (off kinks, with a finite loss)")


def check_derivation(
    loss_fn: Callable[..., Any],
    derived_fn: Callable[..., Any],
    *inputs: Any,
    wrt: Any = None,
    trials: int = 3,
    seed: int = 0,
    dtype: Any = np.float64,
    batch_size: int | None = None,
    eps: float = 1e-6,
    **named_inputs: Any,
) -> DerivationReport:
    """Compare ``derived_fn`` (your gradient formula, plain NumPy) with autograd of ``loss_fn`` and with
    central finite differences, at the given inputs and ``trials`` seeded random perturbations of them.

    ``loss_fn(*tensors)`` returns a scalar Tensor, or a dict of named scalar Tensors whose sum is the loss;
    ``derived_fn(*arrays)`` returns one gradient per input in ``wrt`` (names or positions; default: every
    floating-point input). ``batch_size`` (default: the length of the first axis of the first input
    not in ``wrt``) lets a factor of n be named as the missing 1/n of a mean. A gradient passes when
    ``max|yours - autograd| <= atol + rtol * max|autograd|`` at every point (``TOLERANCES[dtype]``) and
    autograd agrees with finite differences. Loss errors raise ``ValueError``/``TypeError``; errors in
    ``derived_fn`` (an exception, a wrong count, a wrong shape) are reported as failures, never raised.
    """
    dtype = np.dtype(dtype)
    if dtype not in TOLERANCES:
        raise TypeError(f"check_derivation: dtype must be float32 or float64, got {dtype}")
    if int(trials) < 0:
        raise ValueError(f"check_derivation: trials must be >= 0, got {trials}")
    items = _collect_inputs(loss_fn, inputs, named_inputs)
    wrt_index = _resolve_wrt(wrt, items)
    names = [items[i].name for i in wrt_index]
    if batch_size is None:
        batch_size = next(
            (int(item.value.shape[0]) for i, item in enumerate(items) if i not in wrt_index and item.value.ndim >= 1),
            None,
        )
    loss = _Loss(loss_fn, items, wrt_index, dtype)
    derived_name = getattr(derived_fn, "__name__", "derived")
    rtol, atol = TOLERANCES[dtype]
    notes: list[str] = []
    labels, yours, autograd, numeric = [], [], [], []
    terms: dict[str, list[list[np.ndarray]]] = {}
    failure: str | None = None
    for label, values, fd in _points(items, wrt_index, int(trials), seed, loss, eps, notes):
        auto, per_term = loss.gradients(values)
        arrays = [v.astype(dtype) if v.dtype.kind == "f" else v.copy() for v in values]
        labels.append(label)
        autograd.append(auto)
        numeric.append(fd)
        for term_name, grads in per_term.items():
            terms.setdefault(term_name, []).append(grads)
        try:
            out = _call(derived_fn, items, arrays)
        except Exception as error:  # the learner's formula: a failure to report, not a crash
            failure = f"{derived_name} raised {type(error).__name__} at {label}: {error}"
            break
        parsed, failure = _parse_derived(out, names, derived_name)
        if failure:
            break
        yours.append([_as_gradient(value) for value in parsed])
    if failure:
        notes.append(failure)
    rows = [
        _row(k, name, labels, yours, autograd, numeric, terms, batch_size, rtol, atol, failure)
        for k, name in enumerate(names)
    ]
    return DerivationReport(rows, labels, notes, loss.name, derived_name, dtype.name, seed)
