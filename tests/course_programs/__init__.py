"""Course-style programs (the idioms of public PyTorch courses: a character-level language model from counts to a
WaveNet-like stack, a scalar-autograd lecture, a from-scratch training loop, d2l's preliminaries, CS231n's
PyTorch warm-up), each written once as a function of the ``torch``, ``F`` and ``nn`` modules it is handed.

scripts/pin_torch_course.py runs every program with PyTorch and pins what it returns into
tests/data/torch_course.json; tests/test_course_code.py runs the same text with ``import tinygrad_sm as torch``
and compares. Keys starting with ``exact`` must agree bit for bit (they come straight from a seeded Generator or
from integer arithmetic); the rest to float32 rounding accumulated over the program.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np


def words(count: int = 240, seed: int = 7) -> list[str]:
    """A made-up list of lowercase names (the courses read a file of names; any words will do)."""
    rng = random.Random(seed)
    onsets = ["b", "d", "k", "l", "m", "n", "r", "s", "t", "v", "z", "j", "h", "ch", "sh", "br", "tr", "gl", ""]
    vowels = ["a", "e", "i", "o", "u", "ay", "ee", "ia", "y"]
    codas = ["", "", "n", "l", "r", "s", "x", "th", "nd", "q", "w", "f", "p", "g", "c"]
    out = []
    for _ in range(count):
        syllables = rng.randint(1, 3)
        out.append("".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)) + rng.choice(codas))
    return out


class ArrayPlot:
    """Stands in for ``matplotlib.pyplot``: reads every array-like argument with ``np.asarray`` (as matplotlib
    does) and records a summary, so a program that plots tensors checks they convert."""

    def __init__(self) -> None:
        self.calls: list[list[Any]] = []

    def __getattr__(self, name: str):
        def call(*args: Any, **kwargs: Any) -> None:
            summary: list[Any] = [name]
            for arg in args:
                if isinstance(arg, str):
                    summary.append(arg)
                    continue
                array = np.asarray(arg, dtype=np.float64)
                summary.append([list(array.shape), float(np.abs(array).sum())])
            self.calls.append(summary)

        return call


def plain(value: Any) -> Any:
    """A program's result as JSON, for PyTorch's tensors and tinygrad_sm's alike."""
    if hasattr(value, "detach") and hasattr(value, "tolist") and hasattr(value, "dtype"):
        return {
            "dtype": str(value.dtype).split(".")[-1],
            "shape": list(value.shape),
            "values": _finite(value.detach().tolist()),
        }
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, np.generic):
        return plain(value.item())
    return repr(type(value))


def _finite(values: Any) -> Any:
    if isinstance(values, list):
        return [_finite(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return repr(values)
    return values


def programs() -> dict[str, Any]:
    """Every program by name."""
    from . import lectures, makemore

    found = {}
    for module in (makemore, lectures):
        for name in getattr(module, "__all__", ()):
            found[f"{module.__name__.rsplit('.', 1)[-1]}.{name}"] = getattr(module, name)
    return found
