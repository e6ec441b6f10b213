"""The random-number cases compared bit for bit with PyTorch, shared by scripts/pin_torch_random.py
(which runs them with ``lib = torch``) and tests/test_random.py (``lib = tinygrad_sm``).

Each case is a function of the library module that returns a NumPy array; the two libraries spell
every call the same way (that is the point: the course code runs unchanged). Large results are
compared by their SHA-256 digest (``digest``) so the pinned file stays small.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

SEEDS = (0, 1, 42, 2147483647, 2**40 + 3)
SIZES = (1, 2, 15, 16, 17, 31, 33, 100, 1000)
BIG = 5000  # from this many elements on, the pinned file keeps a digest


def as_array(value: Any) -> np.ndarray:
    """A NumPy copy of a torch or tinygrad_sm tensor (or an array)."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        return np.array(value.numpy())
    return np.array(getattr(value, "_data", value))


def digest(array: np.ndarray) -> np.ndarray:
    """The SHA-256 of the array's dtype, shape and bytes, as 32 uint8."""
    array = np.ascontiguousarray(array)
    text = f"{array.dtype.str}{array.shape}".encode() + array.tobytes()
    return np.frombuffer(hashlib.sha256(text).digest(), dtype=np.uint8).copy()


def gen(lib: Any, seed: int) -> Any:
    return lib.Generator().manual_seed(seed)


def _sequence_with_cached_normal(lib: Any, seed: int) -> np.ndarray:
    """Scalar-path normals keep the second Box-Muller value in the generator: it must carry over."""
    g = gen(lib, seed)
    parts = [
        lib.randn(3, generator=g),
        lib.randn(5, generator=g, dtype=lib.float64),
        lib.rand(2, generator=g),
        lib.randn(1, generator=g),
        lib.randn(20, generator=g),
        lib.randn(1, generator=g),
    ]
    return np.concatenate([as_array(p).astype(np.float64).ravel() for p in parts])


def _global_seed(lib: Any, seed: int) -> np.ndarray:
    lib.manual_seed(seed)
    parts = [lib.randn(4, 5), lib.rand(3), lib.randint(0, 100, (6,)), lib.randperm(7)]
    return np.concatenate([as_array(p).astype(np.float64).ravel() for p in parts])


def _makemore_bigram(lib: Any, seed: int) -> np.ndarray:
    """The character-level course's sampling loop: a Generator, randn weights, softmax, multinomial."""
    g = gen(lib, seed)
    weights = lib.randn((27, 27), generator=g)
    out = []
    ix = 0
    for _ in range(20):
        logits = weights[ix : ix + 1]
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdim=True)
        ix = int(lib.multinomial(probs[0], num_samples=1, replacement=True, generator=g).item())
        out.append(ix)
    return np.array(out)


def _layers(lib: Any, seed: int) -> np.ndarray:
    """Layer initialisation in PyTorch's draw order, several layers in a row from the global seed."""
    nn = lib.nn
    lib.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(12, 7),
        nn.Conv2d(3, 4, 3),
        nn.Conv1d(2, 5, 4),
        nn.Embedding(9, 6, padding_idx=2),
        nn.Linear(7, 3, bias=False),
        nn.BatchNorm1d(3),
        nn.LayerNorm(5),
    )
    params = [p for _, p in sorted(model.state_dict().items()) if as_array(p).dtype.kind == "f"]
    return np.concatenate([as_array(p).astype(np.float32).ravel() for p in params])


def _big_linear(lib: Any, seed: int) -> np.ndarray:
    lib.manual_seed(seed)
    layer = lib.nn.Linear(784, 256)
    return np.concatenate([as_array(layer.weight).ravel(), as_array(layer.bias).ravel()])


def _init(lib: Any, name: str, shape: tuple, seed: int, **kwargs: Any) -> np.ndarray:
    tensor = lib.zeros(shape)
    getattr(lib.nn.init, name)(tensor, generator=gen(lib, seed), **kwargs)
    return as_array(tensor)


def _inplace(lib: Any, method: str, shape: tuple, dtype: str, seed: int, *args: Any) -> np.ndarray:
    tensor = lib.zeros(shape, dtype=getattr(lib, dtype))
    getattr(tensor, method)(*args, generator=gen(lib, seed))
    return as_array(tensor)


def _multinomial(lib: Any, seed: int, shape: tuple, num_samples: int, replacement: bool) -> np.ndarray:
    weights = np.random.default_rng(seed % 2**32).random(shape).astype(np.float32)
    weights[..., 1] = 0  # a zero-probability category
    return as_array(lib.multinomial(lib.tensor(weights), num_samples, replacement, generator=gen(lib, seed)))


def _bernoulli(lib: Any, seed: int, dtype: str) -> np.ndarray:
    probs = np.random.default_rng(seed % 2**32).random((4, 9)).astype(dtype)
    return as_array(lib.bernoulli(lib.tensor(probs), generator=gen(lib, seed)))


def _dropout(lib: Any, seed: int) -> np.ndarray:
    """nn.Dropout's mask: PyTorch's bernoulli_(1 - p) (its portable kernel), scaled by 1 / (1 - p)."""
    lib.manual_seed(seed)
    layer = lib.nn.Dropout(0.3)
    return np.concatenate([as_array(layer(lib.ones(40))), as_array(layer(lib.ones(3, 7, dtype=lib.float64))).ravel()])


def _state(lib: Any, seed: int) -> np.ndarray:
    g = gen(lib, seed)
    first = as_array(g.get_state())
    lib.randn(3, generator=g)  # leaves a cached normal
    lib.rand(700, generator=g)  # crosses a twist
    return np.concatenate([first, as_array(g.get_state())])


def _state_restored(lib: Any, seed: int) -> np.ndarray:
    g = gen(lib, seed)
    lib.randn(5, generator=g)
    saved = g.get_state()
    first = as_array(lib.randn(7, generator=g))
    g.set_state(saved)
    return np.concatenate([first, as_array(lib.randn(7, generator=g))])


def build_cases() -> dict[str, Callable[[Any], np.ndarray]]:
    """Name -> function(lib) -> array."""
    cases: dict[str, Callable[[Any], np.ndarray]] = {}
    for seed in SEEDS:
        for n in SIZES:
            for dtype in ("float32", "float64"):
                cases[f"rand/{dtype}/n{n}/s{seed}"] = lambda lib, n=n, d=dtype, s=seed: as_array(
                    lib.rand(n, generator=gen(lib, s), dtype=getattr(lib, d))
                )
                cases[f"randn/{dtype}/n{n}/s{seed}"] = lambda lib, n=n, d=dtype, s=seed: as_array(
                    lib.randn(n, generator=gen(lib, s), dtype=getattr(lib, d))
                )
            cases[f"randperm/n{n}/s{seed}"] = lambda lib, n=n, s=seed: as_array(lib.randperm(n, generator=gen(lib, s)))
        for low, high in ((0, 10), (-7, 3), (0, 2**28 - 1), (0, 2**28), (-(2**40), 2**41)):
            cases[f"randint/{low}_{high}/s{seed}"] = lambda lib, lo=low, hi=high, s=seed: as_array(
                lib.randint(lo, hi, (5, 7), generator=gen(lib, s))
            )
        cases[f"randint/high_only/s{seed}"] = lambda lib, s=seed: as_array(
            lib.randint(27, (40,), generator=gen(lib, s))
        )
        for shape in ((3, 5, 7), (2, 8)):
            cases[f"randn/shape{shape}/s{seed}"] = lambda lib, sh=shape, s=seed: as_array(
                lib.randn(*sh, generator=gen(lib, s))
            )
        for dtype in ("float32", "float64"):
            for n in (5, 40):
                cases[f"normal_/{dtype}/n{n}/s{seed}"] = lambda lib, d=dtype, n=n, s=seed: _inplace(
                    lib, "normal_", (n,), d, s, 0.3, 2.5
                )
                cases[f"uniform_/{dtype}/n{n}/s{seed}"] = lambda lib, d=dtype, n=n, s=seed: _inplace(
                    lib, "uniform_", (n,), d, s, -0.37, 1.9
                )
                cases[f"exponential_/{dtype}/n{n}/s{seed}"] = lambda lib, d=dtype, n=n, s=seed: _inplace(
                    lib, "exponential_", (n,), d, s, 1.5
                )
            cases[f"normal/floats/{dtype}/s{seed}"] = lambda lib, d=dtype, s=seed: as_array(
                lib.normal(1.5, 0.25, (4, 6), generator=gen(lib, s), dtype=getattr(lib, d))
            )
            cases[f"bernoulli/{dtype}/s{seed}"] = lambda lib, d=dtype, s=seed: _bernoulli(lib, s, d)
        for dtype, args in (("int64", ()), ("float32", ()), ("int32", ()), ("int64", (10,)), ("int64", (-3, 8))):
            cases[f"random_/{dtype}/{args}/s{seed}"] = lambda lib, d=dtype, a=args, s=seed: _inplace(
                lib, "random_", (3, 6), d, s, *a
            )
        for shape, num, rep in (((27,), 1, True), ((27,), 1, False), ((27,), 5, False), ((27,), 30, True),
                                ((4, 10), 3, False), ((4, 10), 25, True), ((3, 6), 6, False)):  # fmt: skip
            cases[f"multinomial/{shape}/{num}/{rep}/s{seed}"] = lambda lib, sh=shape, k=num, r=rep, s=seed: (
                _multinomial(lib, s, sh, k, r)
            )
        cases[f"dropout/s{seed}"] = lambda lib, s=seed: _dropout(lib, s)
        cases[f"sequence_cached_normal/s{seed}"] = lambda lib, s=seed: _sequence_with_cached_normal(lib, s)
        cases[f"global_seed/s{seed}"] = lambda lib, s=seed: _global_seed(lib, s)
        cases[f"makemore_bigram/s{seed}"] = lambda lib, s=seed: _makemore_bigram(lib, s)
        cases[f"layers/s{seed}"] = lambda lib, s=seed: _layers(lib, s)
        cases[f"linear_784_256/s{seed}"] = lambda lib, s=seed: _big_linear(lib, s)
        cases[f"state/s{seed}"] = lambda lib, s=seed: _state(lib, s)
        cases[f"state_restored/s{seed}"] = lambda lib, s=seed: _state_restored(lib, s)
        inits = {
            "kaiming_uniform_": ("kaiming_uniform_", {}),
            "kaiming_uniform_fan_out_relu": ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
            "kaiming_normal_": ("kaiming_normal_", {}),
            "kaiming_normal_fan_out_leaky": ("kaiming_normal_", {"mode": "fan_out", "a": 0.2}),
            "xavier_uniform_": ("xavier_uniform_", {}),
            "xavier_uniform_tanh": ("xavier_uniform_", {"gain": 5.0 / 3}),
            "xavier_normal_": ("xavier_normal_", {}),
            "normal_": ("normal_", {"mean": 1.0, "std": 0.5}),
            "uniform_": ("uniform_", {"a": -2.0, "b": 3.0}),
        }
        for label, (name, kwargs) in inits.items():
            for shape in ((6, 5), (8, 3, 3, 3)):
                cases[f"init/{label}/{shape}/s{seed}"] = lambda lib, nm=name, sh=shape, kw=kwargs, s=seed: _init(
                    lib, nm, sh, s, **kw
                )
    for seed in SEEDS[:3]:
        for args in ((0.5, 2.0, -1.0, 3.0), (0.0, 1.0, -2.0, 2.0), (0.0, 1.0, 1.0, 3.0), (0.0, 0.02, -0.04, 0.04)):
            for n in (7, 300):
                cases[f"init/trunc_normal_/{args}/n{n}/s{seed}"] = lambda lib, a=args, n=n, s=seed: _init(
                    lib, "trunc_normal_", (n,), s, mean=a[0], std=a[1], a=a[2], b=a[3]
                )
        for shape in ((6, 10), (10, 6), (4, 2, 3)):  # QR is LAPACK's on each side: compared with a tolerance
            cases[f"approx/orthogonal_/{shape}/s{seed}"] = lambda lib, sh=shape, s=seed: _init(
                lib, "orthogonal_", sh, s, gain=2.0
            )
    for n in (16, 1000, 100000):
        cases[f"randn/float32/big{n}"] = lambda lib, n=n: as_array(lib.randn(n, generator=gen(lib, 7)))
    cases["rand/float32/big100000"] = lambda lib: as_array(lib.rand(100000, generator=gen(lib, 7)))
    cases["randperm/big60000"] = lambda lib: as_array(lib.randperm(60000, generator=gen(lib, 7)))
    cases["seed/negative"] = lambda lib: as_array(lib.randn(20, generator=gen(lib, -5)))
    for start, end, steps in ((0.0, 1.0, 5), (-2.5, 7.3, 11), (0.0, 1.0, 100), (3.0, -4.0, 37), (1.0, 1.0, 1)):
        cases[f"linspace/{start}_{end}_{steps}"] = lambda lib, a=start, b=end, k=steps: as_array(lib.linspace(a, b, k))
        cases[f"linspace64/{start}_{end}_{steps}"] = lambda lib, a=start, b=end, k=steps: as_array(
            lib.linspace(a, b, k, dtype=lib.float64)
        )
    cases["linspace/int64"] = lambda lib: as_array(lib.linspace(0, 10, 5, dtype=lib.int64))
    cases["arange/floats"] = lambda lib: as_array(lib.arange(0.0, 1.0, 0.1))
    cases["arange/ints"] = lambda lib: as_array(lib.arange(-3, 20, 4))
    cases["arange/mixed"] = lambda lib: as_array(lib.arange(1, 4, 0.5))
    cases["logspace/base10"] = lambda lib: as_array(lib.logspace(0, 2, 3))
    cases["full/int"] = lambda lib: as_array(lib.full((2, 3), 7))
    cases["full/float"] = lambda lib: as_array(lib.full((2,), 2.5))
    cases["full/bool"] = lambda lib: as_array(lib.full((2,), True))
    cases["full_like/int_gets_truncated"] = lambda lib: as_array(lib.full_like(lib.tensor([1, 2]), 2.7))
    cases["gain/all"] = lambda lib: np.array(
        [lib.nn.init.calculate_gain(n) for n in ("linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")]
        + [lib.nn.init.calculate_gain("leaky_relu", 0.2), lib.nn.init.calculate_gain("leaky_relu", math.sqrt(5))]
    )
    return cases


def stored(array: np.ndarray) -> np.ndarray:
    """What the pinned file keeps for a result: the array itself, or its digest when it is big."""
    return digest(array) if array.size >= BIG else array
