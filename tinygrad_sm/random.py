"""Random numbers as PyTorch's CPU generator draws them: same seed, same bits.

``Generator`` is PyTorch's CPU generator: Mersenne Twister (MT19937) seeded with the standard
``init_genrand(seed & 0xffffffff)`` (NumPy's ``MT19937`` gives the raw words), plus the one cached
normal sample PyTorch keeps for its scalar Box-Muller. ``_mt_transforms`` turns the words into samples
as ATen's CPU kernels do, so ``tg.Generator().manual_seed(s)`` and ``torch.Generator().manual_seed(s)``
give bit-identical ``rand``, ``randn``, ``randint``, ``randperm``, ``multinomial``, ``normal``,
``bernoulli`` (with a tensor of probabilities) and ``exponential_`` for float32, float64 and int64,
as pinned in ``tests/data/torch_random.json`` (made by ``scripts/pin_torch_random.py``). The pinned
reference is a machine with AVX2 or AVX-512, where PyTorch runs its AVX2 ``randn``; other differences
are listed on each function.

``get_state()`` is PyTorch's 5056-byte layout, so a state saved by ``torch.get_rng_state()`` (as a
NumPy array) loads with ``set_state`` and continues the same stream.

Every function also takes a ``numpy.random.Generator`` as ``generator=`` (NumPy's spelling): it then
draws with NumPy's own methods, reproducible for NumPy's seed but not PyTorch's numbers.
"""

from __future__ import annotations

import contextlib
import operator
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _mt_transforms as mt
from .autograd import _mode
from .device import as_device, device

DEFAULT_SEED = 67280421310721  # PyTorch's default_rng_seed_val
STATE_SIZE = 5056  # sizeof(CPUGeneratorImplState)
_N = 624  # MT19937 state words
_RANDPERM_SMALL = (2**32 - 1) // 20  # below this n, randperm uses 32-bit draws (PyTorch's "small n" path)


def _seed_value(seed: Any) -> int:
    try:
        value = operator.index(seed)
    except TypeError:
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__} {seed!r}") from None
    if not -(2**63) <= value < 2**64:
        raise RuntimeError(
            f"manual_seed: seed {value} does not fit in 64 bits (PyTorch: 'Overflow when unpacking long')"
        )
    return value % 2**64  # a negative seed wraps, as PyTorch's unsigned 64-bit seed


class Generator:
    """PyTorch's CPU random generator (``torch.Generator``): MT19937 with PyTorch's seeding and
    sampling, so the same seed draws the same numbers as ``torch.Generator().manual_seed(seed)``.

    A new generator starts from PyTorch's default seed 67280421310721. ``manual_seed(s)`` reseeds
    and returns the generator (``g = tg.Generator().manual_seed(42)``); ``seed()`` reseeds from the
    operating system and returns the seed; ``initial_seed()`` is the last seed; ``get_state()`` /
    ``set_state(t)`` save and restore the whole state as a uint8 tensor in PyTorch's byte layout."""

    __slots__ = ("_double_normal", "_engine", "_float_normal", "_fresh", "_seed", "device")

    def __init__(self, device: Any = "cpu") -> None:
        self.device = as_device(device, "generator")
        self._engine = np.random.MT19937(0)
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed with ``seed`` (any int in [-2**63, 2**64); MT19937 uses its low 32 bits, as PyTorch);
        returns the generator."""
        value = _seed_value(seed)
        self._engine._legacy_seeding(value & 0xFFFFFFFF)
        self._seed, self._fresh = value, True
        self._double_normal: float | None = None
        self._float_normal: float | None = None
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed (as ``torch.seed``)."""
        value = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> Any:
        """The state as a uint8 tensor of 5056 bytes, PyTorch's ``CPUGeneratorImplState`` layout."""
        from .tensor import Tensor

        return Tensor(np.frombuffer(self._state_bytes(), dtype=np.uint8).copy())

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from ``get_state()`` (a uint8 tensor or array; ``torch.get_rng_state()``'s
        bytes too); returns the generator."""
        raw = np.asarray(getattr(new_state, "_data", new_state))
        if raw.dtype != np.uint8 or raw.ndim != 1 or raw.size != STATE_SIZE:
            raise ValueError(
                f"set_state expects a uint8 tensor of {STATE_SIZE} bytes (from get_state()), "
                f"got dtype {raw.dtype} and shape {raw.shape}"
            )
        data = raw.tobytes()
        seed = int.from_bytes(data[0:8], "little")
        left = int.from_bytes(data[8:12], "little", signed=True)
        seeded = int.from_bytes(data[12:16], "little")
        next_word = int.from_bytes(data[16:24], "little")
        if not seeded or not 0 < left <= _N or next_word > _N:
            raise RuntimeError("set_state: the state is invalid (not seeded, or its position is out of range)")
        words = np.frombuffer(data[24 : 24 + 8 * _N], dtype="<u8").astype(np.uint32)
        self._engine.state = {"bit_generator": "MT19937", "state": {"key": words, "pos": _N + 1 - left}}
        self._seed, self._fresh = seed, left == 1 and next_word == 0
        double_valid = int.from_bytes(data[5040:5044], "little")
        self._double_normal = float(np.frombuffer(data[5024:5032], "<f8")[0]) if double_valid else None
        self._float_normal = float(np.frombuffer(data[5048:5052], "<f4")[0]) if data[5052] else None
        return self

    def _state_bytes(self) -> bytes:
        state = self._engine.state["state"]
        pos = int(state["pos"])
        left, next_word = _N + 1 - pos, (0 if self._fresh else pos)
        out = bytearray(STATE_SIZE)
        out[0:8] = self._seed.to_bytes(8, "little")
        out[8:12] = left.to_bytes(4, "little", signed=True)
        out[12:16] = (1).to_bytes(4, "little")
        out[16:24] = next_word.to_bytes(8, "little")
        out[24 : 24 + 8 * _N] = np.asarray(state["key"], dtype="<u8").tobytes()
        if self._double_normal is not None:
            out[5024:5032] = np.float64(self._double_normal).astype("<f8").tobytes()
            out[5040:5044] = (1).to_bytes(4, "little")
        if self._float_normal is not None:
            out[5048:5052] = np.float32(self._float_normal).astype("<f4").tobytes()
            out[5052] = 1
        return bytes(out)

    # --- raw words, as CPUGeneratorImpl::random() and random64()
    def _words32(self, count: int) -> np.ndarray:
        """``count`` outputs of ``random()``: 32-bit words (in a uint64 array)."""
        self._fresh = False
        return self._engine.random_raw(count) if count else np.zeros(0, np.uint64)

    def _words64(self, count: int) -> np.ndarray:
        """``count`` outputs of ``random64()``: two words each, the first one the high half."""
        words = self._words32(2 * count)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    def __repr__(self) -> str:
        return f"<tinygrad_sm.Generator on {self.device}, initial_seed={self._seed}>"


default_generator = Generator()


def _generator(generator: Any) -> Any:
    if generator is None:
        return default_generator
    if isinstance(generator, (Generator, np.random.Generator)):
        return generator
    raise TypeError(
        f"generator must be a tinygrad_sm.Generator (or a numpy.random.Generator), got {type(generator).__name__}"
    )


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (``torch.manual_seed``); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system; returns the seed (``torch.seed``)."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed (``torch.initial_seed``)."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state, a uint8 tensor (``torch.get_rng_state``)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state (``torch.set_rng_state``)."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, **kwargs: Any) -> Iterator[None]:
    """``torch.random.fork_rng``: the default generator's state is restored when the block ends, so
    draws inside it do not change the numbers drawn after it."""
    if not enabled:
        yield
        return
    saved = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(saved)


# ---------------------------------------------------------------- samplers on arrays
# Each takes a resolved generator (tinygrad_sm.Generator or numpy.random.Generator) and returns a
# flat array in the order PyTorch fills a contiguous tensor.


def uniform_values(gen: Any, count: int, dtype: np.dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``uniform_(low, high)``: float32 from 24 bits of one word, float64 from 53 bits of two."""
    if isinstance(gen, np.random.Generator):
        return gen.uniform(low, high, count).astype(dtype)
    if dtype == np.float64:
        unit = mt.uniform_float64(gen._words64(count))
        return unit if (low, high) == (0.0, 1.0) else mt.fma64_array(unit, high - low, low)
    if dtype == np.float16:  # 11 bits of one word, scaled in float32, then rounded to half
        unit = (gen._words32(count) & np.uint64(2047)).astype(np.float32) * np.float32(2.0**-11)
        lo, hi = np.float32(np.float16(low)), np.float32(np.float16(high))
        return mt.fma32(unit, hi - lo, lo).astype(np.float16)
    unit = mt.uniform_float32(gen._words32(count))
    if (low, high) == (0.0, 1.0):
        return unit
    lo, hi = np.float32(low), np.float32(high)
    return mt.fma32(unit, hi - lo, lo)  # x * (to - from) + from, contracted to one FMA by the compiler


def normal_values(gen: Any, count: int, dtype: np.dtype, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """``normal_(mean, std)`` on a contiguous tensor of ``count`` elements (see ``_mt_transforms``)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if isinstance(gen, np.random.Generator):
        return gen.normal(mean, std, count).astype(dtype)
    if count >= 16 and dtype in (np.float32, np.float64):
        single = dtype == np.float32
        unit = uniform_values(gen, count, dtype)
        blocks = mt.box_muller_blocks_float32 if single else mt.box_muller_blocks_float64
        out = np.empty(count, dtype)
        whole = count // 16 * 16
        out[:whole] = blocks(unit[:whole].reshape(-1, 16), mean, std).ravel()
        if count % 16:  # the tail: 16 fresh uniforms recompute the last 16 values
            out[count - 16 :] = blocks(uniform_values(gen, 16, dtype).reshape(1, 16), mean, std).ravel()
        return out
    return np.array([_scalar_normal(gen, mean, std) for _ in range(count)], dtype=np.float64).astype(dtype)


def _scalar_normal(gen: Generator, mean: float, std: float) -> float:
    """One ``normal_distribution<double>`` sample: the cached second value of the last pair if there
    is one, else a new Box-Muller pair from two ``random64`` uniforms (its sine half is cached)."""
    if gen._double_normal is not None:
        value, gen._double_normal = gen._double_normal, None
    else:
        u1, u2 = mt.uniform_float64(gen._words64(2))
        value, gen._double_normal = mt.box_muller_pair(float(u1), float(u2))
    return mt.fma64(value, std, mean)


def randint_values(gen: Any, count: int, low: int, high: int) -> np.ndarray:
    """``random_(low, high)``: ``word % (high - low) + low``, one word per value below a range of
    2**28 and a 64-bit draw from there on (PyTorch's switch), as int64."""
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if isinstance(gen, np.random.Generator):
        return gen.integers(low, high, count, dtype=np.int64)
    span = high - low
    words = gen._words64(count) if span >= 2**28 else gen._words32(count)
    return ((words % np.uint64(span)).astype(np.int64) + np.int64(low)).astype(np.int64)


def randperm_values(gen: Any, n: int) -> np.ndarray:
    """A permutation of ``0..n-1`` by PyTorch's Fisher-Yates: for ``i < n - 1`` swap ``i`` with
    ``i + random() % (n - i)`` (below n = 2**32 / 20; above, the inside-out shuffle on ``random64``)."""
    if isinstance(gen, np.random.Generator):
        return gen.permutation(n).astype(np.int64)
    perm = np.arange(n, dtype=np.int64)
    if n < _RANDPERM_SMALL:
        if n > 1:
            offsets = (gen._words32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
            values = perm.tolist()
            for i, z in enumerate(offsets):
                values[i], values[i + z] = values[i + z], values[i]
            perm = np.array(values, dtype=np.int64)
        return perm
    picks = (gen._words64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()  # pragma: no cover  # n >= 2**28
    values = [0] * n  # pragma: no cover
    for i, z in enumerate(picks):  # pragma: no cover
        values[i] = values[z]
        values[z] = i
    return np.array(values, dtype=np.int64)  # pragma: no cover


def exponential_values(gen: Any, count: int, dtype: np.dtype, lambd: float = 1.0) -> np.ndarray:
    """``exponential_(lambd)``: ``-1/lambd * log1p(-u)`` with ``u`` a 53-bit float64 uniform."""
    if isinstance(gen, np.random.Generator):
        return gen.exponential(1.0 / lambd, count).astype(dtype)
    unit = mt.uniform_float64(gen._words64(count))
    return ((-1.0 / lambd) * mt.log1p_libm(-unit)).astype(dtype)


def bernoulli_values(gen: Any, probs: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``bernoulli(probs)``: ``u < p`` per element, ``u`` a float64 (53-bit) uniform for float64
    probabilities and a float32 (24-bit) one otherwise; the result in ``dtype``."""
    flat = np.ascontiguousarray(probs).ravel()
    if np.any((flat < 0) | (flat > 1)) or np.isnan(flat).any():
        raise RuntimeError("bernoulli: every probability must be in [0, 1]")
    if isinstance(gen, np.random.Generator):
        return (gen.random(flat.size) < flat).astype(dtype)
    if flat.dtype == np.float64:
        unit = mt.uniform_float64(gen._words64(flat.size))
    else:
        unit = mt.uniform_float32(gen._words32(flat.size))
        flat = flat.astype(np.float32)
    return (unit < flat).astype(dtype)


def multinomial_values(gen: Any, probs: np.ndarray, num_samples: int, replacement: bool) -> np.ndarray:
    """Indices (rows, num_samples) drawn from each row of ``probs`` (rows, categories), as PyTorch's CPU
    kernel: without replacement (or one sample) the top ``num_samples`` of ``p / q`` with ``q ~ Exp(1)``
    drawn for every element; with replacement a search of each draw in the row's float32 cumulative
    sum (normalised, its last entry forced to 1)."""
    rows, categories = probs.shape
    if isinstance(gen, np.random.Generator):
        out = np.empty((rows, num_samples), np.int64)
        for row in range(rows):
            p = probs[row].astype(np.float64)
            out[row] = gen.choice(categories, num_samples, replace=replacement, p=p / p.sum())
        return out
    if not replacement or num_samples == 1:
        noise = exponential_values(gen, probs.size, probs.dtype).reshape(probs.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = probs / noise
        if num_samples == 1:
            return np.argmax(keys, axis=1).reshape(rows, 1).astype(np.int64)
        # topk: largest first; equal keys in index order
        order = np.argsort(-keys, axis=1, kind="stable")
        return order[:, :num_samples].astype(np.int64)
    out = np.empty((rows, num_samples), np.int64)
    for row in range(rows):
        cumulative = np.cumsum(probs[row], dtype=probs.dtype)  # sequential, in the input's dtype
        cumulative = cumulative / cumulative[-1]
        cumulative[-1] = 1
        draws = mt.uniform_float64(gen._words64(num_samples))
        out[row] = np.searchsorted(cumulative.astype(np.float64), draws, side="left")
    return out


# ---------------------------------------------------------------- tracing for compile
def draw(kind: str, shape: tuple, generator: Any, dtype: Any, *params: Any) -> np.ndarray:
    """The one entry for shaped draws (``kind`` one of ``uniform``, ``normal``, ``randint``,
    ``randint_full``, ``bernoulli``, ``exponential``, ``randperm``), reshaped to ``shape``. Under ``tinygrad_sm.compile`` the tracer
    hears of it, so the compiled step draws again on every call."""
    gen = _generator(generator)
    values = sample(gen, kind, shape, dtype, *params)
    if _mode.tracer is not None:
        _mode.tracer.on_random(values, generator, kind, (tuple(shape), *params), dtype)
    return values


def refuse_in_compile(what: str) -> None:
    """Draws whose parameters are arrays (``multinomial``, ``bernoulli``) are not replayed by
    ``tinygrad_sm.compile``: the step runs eagerly instead of replaying one fixed sample."""
    if _mode.tracer is not None:
        _mode.tracer.refuse(f"{what} draws random numbers from array parameters, which compile does not replay")


def sample(gen: Any, kind: str, shape: tuple, dtype: Any, *params: Any) -> np.ndarray:
    """``draw`` without the tracer (the compiled replay calls this)."""
    gen = _generator(gen)
    count = int(np.prod(shape, dtype=np.int64))
    np_dtype = None if dtype is None else np.dtype(dtype)
    if kind == "uniform":
        values = uniform_values(gen, count, np_dtype or np.dtype(np.float32), *params)
    elif kind == "normal":
        values = normal_values(gen, count, np_dtype or np.dtype(np.float32), *params)
    elif kind == "randint":
        values = randint_values(gen, count, *params)
    elif kind == "bernoulli":  # bernoulli_(p) with a float p: u < p, u a 53-bit uniform (the portable kernel)
        values = bernoulli_values(gen, np.full(count, float(params[0])), np_dtype or np.dtype(np.float32))
    elif kind == "exponential":
        values = exponential_values(gen, count, np_dtype or np.dtype(np.float32), *params)
    elif kind == "randint_full":  # random_(): word % (top + 1), 64-bit words for int64 and float64
        if isinstance(gen, np.random.Generator):
            values = gen.integers(0, int(params[0]) + 1, count, dtype=np.int64)
        else:
            wide = np_dtype in (np.int64, np.float64)
            words = gen._words64(count) if wide else gen._words32(count)
            values = (words % np.uint64(int(params[0]) + 1)).astype(np.int64)
    elif kind == "randperm":
        values = randperm_values(gen, int(params[0]))
    else:
        raise ValueError(f"unknown random draw kind {kind!r}")
    if np_dtype is not None and values.dtype != np_dtype:
        values = values.astype(np_dtype)
    return values.reshape(shape)


def generator_state(gen: Any) -> Any:
    """A snapshot of ``gen`` (either kind) for ``restore_generator``."""
    gen = _generator(gen)
    if isinstance(gen, np.random.Generator):
        return gen.bit_generator.state
    return gen._state_bytes(), gen._fresh


def restore_generator(gen: Any, state: Any) -> None:
    """Put ``gen`` back to a snapshot from ``generator_state``."""
    gen = _generator(gen)
    if isinstance(gen, np.random.Generator):
        gen.bit_generator.state = state
    else:
        gen.set_state(np.frombuffer(state[0], dtype=np.uint8))
        gen._fresh = state[1]


__all__ = [
    "DEFAULT_SEED",
    "Generator",
    "default_generator",
    "device",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]
