"""The two calls library code makes when it reads tensor values outside the primitives.

A composite such as ``cross_entropy`` computes a few things straight from the arrays: the row maxima
it shifts by (a constant of the graph), a mask, and checks that decide which branch runs (a fully
masked row? a nan?). Eager code would not need to say so; ``tinygrad_sm.compile`` does, because a trace
that froze them would give a wrong answer on the next batch. So they are written as

    row_max = derived(ops.max_keepdims, logits._data, 1)     # recomputed on every compiled call
    if check(_has_nonfinite, row_max): ...                  # a guard on every compiled call

Outside a trace both are one function call and one attribute test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd import _mode


def derived(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, a value computed from tensor arrays that the graph treats as a constant."""
    value = fn(*args)
    if _mode.tracer is not None:
        _mode.tracer.on_derived(fn, args, value)
    return value


def check(fn: Callable[..., Any], *args: Any) -> bool:
    """``bool(fn(*args))``, a data-dependent decision: a compiled call re-evaluates it and, if it comes out
    differently, runs eagerly instead (and traces again)."""
    value = bool(fn(*args))
    if _mode.tracer is not None:
        _mode.tracer.on_check(fn, args, value)
    return value
