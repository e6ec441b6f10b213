"""Showing a graph after ``backward()`` released it, for the explorer and ``draw_graph(show_backward=True)``.

``backward()`` without ``retain_graph`` drops what each op saved for its backward (``Function.release``).
What a picture needs is still there: every tensor of the graph keeps its value (the graph holds the
tensors), and each node keeps its parents and the keyword arguments of its forward (``forward_kwargs``). So
``revived(roots)`` re-runs each released op's ``forward`` on the recorded input arrays, checks that it
gives back the recorded output bit for bit (it does unless an input was changed in place since, as by
an optimizer step: then it refuses), puts what forward saved back on the node for the duration of the
``with`` block, and releases it again afterwards. Nothing is kept between calls, so a graph after
``backward()`` holds no more than before it plus each op's small ``forward_kwargs``: less than
``retain_graph=True`` keeps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .autograd import _reachable, no_grad, parents_as_of
from .tensor import Tensor


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


@contextlib.contextmanager
def revived(roots: Sequence[Tensor], what: str = "show the backward pass") -> Iterator[None]:
    """Within the block every op behind ``roots`` holds what its backward needs, as before ``backward()``."""
    made, _ = _reachable(roots)
    brought_back: list[Any] = []
    try:
        for tensor in made:
            node = tensor._node
            assert node is not None  # ``made`` holds the tensors an op made
            parents = parents_as_of(node)
            for position, parent in enumerate(parents):
                if parent._version > node.stamp:
                    label = f" '{parent.name}'" if parent.name else ""
                    raise RuntimeError(
                        f"cannot {what}: input {position}{label} (shape {parent.shape}) of op {node.describe()} "
                        "was modified in place after the forward pass (an optimizer step?); the values shown would "
                        "not be the ones the graph used. Explore before updating, or recompute the loss."
                    )
            if not node.released:
                continue
            if hasattr(node, "rebuild"):  # a learner's custom Function: their forward, run again on the same call
                if not node.rebuild():
                    raise RuntimeError(
                        f"cannot {what}: an earlier backward() released op {node.describe()}, whose forward does "
                        "not give back the recorded outputs when run again (or writes into its inputs); call "
                        "loss.backward(retain_graph=True) first"
                    )
                brought_back.append(node)
                continue
            params = getattr(node, "forward_kwargs", None)
            if params is None:
                raise RuntimeError(
                    f"cannot {what}: an earlier backward() released op {node.describe()}, which cannot be "
                    "rebuilt; call loss.backward(retain_graph=True) first"
                )
            fresh = type(node)()
            with no_grad():
                out = fresh.forward(*[p._data for p in parents], **params)
            if not _same(out, tensor._data):
                raise RuntimeError(
                    f"cannot {what}: re-running op {node.describe()} does not give the value it recorded "
                    "(its inputs changed since the forward pass); explore before changing them"
                )
            node.__dict__.update(fresh.__dict__)
            node.released = False
            brought_back.append(node)
        yield
    finally:
        for node in brought_back:
            if hasattr(node, "rebuild"):
                node.release()  # drops what the learner's forward saved again, keeps the node's own record
                continue
            node.__dict__.clear()
            node.released = True
