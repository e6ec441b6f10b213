"""The primitives: every op with a derivative of its own, forward and backward side by side.

This package is the only place that writes derivative rules. ``forward`` works on NumPy arrays;
``backward(grad, *inputs, out)`` returns one gradient per input (None where there is none). Under
``create_graph=True`` the engine passes Tensors instead of arrays, and because the rules use only
operators, methods and NumPy functions that Tensor dispatches back to these primitives, the same
lines then record a graph of their own: that is how gradients of gradients work.

Each primitive carries ``math = (forward, vjp)`` in LaTeX, with ``g`` the gradient arriving at the
output; [`rules()`][tinygrad_sm.ops.rules] collects them, and the docs' derivative table is generated
from it, so the table cannot drift from the code. The index, one line per primitive:

| family | primitive | forward | vector-Jacobian product |
| --- | --- | --- | --- |
| elementwise | `Add`, `Sub` | a ± b | ā = g, b̄ = ±g (un-broadcast) |
| elementwise | `Mul`, `Div` | a·b, a/b | ā = g·b, b̄ = g·a; ā = g/b, b̄ = -g·a/b² |
| elementwise | `Pow` | a^b | ā = g·b·a^(b-1) (0 where b = 0), b̄ = g·a^b·ln a (0 where a = 0, b ≥ 0) |
| elementwise | `Maximum`, `Minimum`, `Where` | max(a, b), min(a, b), c ? a : b | g to the chosen side (ties: half each) |
| elementwise | `Neg`, `Exp`, `Log`, `Sqrt` | -x, eˣ, ln x, √x | -g, g·eˣ, g/x, g/(2√x) |
| elementwise | `ReLU`, `Abs`, `Sigmoid`, `Tanh` | max(x,0), abs x, σ(x), tanh x | g·[x>0], g·sign x, g·σ(1-σ), g·(1-tanh²) |
| elementwise | `Cast`, `Clone` | x as dtype, a copy of x | g as x's dtype, g |
| elementwise | `Sin`, `Cos` | sin x, cos x | g·cos x, -g·sin x |
| elementwise | `Log1p`, `Expm1`, `Erf` | ln(1+x), eˣ-1, erf x | g/(1+x), g·eˣ, g·2/√π·e^(-x²) |
| elementwise | `Log2`, `Log10` | log₂ x, log₁₀ x | g/(x ln 2), g/(x ln 10) |
| trig | `Tan`, `Arcsin`, `Arccos`, `Arctan` | tan x, arcsin x, arccos x, arctan x | g·(1+tan²x), ±g/√(1-x²), g/(1+x²) |
| trig | `Sinh`, `Cosh`, `Arcsinh`, `Arccosh`, `Arctanh` | sinh, cosh, arsinh, arcosh, artanh | g·cosh x, g·sinh x, g/√(x²+1), g/√(x²-1), g/(1-x²) |
| trig | `Arctan2`, `Hypot` | atan2(y, x), √(a²+b²) | ȳ = g·x/(x²+y²), x̄ = -g·y/(x²+y²); ā = g·a/h, b̄ = g·b/h |
| rounding | `Floor`, `Ceil`, `Round`, `Trunc` | ⌊x⌋, ⌈x⌉, round half even, towards 0 | 0 (flat between the jumps) |
| rounding | `Remainder` | a mod b (floored, or truncated for fmod) | ā = g, b̄ = -g·⌊a/b⌋ (fmod: -g·trunc(a/b)) |
| reduce | `Sum`, `Mean`, `Max`, `Min` | Σ, mean, max, min over axes | g broadcast back (÷n; to the extrema, ties split) |
| reduce | `Prod`, `Cumsum` | Π over axes, running Σ | g·Π of the others (no division: zeros exact); reversed running Σ of g |
| linalg | `Matmul` | A B (or A Bᵀ) | Ā = G Bᵀ, B̄ = Aᵀ G (for A Bᵀ: Ā = G B, B̄ = Gᵀ A) |
| linalg | `Einsum` | Σ over the letters not in the output | x̄ₖ = einsum of g with the other operands onto k's letters |
| linalg_decomp | `Inv`, `Det`, `LogAbsDet` | A⁻¹, det A, ln abs(det A) | -A⁻ᵀGA⁻ᵀ; g·cofactor(A); g·A⁻ᵀ |
| linalg_decomp | `Solve`, `Pinv` | A⁻¹B, A⁺ | B̄ = A⁻ᵀG, Ā = -B̄Xᵀ; Golub-Pereyra's three terms |
| linalg_decomp | `Cholesky`, `Eigh`, `Svd`, `Qr` | L Lᵀ = A, V diag(w) Vᵀ = A, U diag(s) Vᵀ = A, Q R = A | Murray's Φ rule; V(diag w̄ + F∘VᵀV̄)Vᵀ; Townsend's rule; (Q̄ + Q copyltu(M))R⁻ᵀ |
| movement | `Reshape`, `Permute`, `Expand`, `Concatenate` | move values | move g back (sum over broadcast) |
| movement | `Flip` | reverse along axes | g flipped back |
| index | `GetItem`, `ScatterAdd` | x[i], scatter-add | scatter-add of g, g[i] (each other's adjoint) |
| window | `Unfold`, `Fold` | sliding windows (im2col, a strided view); sum them back | fold(g), unfold(g) (each other's adjoint) |
| fused | `SoftmaxCrossEntropy` | mean(log Q - z_y) | (p·Σt - t)/n |

Subgradients at kinks follow PyTorch: `relu` and `abs` have gradient 0 at 0; ties of
`maximum`/`minimum` give each side half; k tied extrema of `max`/`min` get 1/k each.

Broadcasting is undone in one place, `unbroadcast` in `ops/_helpers.py`.
"""

from __future__ import annotations

# ruff: noqa: F401  (this index re-exports every primitive)
from ..autograd import Primitive
from ._helpers import _forward_or_record, _require_numeric, unbroadcast
from .elementwise import (
    Abs,
    Add,
    Cast,
    Clone,
    Cos,
    Div,
    Erf,
    Exp,
    Expm1,
    Log,
    Log1p,
    Log2,
    Log10,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    ReLU,
    Sigmoid,
    Sin,
    Sqrt,
    Sub,
    Tanh,
    Where,
)
from .fused import SoftmaxCrossEntropy
from .index import GetItem, ScatterAdd, _is_basic_index, _scatter_add
from .linalg import Einsum, Matmul, parse_einsum
from .linalg_decomp import Cholesky, Det, Eigh, Inv, LogAbsDet, Pinv, Qr, Solve, Svd
from .movement import Concatenate, Expand, Flip, Permute, Reshape
from .reduce import Cumsum, Max, Mean, Min, Prod, Sum, _kept_shape, _normalize_axes, max_keepdims
from .rounding import Ceil, Floor, Remainder, Round, Trunc
from .trig import Arccos, Arccosh, Arcsin, Arcsinh, Arctan, Arctan2, Arctanh, Cosh, Hypot, Sinh, Tan
from .window import Fold, Unfold, as_pairs, window_counts


def _all_primitives() -> list[type[Primitive]]:
    found, stack = [], list(Primitive.__subclasses__())
    while stack:
        cls = stack.pop(0)
        if cls not in found:
            found.append(cls)
            stack.extend(cls.__subclasses__())
    return found


def rules() -> list[tuple[str, str, str, str]]:
    """``(family, name, forward, vjp)`` for every primitive, forward and VJP in LaTeX (``g`` is the
    gradient arriving at the output). The docs' derivative table is generated from this."""
    table = []
    for cls in _all_primitives():
        if cls.__module__.startswith(__name__ + ".") and not cls.__name__.startswith("_"):  # not shared bases
            family = cls.__module__.rsplit(".", 1)[-1]
            forward, vjp = cls.math
            table.append((family, cls.__name__, forward, vjp))
    return table
