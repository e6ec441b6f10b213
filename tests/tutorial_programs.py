"""Programs in the style of PyTorch's beginner tutorials, written for this project (not copied): each uses
the idioms a tutorial teaches, in the same combinations (tensors; autograd and Jacobian products;
"learning PyTorch with examples" from raw tensors to nn, optim, a custom Module and a custom autograd
Function; building a network; datasets and loaders; the optimisation loop; saving and loading).

Each program is a function of the ``torch`` module (and a scratch folder) returning a dict of results.
scripts/pin_torch_tutorials.py runs them with PyTorch and pins the results into
tests/data/torch_tutorials.json; tests/test_tutorial_code.py runs them with ``torch`` bound to
tinygrad_sm and compares. Inside a program, ``nn = torch.nn`` stands for ``from torch import nn`` and
so on: only the imports differ from what a tutorial reader types.

``PROGRAMS[name].exact`` names the results that must be bit-identical (random draws and layer
initialisation from a seeded generator, integers, shapes, names, printed structure); the rest are
compared to a relative tolerance (NumPy and PyTorch sum float32 products in different orders).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Program:
    run: Callable[[Any, str], dict]
    exact: frozenset = field(default_factory=frozenset)
    rtol: float = 1e-5
    atol: float = 1e-6
    differences: tuple = ()  # (regex, replacement) pairs: what PyTorch prints -> what tinygrad_sm prints, deliberately


PROGRAMS: dict[str, Program] = {}

#: Deliberate differences in printed text (docs/tutorials.md): dtypes are NumPy's, so ``print(t.dtype)`` shows
#: ``float32`` (a tensor's repr still says ``dtype=torch.float64``, as PyTorch's); ``t.size()`` is a
#: ``tinygrad_sm.Size``; ``t.shape`` is NumPy's plain tuple.
PRINTED_DIFFERENCES = (
    (r"(Datatype of tensor: )torch\.", r"\1"),
    (r"Shape of tensor: torch\.Size\(\[(\d+), (\d+)\]\)", r"Shape of tensor: (\1, \2)"),
    (r"torch\.Size", "tinygrad_sm.Size"),
)


def program(*exact: str, rtol: float = 1e-5, atol: float = 1e-6, differences: tuple = ()):
    def register(run):
        PROGRAMS[run.__name__] = Program(run, frozenset(exact), rtol, atol, differences)
        return run

    return register


def without_address(text: str) -> str:
    """``<AddBackward0 object at 0x7f...>`` without the address, which changes from run to run."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


# ------------------------------------------------------------------------------------- comparison


def plain(value: Any) -> Any:
    """A result as JSON-able data, the same for PyTorch's and tinygrad_sm's objects: a tensor (or array)
    becomes ``{"dtype", "shape", "values"}`` with the dtype spelled without ``torch.``; tuples become lists."""
    if hasattr(value, "tolist") and hasattr(value, "shape") and hasattr(value, "dtype"):
        values = value.detach().tolist() if hasattr(value, "detach") else value.tolist()
        return {"dtype": str(value.dtype).replace("torch.", ""), "shape": list(value.shape), "values": _finite(values)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, str) and value.startswith("torch."):
        return value[len("torch.") :]  # a dtype's name: torch.float32 is NumPy's float32 here
    return value


def _finite(values: Any) -> Any:
    if isinstance(values, list):
        return [_finite(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return repr(values)  # JSON has no nan/inf
    return values


# the programs register themselves on import (each family module imports `program` from here)
import tutorial_basics  # noqa: E402, F401
import tutorial_examples  # noqa: E402, F401
import tutorial_models  # noqa: E402, F401
import tutorial_training  # noqa: E402, F401
