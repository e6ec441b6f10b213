"""Hypothesis strategies shared by the autograd specifications.

Shapes are small (0-3 dims, sides 1-4) so that finite differences stay cheap. Values are float64 and
drawn from domains where the function under test is smooth: positive bases for log/sqrt/pow, and
values kept away from kinks (relu at 0, max/maximum at ties) except in the dedicated tie tests.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# One profile for every property test: enough examples to meet broadcasting corner cases, few enough
# to keep the whole suite well under a minute on two cores.
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MAX_DIMS = 3
MAX_SIDE = 4


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1, max_side: int = MAX_SIDE):
    """Array shapes with ``min_dims..max_dims`` dimensions of sizes ``min_side..max_side``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


@st.composite
def broadcastable_shapes(draw, count: int = 2, max_dims: int = MAX_DIMS) -> tuple[tuple[int, ...], ...]:
    """``count`` shapes that broadcast together, in every direction.

    Each one is derived from a common result shape by dropping some leading dimensions and
    squeezing some of the remaining ones to 1, independently, so either operand (or both, as in
    (3, 1) with (1, 4)) may be the one that is stretched or gets leading dimensions added.
    """
    result = draw(shapes(max_dims=max_dims))
    derived = []
    for _ in range(count):
        dropped = draw(st.integers(0, len(result)))
        kept = result[dropped:]
        squeezed = draw(st.lists(st.booleans(), min_size=len(kept), max_size=len(kept)))
        derived.append(tuple(1 if squeeze else side for side, squeeze in zip(kept, squeezed)))
    return tuple(derived)


def _values(low: float, high: float):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def arrays(shape, low: float = -2.0, high: float = 2.0):
    """float64 arrays of ``shape`` with values in ``[low, high]`` (a strategy for the shape is accepted)."""
    return hnp.arrays(np.float64, shape, elements=_values(low, high))


def positive_arrays(shape):
    """Values in [0.5, 3]: a safe domain for log, sqrt, division and the base of pow."""
    return arrays(shape, 0.5, 3.0)


def away_from_zero_arrays(shape, margin: float = 0.05):
    """Values in [-2, -margin] or [margin, 2]: relu and abs are smooth there."""
    magnitude = _values(margin, 2.0)
    signed = st.tuples(st.sampled_from([-1.0, 1.0]), magnitude).map(lambda pair: pair[0] * pair[1])
    return hnp.arrays(np.float64, shape, elements=signed)


def distinct_arrays(shape):
    """Values on a 0.1 grid, all different, so every max is unique by a margin far above eps."""
    grid = st.integers(-60, 60).map(lambda k: k / 10)
    return hnp.arrays(np.float64, shape, elements=grid, unique=True)


def interleaved_arrays(shape, upper: bool):
    """Values ``0.2 k + u`` with ``u`` in [0.02, 0.08] (``upper=False``) or [0.12, 0.18] (``upper=True``).

    Two arrays drawn with different ``upper`` never come within 0.04 of each other, whatever the
    broadcasting, so ``maximum`` has no ties between them.
    """
    offset = (0.12, 0.18) if upper else (0.02, 0.08)
    element = st.tuples(st.integers(-10, 10), _values(*offset)).map(lambda pair: 0.2 * pair[0] + pair[1])
    return hnp.arrays(np.float64, shape, elements=element)


@st.composite
def axis_arguments(draw, ndim: int):
    """``(axis, keepdims)`` for a reduction over a tensor with ``ndim`` dimensions.

    ``axis`` is None, a non-negative int, a negative int or a tuple of distinct axes written with
    either sign (possibly empty of negatives, possibly all axes).
    """
    keepdims = draw(st.booleans())
    if ndim == 0:
        return None, keepdims
    kind = draw(st.sampled_from(["none", "int", "negative", "tuple"]))
    if kind == "none":
        return None, keepdims
    if kind == "int":
        return draw(st.integers(0, ndim - 1)), keepdims
    if kind == "negative":
        return draw(st.integers(-ndim, -1)), keepdims
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    signs = draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
    return tuple(a - ndim if negative else a for a, negative in zip(chosen, signs)), keepdims


@st.composite
def basic_indices(draw, shape: tuple[int, ...]):
    """A basic index for ``shape``: ints (either sign), slices with negative steps, None and Ellipsis."""
    parts: list = []
    for side in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            parts.append(draw(st.integers(-side, side - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-side, side - 1))
            stop = draw(st.none() | st.integers(-side - 1, side))
            step = draw(st.sampled_from([None, 1, 2, -1, -2]))
            parts.append(slice(start, stop, step))
        else:
            parts.append(slice(None))
    if parts and draw(st.booleans()):  # replace a run of trailing full slices by Ellipsis
        cut = draw(st.integers(0, len(parts)))
        parts = parts[:cut] + [Ellipsis]
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    return tuple(parts)


@st.composite
def integer_array_indices(draw, side: int):
    """An integer array indexing an axis of size ``side``: repeats and negative entries allowed."""
    return np.array(draw(st.lists(st.integers(-side, side - 1), min_size=1, max_size=6)), dtype=np.int64)


def boolean_masks(shape):
    return hnp.arrays(np.bool_, shape)


@st.composite
def matmul_shapes(draw, left_ndim: int, right_ndim: int, broadcast_batch: bool = False):
    """Shapes ``(a, b)`` for ``a @ b`` with the given ranks (1-3). With ``broadcast_batch`` a batch
    dimension of size 1 on one side stretches to the other's."""
    rows, inner, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = draw(st.integers(2, 3))
    left_batch = right_batch = batch
    if broadcast_batch:
        if draw(st.booleans()):
            left_batch = 1
        else:
            right_batch = 1
    left = {1: (inner,), 2: (rows, inner), 3: (left_batch, rows, inner)}[left_ndim]
    right = {1: (inner,), 2: (inner, cols), 3: (right_batch, inner, cols)}[right_ndim]
    return left, right


@st.composite
def concatenation_shapes(draw, count_range: tuple[int, int] = (1, 3)):
    """``(shapes, axis)``: 1-3 shapes (at least 1-D) equal except along ``axis``, which may be negative."""
    base = draw(shapes(min_dims=1))
    ndim = len(base)
    axis = draw(st.integers(-ndim, ndim - 1))
    count = draw(st.integers(*count_range))
    sides = draw(st.lists(st.integers(1, MAX_SIDE), min_size=count, max_size=count))
    result = []
    for side in sides:
        shape = list(base)
        shape[axis] = side
        result.append(tuple(shape))
    return result, axis
