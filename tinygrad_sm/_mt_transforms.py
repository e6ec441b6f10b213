"""PyTorch's CPU sampling transforms, bit for bit, on raw Mersenne Twister words.

``Generator`` (in ``random.py``) hands out the raw 32-bit words of MT19937 as PyTorch's CPU generator
does (``random()`` one word, ``random64()`` two words, the first one the high half); this module turns
them into samples exactly as ATen's CPU kernels do, so the same seed gives the same bits:

- uniform float32: the low 24 bits of a word times 2**-24; float64: the low 53 bits of a ``random64``
  times 2**-53; ``[a, b)`` is ``x * (b - a) + a``.
- normal float32 with 16 or more elements: all uniforms first, then Box-Muller over blocks of 16
  (``u1 = 1 - data[j]``, ``u2 = data[j + 8]`` for ``j < 8``) with the Cephes-style float32 ``log`` and
  ``sincos`` of ``avx_mathfun.h`` (PyTorch's AVX2 kernel, which AVX-512 machines run too); a tail that is
  not a multiple of 16 redraws 16 uniforms for the last 16 elements.
- normal float64 with 16 or more elements: the same blocks with the C library's ``log``/``cos``/``sin``.
- fewer than 16 elements (either dtype): scalar Box-Muller in float64 from two ``random64`` uniforms,
  ``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``, returning ``r cos(theta)`` and keeping ``r sin(theta)``
  in the generator for the next scalar draw.

The float32 vector code is what GCC compiled from ``avx_mathfun.h``: it contracts a multiply feeding an
add into one fused multiply-add, so ``_fma`` reproduces that rounding (the product of two float32 values
is exact in float64, then one rounding to float64 and one to float32). The double-precision
transcendental functions go through Python's ``math`` module, which calls the same C library PyTorch
calls; NumPy's SIMD ``log``/``log1p`` differ from it in the last bit on some machines.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

F32 = np.float32
_LOW24 = np.uint64((1 << 24) - 1)
_LOW53 = np.uint64((1 << 53) - 1)
TWO_PI_F32 = F32(2.0 * math.pi)


def uniform_float32(words: np.ndarray) -> np.ndarray:
    """``(word & (2**24 - 1)) * 2**-24`` as float32 (exact), from 32-bit words."""
    return (words & _LOW24).astype(F32) * F32(2.0**-24)


def uniform_float64(words64: np.ndarray) -> np.ndarray:
    """``(word & (2**53 - 1)) * 2**-53`` as float64 (exact), from 64-bit words."""
    return (words64 & _LOW53).astype(np.float64) * 2.0**-53


def _fma(a: np.ndarray, b: np.ndarray | np.float32, c: np.ndarray | np.float32) -> np.ndarray:
    """float32 ``a * b + c`` with one rounding of the product-sum, as a fused multiply-add."""
    return (a.astype(np.float64) * np.float64(b) + np.asarray(c, np.float64)).astype(F32)


_LOG_P = (
    7.0376836292e-2,
    -1.1514610310e-1,
    1.1676998740e-1,
    -1.2420140846e-1,
    1.4249322787e-1,
    -1.6668057665e-1,
    2.0000714765e-1,
    -2.4999993993e-1,
    3.3333331174e-1,
)


def log_float32(x: np.ndarray) -> np.ndarray:
    """Natural log of positive float32 ``x`` as ``avx_mathfun.h``'s ``log256_ps`` computes it:
    ``x = m 2^e`` with ``m`` in [sqrt(1/2), sqrt(2)), a degree-9 polynomial in ``m - 1``, plus ``e log 2``
    split in two constants."""
    x = np.maximum(x, F32(1.17549435e-38))  # the smallest normal float: denormals are cut off
    bits = x.view(np.int32)
    exponent = ((bits >> 23) - 0x7F).astype(F32) + F32(1)
    x = ((bits & ~0x7F800000) | 0x3F000000).view(F32)  # mantissa in [0.5, 1)
    small = x < F32(0.707106781186547524)
    x = (x - F32(1)) + np.where(small, x, F32(0))
    exponent = exponent - np.where(small, F32(1), F32(0))
    z = x * x
    y = np.full_like(x, F32(_LOG_P[0]))
    for coefficient in _LOG_P[1:]:
        y = _fma(y, x, F32(coefficient))
    y = _fma(y * x, z, exponent * F32(-2.12194440e-4))
    y = _fma(z, F32(-0.5), y)
    return _fma(exponent, F32(0.693359375), x + y)


def sincos_float32(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(sin x, cos x)`` for float32 ``x >= 0`` as ``avx_mathfun.h``'s ``sincos256_ps``: reduce by
    multiples of pi/4 in three steps (Cody-Waite), then the Cephes sine and cosine polynomials."""
    octant = (x * F32(1.27323954473516)).astype(np.int32)  # 4/pi, truncated toward zero
    octant = (octant + 1) & ~1
    y = octant.astype(F32)
    sin_negated = (octant & 4) != 0
    use_cosine_poly = (octant & 2) == 0  # mask for the sine: which polynomial it takes
    cos_negated = (~(octant - 2) & 4) != 0
    for step in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma(y, F32(step), x)
    z = x * x
    cos_poly = _fma(np.full_like(x, F32(2.443315711809948e-005)), z, F32(-1.388731625493765e-003))
    cos_poly = _fma(cos_poly, z, F32(4.166664568298827e-002))
    cos_poly = _fma(cos_poly * z, z, -(z * F32(0.5))) + F32(1)
    sin_poly = _fma(np.full_like(x, F32(-1.9515295891e-4)), z, F32(8.3321608736e-3))
    sin_poly = _fma(sin_poly, z, F32(-1.6666654611e-1))
    sin_poly = _fma(sin_poly * z, x, x)
    sine_part = np.where(use_cosine_poly, sin_poly, F32(0))
    cosine_part = np.where(use_cosine_poly, F32(0), cos_poly)
    sine = cosine_part + sine_part
    cosine = (cos_poly - cosine_part) + (sin_poly - sine_part)
    return np.where(sin_negated, -sine, sine), np.where(cos_negated, -cosine, cosine)


def box_muller_blocks_float32(uniforms: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Normals from float32 uniforms of shape (k, 16): ``normal_fill_16_AVX2`` for each row."""
    u1 = F32(1) - uniforms[:, :8]
    radius = np.sqrt(F32(-2) * log_float32(u1))
    sine, cosine = sincos_float32(TWO_PI_F32 * uniforms[:, 8:])
    pairs = np.concatenate([radius * cosine, radius * sine], axis=1)
    return _fma(pairs, F32(std), F32(mean))  # _mm256_fmadd_ps(n, std, mean)


_log = np.frompyfunc(math.log, 1, 1)
_cos = np.frompyfunc(math.cos, 1, 1)
_sin = np.frompyfunc(math.sin, 1, 1)
_log1p = np.frompyfunc(math.log1p, 1, 1)


def log1p_libm(x: np.ndarray) -> np.ndarray:
    """``log1p`` elementwise through the C library (as PyTorch's scalar kernels call it)."""
    return np.asarray(_log1p(x), dtype=np.float64)


def box_muller_blocks_float64(uniforms: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Normals from float64 uniforms of shape (k, 16): ``normal_fill_16<double>`` for each row."""
    u1 = 1.0 - uniforms[:, :8]
    radius = np.sqrt(-2.0 * np.asarray(_log(u1), dtype=np.float64))
    theta = (2.0 * math.pi) * uniforms[:, 8:]
    cosine = np.asarray(_cos(theta), dtype=np.float64)
    sine = np.asarray(_sin(theta), dtype=np.float64)
    pairs = np.concatenate([radius * cosine, radius * sine], axis=1)
    if std == 1.0 and mean == 0.0:
        return pairs
    return np.array([fma64(v, std, mean) for v in pairs.ravel()]).reshape(pairs.shape)


def box_muller_pair(u1: float, u2: float) -> tuple[float, float]:
    """``(r cos(theta), r sin(theta))`` of ATen's scalar ``normal_distribution<double>``."""
    radius = math.sqrt(-2.0 * math.log1p(-u2))
    theta = 2.0 * math.pi * u1
    return radius * math.cos(theta), radius * math.sin(theta)


def fma64(a: float, b: float, c: float) -> float:
    """``a * b + c`` rounded once (exact rational arithmetic; Python 3.11 has no ``math.fma``)."""
    if b == 1.0 and c == 0.0:
        return a
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp's split: ``a = high + low`` with each half fitting in 26 bits."""
    scaled = a * 134217729.0  # 2**27 + 1
    high = scaled - (scaled - a)
    return high, a - high


def fma64_array(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """float64 ``a * b + c`` as one fused multiply-add: Dekker's exact product ``a b = p + e`` and
    Knuth's exact sum ``p + c = s + t``, then ``s + (t + e)`` (exact except in near-tie cases, where the
    last addition can round twice)."""
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(np.float64(b))
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    total = product + c
    virtual = total - product
    sum_error = (product - (total - virtual)) + (c - virtual)
    return total + (sum_error + product_error)


def fma32(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """Public name of the float32 fused multiply-add emulation (see the module docstring)."""
    return _fma(a, F32(b), F32(c))
