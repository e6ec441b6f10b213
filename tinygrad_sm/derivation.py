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

from . import ops
from .autograd import grad, no_grad
from .derivation_report import (  # noqa: F401  (re-exported: the report lives in derivation_report)
    FD_TOLERANCE,
    DerivationReport,
    DerivationRow,
    _against_differences,
    _Directional,
    _row,
)
from .isolation import DEFAULT_MEMORY, Channel, ChildError, ChildResult, run_forked
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
    if not chosen:
        raise ValueError(f"check_derivation: wrt names no input; list the inputs to differentiate ({', '.join(names)})")
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
        self.progress: Callable[[str, str], None] | None = None  # told before each call of the learner's code
        self.where = "at the given inputs"
        self.means: tuple[list[int], list[int]] | None = None  # counts of the means in the loss (_mean_counts)

    def _terms(self, values: list[np.ndarray], dtype: np.dtype, requires_grad: bool) -> tuple[list[Tensor], dict]:
        tensors = [
            Tensor(
                v.astype(dtype) if v.dtype.kind == "f" else v,
                requires_grad=requires_grad and i in self.wrt,
                name=item.name,
            )
            for i, (item, v) in enumerate(zip(self.items, values))
        ]
        if self.progress is not None:
            self.progress(f"{self.name}()", self.where)
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
        if self.means is None:
            self.means = _mean_counts(list(terms.values()))
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


def _mean_counts(roots: list[Tensor]) -> tuple[list[int], list[int]]:
    """How many elements each mean in the loss's graph averages: ``(over the batch, others)``. A mean
    over the first axis (a vector of per-example losses) is over the batch; a mean over more axes, or
    a division by a constant whole number such as ``losses.sum() / n``, is another. A factor of one of
    these counts is a missing 1/n."""
    batch: set[int] = set()
    counts: set[int] = set()
    seen: set[int] = set()
    stack = [root._node for root in roots if root._node is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ops.Mean) and np.isfinite(node.scale) and node.scale > 0:
            (batch if node.axes == (0,) else counts).add(round(1 / node.scale))
        elif isinstance(node, ops.Div) and len(node.parents) == 2:
            divisor = node.parents[1]
            if not divisor.requires_grad and divisor._data.size == 1:
                value = float(np.asarray(divisor._data, dtype=np.float64).reshape(()))
                if value >= 2 and value == round(value):
                    counts.add(int(value))
        stack.extend(parent._node for parent in node.parents if parent._node is not None)
    return sorted(n for n in batch if n >= 1), sorted(n for n in counts - batch if n >= 2)


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


def _parse_derived(out: Any, names: list[str], name: str, wrt_hint: str = "") -> tuple[list[Any], str | None]:
    if isinstance(out, dict):
        unknown = [key for key in out if key not in names]
        if unknown:
            return [], f"{name} returned gradients for {unknown}, which are not among {names}{wrt_hint}"
        missing = [key for key in names if key not in out]
        if missing:
            return [], f"{name} returned no gradient for {', '.join(missing)} (a dict with keys {list(out)}){wrt_hint}"
        return [out[key] for key in names], None
    if len(names) == 1 and not isinstance(out, (tuple, list)):
        return [out], None
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        count = len(out) if isinstance(out, (tuple, list)) else 1
        return [], (
            f"{name} returned {count} value{'s' if count != 1 else ''}; expected {len(names)}: "
            f"{', '.join('d' + n for n in names)} in that order{wrt_hint}"
        )
    return list(out), None


def _as_gradient(value: Any) -> np.ndarray | None:
    try:
        array = np.asarray(value._data if isinstance(value, Tensor) else value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return None if value is None else array


def _points(items: list[_Input], wrt: list[int], trials: int, seed: int, loss: _Loss, eps: float, notes: list):
    """The given inputs, then random perturbations of the inputs in wrt (noise of 0.1 + 0.5 * rms(value)),
    skipping any point that sits on a kink; yields ``(label, values, numeric gradients)``. Each note is
    ``(points yielded before it, text)``."""
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
        loss.where = f"at {label}"
        numeric, kink = _finite_differences(loss, values, eps, rng)
        if kink:
            notes.append((accepted, f"{label} skipped: {kink}"))
            continue
        accepted += 1
        yield label, values, numeric
    if accepted < trials + 1:
        notes.append(
            (accepted, f"only {accepted} of {trials + 1} points could be used (off kinks, with a finite loss)")
        )


@dataclass
class _Run:
    """One derived function's answers: per point, one gradient per input in wrt (None: not numbers)."""

    name: str
    yours: list[list[np.ndarray | None]]
    failure: str | None = None


@dataclass
class _Gathered:
    """Everything the learner's code produced, as plain arrays and strings: what ``_judge`` compares.
    Gathered in the process that runs the learner's code; judged in the one that reports."""

    loss_name: str
    names: list[str]
    shapes: list[tuple[int, ...]]
    batch_size: int | None
    means: list[int]
    labels: list[str]
    autograd: list[list[np.ndarray]]
    numeric: list[list[Any]]  # np.ndarray or _Directional
    terms: dict[str, list[list[np.ndarray]]]
    notes: list[tuple[int, str]]
    runs: list[_Run]


def _gather(
    loss: _Loss,
    derived_fns: list[Callable],
    items: list[_Input],
    trials: int,
    seed: int,
    eps: float,
    batch_size: int | None,
    wrt_hint: str = "",
    progress: Callable[[str, str], None] | None = None,
) -> _Gathered:
    """Evaluate autograd, finite differences and each derived function at every point."""
    names = [items[i].name for i in loss.wrt]
    loss.progress = progress
    runs = [_Run(getattr(fn, "__name__", "derived"), []) for fn in derived_fns]
    gathered = _Gathered(
        loss.name, names, [tuple(items[i].value.shape) for i in loss.wrt], batch_size, [], [], [], [], {}, [], runs
    )
    for label, values, fd in _points(items, loss.wrt, trials, seed, loss, eps, gathered.notes):
        auto, per_term = loss.gradients(values)
        arrays = [v.astype(loss.dtype) if v.dtype.kind == "f" else v.copy() for v in values]
        gathered.labels.append(label)
        gathered.autograd.append(auto)
        gathered.numeric.append(fd)
        for term_name, grads in per_term.items():
            gathered.terms.setdefault(term_name, []).append(grads)
        for fn, run in zip(derived_fns, runs):
            if run.failure is not None:
                continue
            if progress is not None:
                progress(f"{run.name}()", f"at {label}")
            try:
                out = _call(fn, items, [a.copy() for a in arrays])
            except Exception as error:  # the learner's formula: a failure to report, not a crash
                run.failure = f"{run.name} raised {type(error).__name__} at {label}: {error}"
                continue
            parsed, run.failure = _parse_derived(out, names, run.name, wrt_hint)
            if run.failure is None:
                run.yours.append([_as_gradient(value) for value in parsed])
        if all(run.failure is not None for run in runs):
            break  # nothing left to compare: no more points
    batch_means, other_means = loss.means or ([], [])
    if gathered.batch_size is None and batch_means:  # no data input to tell: the mean over the batch does
        gathered.batch_size = batch_means[0]
    gathered.means = [n for n in batch_means + other_means if n != gathered.batch_size]
    return gathered


def _judge(gathered: _Gathered, run: _Run, dtype: np.dtype, seed: int) -> DerivationReport:
    """The report for one derived function, from gathered arrays only."""
    used = min(len(gathered.labels), len(run.yours) + (1 if run.failure else 0))
    finished = run.failure is None
    notes = [text for position, text in gathered.notes if position < used or (finished and position <= used)]
    if run.failure:
        notes.append(run.failure)
    labels = gathered.labels[:used]
    autograd, numeric = gathered.autograd[:used], gathered.numeric[:used]
    terms = {name: grads[:used] for name, grads in gathered.terms.items()}
    rtol, atol = TOLERANCES[dtype]
    rows = [
        _row(
            k,
            name,
            labels,
            run.yours,
            autograd,
            numeric,
            terms,
            gathered.batch_size,
            rtol,
            atol,
            run.failure,
            gathered.means,
        )
        for k, name in enumerate(gathered.names)
    ]
    return DerivationReport(rows, labels, notes, gathered.loss_name, run.name, dtype.name, seed)


# ---------------------------------------------------------------- across a process boundary


def _pack(gathered: _Gathered) -> tuple[dict, dict[str, np.ndarray]]:
    """``_Gathered`` as JSON and plain arrays, to be sent from the child that ran the learner's code."""
    arrays: dict[str, np.ndarray] = {}
    fd_kinds = []
    for p, (auto, fd) in enumerate(zip(gathered.autograd, gathered.numeric)):
        for k, array in enumerate(auto):
            arrays[f"auto_{p}_{k}"] = array
        kinds = []
        for k, value in enumerate(fd):
            if isinstance(value, _Directional):
                arrays[f"directions_{p}_{k}"], arrays[f"slopes_{p}_{k}"] = value.directions, value.slopes
                kinds.append("directional")
            else:
                arrays[f"fd_{p}_{k}"] = value
                kinds.append("array")
        fd_kinds.append(kinds)
    term_names = list(gathered.terms)
    for t, name in enumerate(term_names):
        for p, grads in enumerate(gathered.terms[name]):
            for k, array in enumerate(grads):
                arrays[f"term_{t}_{p}_{k}"] = array
    runs = []
    for r, run in enumerate(gathered.runs):
        for p, point in enumerate(run.yours):
            for k, answer in enumerate(point):
                if answer is not None:
                    arrays[f"yours_{r}_{p}_{k}"] = answer
        runs.append({"name": run.name, "points": len(run.yours), "failure": run.failure})
    meta = {
        "loss_name": gathered.loss_name,
        "names": gathered.names,
        "shapes": [list(shape) for shape in gathered.shapes],
        "batch_size": gathered.batch_size,
        "means": gathered.means,
        "labels": gathered.labels,
        "fd_kinds": fd_kinds,
        "terms": term_names,
        "notes": [[position, text] for position, text in gathered.notes],
        "runs": runs,
    }
    return meta, arrays


class _Malformed(ValueError):
    pass


def _unpack(meta: dict, arrays: dict[str, np.ndarray]) -> _Gathered:
    """Rebuild ``_Gathered`` from what a child sent, checking every type and shape (the child ran
    code nobody vetted): raises ``_Malformed`` naming the first thing that does not fit."""

    def text(value: Any, what: str) -> str:
        if not isinstance(value, str):
            raise _Malformed(f"{what} is not a string")
        return value

    def integer(value: Any, what: str, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise _Malformed(f"{what} is not a whole number >= {low}")
        return value

    def listed(value: Any, what: str) -> list:
        if not isinstance(value, list):
            raise _Malformed(f"{what} is not a list")
        return value

    def array(key: str, shape: tuple | None = None) -> np.ndarray:
        if key not in arrays:
            raise _Malformed(f"array {key} is missing")
        value = arrays[key]
        if value.dtype.kind not in "fiu" or (shape is not None and value.shape != shape):
            raise _Malformed(f"array {key} has shape {value.shape} and dtype {value.dtype}; expected shape {shape}")
        return value.astype(np.float64, copy=False)

    names = [text(name, "an input name") for name in listed(meta.get("names"), "names")]
    shapes = [
        tuple(integer(n, "a dimension") for n in listed(shape, "a shape"))
        for shape in listed(meta.get("shapes"), "shapes")
    ]
    if len(shapes) != len(names) or not names:
        raise _Malformed("names and shapes do not match")
    labels = [text(label, "a point's label") for label in listed(meta.get("labels"), "labels")]
    fd_kinds = listed(meta.get("fd_kinds"), "fd_kinds")
    if len(fd_kinds) != len(labels):
        raise _Malformed("one finite-difference entry per point is needed")
    autograd = [[array(f"auto_{p}_{k}", shape) for k, shape in enumerate(shapes)] for p in range(len(labels))]
    numeric: list[list[Any]] = []
    for p, kinds in enumerate(fd_kinds):
        point: list[Any] = []
        for k, shape in enumerate(shapes):
            if listed(kinds, "fd kinds")[k : k + 1] == ["directional"]:
                size = int(np.prod(shape, dtype=np.int64))
                directions = array(f"directions_{p}_{k}")
                slopes = array(f"slopes_{p}_{k}")
                if directions.ndim != 2 or directions.shape[1] != size or slopes.shape != (directions.shape[0],):
                    raise _Malformed(f"directional differences {p}, {k} have the wrong shapes")
                point.append(_Directional(directions, slopes))
            else:
                point.append(array(f"fd_{p}_{k}", shape))
        numeric.append(point)
    terms = {
        text(name, "a term name"): [
            [array(f"term_{t}_{p}_{k}", shape) for k, shape in enumerate(shapes)] for p in range(len(labels))
        ]
        for t, name in enumerate(listed(meta.get("terms"), "terms"))
    }
    runs = []
    for r, run in enumerate(listed(meta.get("runs"), "runs")):
        if not isinstance(run, dict):
            raise _Malformed("a run is not an object")
        count = integer(run.get("points"), "a run's point count")
        if count > len(labels):
            raise _Malformed("a run answered at more points than were checked")
        failure = run.get("failure")
        yours = [
            [array(f"yours_{r}_{p}_{k}") if f"yours_{r}_{p}_{k}" in arrays else None for k in range(len(names))]
            for p in range(count)
        ]
        runs.append(
            _Run(
                text(run.get("name"), "a run's name")[:200],
                yours,
                None if failure is None else text(failure, "a failure"),
            )
        )
        if failure is None and count != len(labels):
            raise _Malformed(f"{runs[-1].name} answered at {count} of {len(labels)} points and reported no failure")
    if not runs:
        raise _Malformed("no derived function was run")
    batch_size = meta.get("batch_size")
    if batch_size is not None:
        batch_size = integer(batch_size, "the batch size")
    means = [integer(count, "a mean's count") for count in listed(meta.get("means", []), "means")]
    notes = [
        (integer(note[0], "a note's position"), text(note[1], "a note"))
        for note in listed(meta.get("notes"), "notes")
        if isinstance(note, list) and len(note) == 2
    ]
    return _Gathered(
        text(meta.get("loss_name"), "the loss's name")[:200],
        names,
        shapes,
        batch_size,
        means,
        labels,
        autograd,
        numeric,
        terms,
        notes,
        runs,
    )


def gathered_from_child(result: ChildResult) -> _Gathered:
    """The checked ``_Gathered`` of a child's complete result; raises ``LabStopped`` (the child ended
    or timed out first, or sent something malformed) or ``LabError`` (the child reported an error)."""
    if result.status == "error":
        raise LabError(result.error)
    if result.status != "done":
        raise LabStopped(result.stopped_message())
    try:
        return _unpack(result.meta, result.arrays)
    except (_Malformed, KeyError, IndexError, TypeError, ValueError) as error:
        raise LabStopped(f"the lab's process sent a malformed result ({error}); no gradient was compared") from None


class LabError(ValueError):
    """The lab (a file, or functions run in a child) cannot be used; the message names what is wrong."""


class LabStopped(LabError):
    """The learner's code ended its process, was killed, or ran past the time limit before every
    gradient was compared; the message names the function that was running."""


def _wrt_hint(wrt: Any, names: list[str], how: str) -> str:
    if wrt is not None:
        return ""
    return (
        f" ({how} not given, so every floating-point input is differentiated: {', '.join(names)}; "
        f"list the inputs whose gradients {{derived}} returns, in order, e.g. wrt = {names[:2]!r})"
    )


def _prepare(
    loss_fn: Callable,
    inputs: Sequence[Any],
    named_inputs: dict,
    wrt: Any,
    dtype: Any,
    trials: int,
    batch_size: int | None,
) -> tuple[list[_Input], list[int], np.dtype, int | None]:
    dtype = np.dtype(dtype)
    if dtype not in TOLERANCES:
        raise TypeError(f"check_derivation: dtype must be float32 or float64, got {dtype}")
    if int(trials) < 0:
        raise ValueError(f"check_derivation: trials must be >= 0, got {trials}")
    items = _collect_inputs(loss_fn, inputs, named_inputs)
    wrt_index = _resolve_wrt(wrt, items)
    if batch_size is None:
        batch_size = next(
            (int(item.value.shape[0]) for i, item in enumerate(items) if i not in wrt_index and item.value.ndim >= 1),
            None,
        )
    return items, wrt_index, dtype, batch_size


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
    isolate: bool = False,
    timeout: float | None = None,
    memory: int | None = DEFAULT_MEMORY,
    **named_inputs: Any,
) -> DerivationReport:
    """Compare ``derived_fn`` (your gradient formula, plain NumPy) with autograd of ``loss_fn`` and with
    central finite differences, at the given inputs and ``trials`` seeded random perturbations of them.

    ``loss_fn(*tensors)`` returns a scalar Tensor, or a dict of named scalar Tensors whose sum is the loss;
    ``derived_fn(*arrays)`` returns one gradient per input in ``wrt`` (names or positions; default: every
    floating-point input). ``batch_size`` (default: the count of a mean in the loss's graph, or the length
    of the first axis of the first input not in ``wrt``) lets a factor of n be named as the missing 1/n of
    a mean. A gradient passes when ``max|yours - autograd| <= atol + rtol * max|autograd|`` at every point
    (``TOLERANCES[dtype]``) and autograd agrees with finite differences. Loss errors raise
    ``ValueError``/``TypeError``; errors in ``derived_fn`` (an exception, a wrong count, a wrong shape) are
    reported as failures, never raised.

    ``isolate=True`` runs both functions in a forked child process (POSIX) with a time limit
    (``timeout`` seconds, default 60) and a memory cap (``memory`` bytes beyond the child's own use;
    None: none) and builds the report here from the arrays it sends back, so the functions cannot end
    this process, patch the report or hang it; a child that stops first raises
    [`LabStopped`][tinygrad_sm.derivation.LabStopped] naming the function that was running, and a loss
    error raises [`LabError`][tinygrad_sm.derivation.LabError]. Without it (the default, for notebooks)
    everything runs here, as plain function calls.
    """
    items, wrt_index, dtype, batch_size = _prepare(loss_fn, inputs, named_inputs, wrt, dtype, trials, batch_size)
    if not isolate and timeout is not None:
        raise ValueError(
            "check_derivation: timeout= applies with isolate=True (a child process can be stopped; this one cannot)"
        )
    loss = _Loss(loss_fn, items, wrt_index, dtype)
    names = [items[i].name for i in wrt_index]
    derived_name = getattr(derived_fn, "__name__", "derived")
    hint = _wrt_hint(wrt, names, "wrt= was").replace("{derived}", derived_name)

    def work(channel: Channel | None = None) -> _Gathered:
        progress = channel.running if channel is not None else None
        return _gather(loss, [derived_fn], items, int(trials), seed, eps, batch_size, hint, progress)

    if not isolate:
        gathered = work()
    else:

        def in_child(channel: Channel) -> tuple[dict, dict]:
            try:
                return _pack(work(channel))
            except (ValueError, TypeError, IndexError) as error:  # the loss: one line back to the parent
                raise ChildError(str(error)) from None

        result = run_forked(in_child, timeout, memory)
        if result.output:
            print(result.output, end="" if result.output.endswith("\n") else "\n")
        gathered = gathered_from_child(result)
    return _judge(gathered, gathered.runs[0], dtype, seed)
