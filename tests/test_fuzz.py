"""Randomized gradient checks: random graphs built from the public ops, every gradient compared with
central finite differences in float64 by ``tinygrad_sm.gradcheck``.

Each case draws everything from ``numpy.random.default_rng(case_seed)``, so a failure message names the
seed and the op sequence and ``_build_case(seed)`` reproduces it. Number of cases: ``--fuzz-cases N``,
else env ``TINYGRAD_SM_FUZZ_CASES``, else 60.

Non-differentiable points are avoided while the graph is built: every step is evaluated on the real
inputs, and a ``max`` whose top two distinct candidates are closer than 1e-4 is rejected (finite
differences straddle the kink there). Exact ties are checked separately against the analytic even split.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import Tensor, gradcheck

MAX_SIZE = 48


def _n_cases(config) -> int:
    option = config.getoption("--fuzz-cases", default=None)
    if option is not None:
        return int(option)
    return int(os.environ.get("TINYGRAD_SM_FUZZ_CASES", "60"))


def _random_axes(rng, ndim):
    """None, an int (maybe negative) or a tuple of distinct axes."""
    if ndim == 0 or rng.random() < 0.25:
        return None
    if ndim >= 2 and rng.random() < 0.3:
        k = int(rng.integers(1, ndim + 1))
        return tuple(int(a) for a in rng.choice(ndim, size=k, replace=False))
    axis = int(rng.integers(0, ndim))
    return axis - ndim if rng.random() < 0.4 else axis


def _near_tie(array: np.ndarray, axis) -> bool:
    """True when the top two *distinct* values of some reduced slice are within 1e-4 of each other."""
    axes = tuple(range(array.ndim)) if axis is None else (axis,) if isinstance(axis, int) else axis
    axes = tuple(a % array.ndim for a in axes) if array.ndim else ()
    rest = [a for a in range(array.ndim) if a not in axes]
    rows = np.transpose(array, rest + list(axes)).reshape(-1, int(np.prod([array.shape[a] for a in axes], dtype=int)))
    for row in rows:
        distinct = np.unique(row)
        if distinct.size >= 2 and distinct[-1] - distinct[-2] < 1e-4:
            return True
    return False


def _spelling(rng, axis, keep):
    """One of the three spellings every reduction accepts: NumPy's keywords, PyTorch's, or positional."""
    style = rng.choice(["numpy", "torch", "positional"])
    if style == "numpy":
        return f"axis={axis}, keepdims={keep}", (), {"axis": axis, "keepdims": keep}
    if style == "torch":
        return f"dim={axis}, keepdim={keep}", (), {"dim": axis, "keepdim": keep}
    return f"{axis}, {keep}", (axis, keep), {}


def _values_of(result):
    return result.values if isinstance(result, tuple) else result


def _pick(rng, vals, ndim_min=0):
    """An index into vals, biased towards recent values so graphs get deep."""
    options = [i for i, v in enumerate(vals) if v.ndim >= ndim_min]
    if not options:
        return None
    if rng.random() < 0.5:
        return options[-1]
    return int(rng.choice(options))


def _small_broadcast(a: tuple, b: tuple) -> tuple | None:
    """The broadcast shape of ``a`` and ``b``, or None if they do not broadcast or it exceeds MAX_SIZE."""
    try:
        shape = np.broadcast_shapes(a, b)
    except ValueError:
        return None
    return shape if int(np.prod(shape, dtype=int)) <= MAX_SIZE else None


def _propose(rng, vals, W):
    """One random step: (description, fn(vals) -> Tensor), or None if it does not apply."""
    kind = rng.choice(
        [
            "unary",
            "unary",
            "binary",
            "binary",
            "reduce",
            "max",
            "index",
            "matmul",
            "where",
            "concat",
            "breadth",
            "breadth",
        ]
    )
    i = _pick(rng, vals)
    x = vals[i]
    if kind == "unary":
        op = rng.choice(["tanh", "sigmoid", "exp_tanh", "log_sq1", "neg", "sqrt_sq1", "square", "scale"])
        c = float(rng.uniform(-2, 2))
        fns = {
            "tanh": lambda v: v[i].tanh(),
            "sigmoid": lambda v: v[i].sigmoid(),
            "exp_tanh": lambda v: v[i].tanh().exp(),
            "log_sq1": lambda v: (v[i] * v[i] + 1).log(),
            "neg": lambda v: -v[i],
            "sqrt_sq1": lambda v: (v[i] * v[i] + 1).sqrt(),
            "square": lambda v: v[i] ** 2,
            "scale": lambda v: v[i] * c + 0.5,
        }
        return f"{op}(v{i})", fns[op]
    if kind == "binary":
        j = _pick(rng, vals)
        if rng.random() < 0.2:
            j = i  # the same tensor twice in one op
        shape = _small_broadcast(x.shape, vals[j].shape)
        if shape is None:
            return None
        op = rng.choice(["add", "sub", "mul", "div"])
        fns = {
            "add": lambda v: v[i] + v[j],
            "sub": lambda v: v[i] - v[j],
            "mul": lambda v: v[i] * v[j],
            "div": lambda v: v[i] / (v[j] * v[j] + 1),
        }
        return f"{op}(v{i}, v{j})", fns[op]
    if kind == "reduce":
        axis, keep = _random_axes(rng, x.ndim), bool(rng.random() < 0.5)
        op = str(rng.choice(["sum", "mean"]))
        spelled, args, kwargs = _spelling(rng, axis, keep)
        return f"v{i}.{op}({spelled})", lambda v: getattr(v[i], op)(*args, **kwargs)
    if kind == "max":
        axis, keep = _random_axes(rng, x.ndim), bool(rng.random() < 0.5)
        op = str(rng.choice(["max", "min"]))
        if _near_tie(x.detach().numpy() if op == "max" else -x.detach().numpy(), axis):
            return None
        spelled, args, kwargs = _spelling(rng, axis, keep)
        with_indices = isinstance(kwargs.get("dim"), int)  # PyTorch's (values, indices)
        return (
            f"v{i}.{op}({spelled})" + (".values" if with_indices else ""),
            lambda v: _values_of(getattr(v[i], op)(*args, **kwargs)),
        )
    if kind == "index":
        if x.ndim == 0:
            return None
        n = x.shape[0]
        style = rng.choice(["int", "slice", "fancy", "last_axis"])
        if style == "int":
            k = int(rng.integers(-n, n))
            return f"v{i}[{k}]", lambda v: v[i][k]
        if style == "slice":
            start = int(rng.integers(0, n))
            step = int(rng.choice([1, 1, 2]))
            return f"v{i}[{start}::{step}]", lambda v: v[i][start::step]
        if style == "fancy":
            idx = rng.integers(0, n, size=int(rng.integers(1, 5)))  # duplicates likely: grads accumulate
            if x[idx].numel() > MAX_SIZE:
                return None
            return f"v{i}[{idx.tolist()}]", lambda v: v[i][idx]
        m = x.shape[-1]
        idx = rng.integers(0, m, size=int(rng.integers(1, 4)))
        if x.numel() // m * idx.size > MAX_SIZE:
            return None
        return f"v{i}[..., {idx.tolist()}]", lambda v: v[i][..., idx]
    if kind == "matmul":
        if x.ndim == 0:
            return None
        if x.shape[-1] == W.shape[0] and rng.random() < 0.6:
            return f"v{i} @ W", lambda v: v[i] @ v[_W_INDEX]
        if x.ndim == 1:
            return f"v{i} @ v{i}", lambda v: v[i] @ v[i]
        if x.shape[:-2] and int(np.prod(x.shape[:-1], dtype=int)) * x.shape[-2] > MAX_SIZE:
            return None
        return f"v{i} @ v{i}.T", lambda v: v[i] @ v[i].swapaxes(-1, -2)
    if kind == "where":
        mask = rng.random(x.shape) < 0.5
        if rng.random() < 0.5:
            c = float(rng.uniform(-1, 1))
            return f"where(mask, v{i}, {c:.3f})", lambda v: tg.where(mask, v[i], c)
        j = _pick(rng, vals)
        shape = _small_broadcast(x.shape, vals[j].shape)
        if shape is None:
            return None
        mask = rng.random(shape) < 0.5
        return f"where(mask{shape}, v{i}, v{j})", lambda v: tg.where(mask, v[i], v[j])
    if kind == "concat":
        if x.ndim == 0 or 2 * x.numel() > MAX_SIZE:
            return None
        axis = int(rng.integers(-x.ndim, x.ndim))
        same = [j for j, v in enumerate(vals) if v.shape == x.shape]
        j = int(rng.choice(same))  # often i itself: the tensor reused
        return f"concatenate([v{i}, v{j}], axis={axis})", lambda v: tg.concatenate([v[i], v[j]], axis=axis)
    if kind == "breadth":  # the primitives added for breadth: sin, cos, erf, log1p, expm1, prod, cumsum, flip, einsum
        op = rng.choice(["sin", "cos", "erf", "log1p_sq", "expm1_tanh", "prod", "cumsum", "flip", "einsum"])
        if op in ("sin", "cos", "erf"):
            return f"v{i}.{op}()", lambda v: getattr(v[i], op)()
        if op == "log1p_sq":
            return f"log1p(v{i}**2)", lambda v: (v[i] * v[i]).log1p()
        if op == "expm1_tanh":
            return f"expm1(tanh(v{i}))", lambda v: v[i].tanh().expm1()
        if x.ndim == 0:
            return None
        axis = int(rng.integers(-x.ndim, x.ndim))
        if op == "prod":
            keep = bool(rng.random() < 0.5)
            return f"v{i}.prod({axis}, keepdim={keep})", lambda v: v[i].tanh().prod(axis, keepdim=keep)
        if op == "cumsum":
            return f"v{i}.cumsum({axis})", lambda v: v[i].cumsum(axis)
        if op == "flip":
            return f"v{i}.flip({axis})", lambda v: v[i].flip(axis)
        letters = "abc"[: x.ndim]
        out = "".join(rng.permutation(list(letters))[: int(rng.integers(0, x.ndim + 1))])
        j = _pick(rng, vals)
        other = vals[j]
        if other.ndim and other.shape[-1] == x.shape[-1] and rng.random() < 0.5:
            spec = f"{letters},{'xyz'[: other.ndim - 1]}{letters[-1]}->{out}{'xyz'[: other.ndim - 1]}"
            return f"einsum({spec!r}, v{i}, v{j})", lambda v: tg.einsum(spec, v[i], v[j])
        spec = f"{letters}->{out}"
        return f"einsum({spec!r}, v{i})", lambda v: tg.einsum(spec, v[i])
    return None


_W_INDEX = 0  # the matmul weight is always input 0


def _build_case(seed: int, propose=None):
    """(description, fn, input arrays) for one random graph (steps drawn by ``propose``, default ``_propose``)."""
    propose = propose or _propose
    rng = np.random.default_rng(seed)
    ndim = int(rng.integers(1, 4))
    base = tuple(int(n) for n in rng.integers(1, 4, size=ndim))
    W = rng.standard_normal((base[-1], int(rng.integers(1, 4))))
    arrays = [W]
    for _ in range(int(rng.integers(1, 4))):
        shape = tuple(1 if rng.random() < 0.3 else n for n in base)  # broadcast against each other
        shape = shape[int(rng.integers(0, len(shape))) if rng.random() < 0.3 else 0 :]  # drop leading dims
        arrays.append(rng.standard_normal(shape))
    leaves = [Tensor(a) for a in arrays]
    vals = list(leaves)
    steps, descriptions = [], []
    n_steps = int(rng.integers(2, 9))
    attempts = 0
    with tg.no_grad():
        while len(steps) < n_steps and attempts < 200:
            attempts += 1
            proposal = propose(rng, vals, W)
            if proposal is None:
                continue
            description, step = proposal
            out = step(vals)
            if (
                out.numel() == 0
                or out.numel() > MAX_SIZE
                or not np.isfinite(out.detach().numpy()).all()
                or np.abs(out.detach().numpy()).max() > 1e3
            ):
                continue
            vals.append(out)
            steps.append(step)
            descriptions.append(f"v{len(vals) - 1} = {description}")
    # the inputs that are never the last step's ancestors still get checked: their gradient must be 0
    n_inputs = len(arrays)

    def fn(*inputs):
        v = list(inputs)
        for step in steps:
            v.append(step(v))
        if not steps:
            return v[0] * 1.0
        # every intermediate also feeds the output, so no step of the graph is dead code
        side = v[len(inputs)].sum()
        for extra in v[len(inputs) + 1 : -1]:
            side = side + extra.mean()
        return v[-1] + side * 0.1

    names = ", ".join(f"v{k}: input {a.shape}" for k, a in enumerate(arrays))
    return f"seed={seed} [{names}] " + "; ".join(descriptions), fn, arrays[:n_inputs]


def test_fuzz_graphs_against_finite_differences(request):
    n = _n_cases(request.config)
    failures = []
    for case in range(n):
        seed = 10_000 + case
        description, fn, arrays = _build_case(seed)
        try:
            gradcheck(fn, *arrays, eps=1e-6, atol=1e-5, rtol=1e-4, name=f"fuzz case {seed}")
        except Exception as error:
            failures.append(f"{description}\n  -> {type(error).__name__}: {error}")
    print(f"\nfuzz: {n - len(failures)}/{n} random graphs passed gradcheck")
    assert not failures, f"{len(failures)}/{n} fuzz cases failed:\n" + "\n".join(failures[:10])


def _propose_numpy(rng, vals, W):
    """A step of the NumPy surface (issue 23), spelled as NumPy spells it, on inputs kept in each
    function's smooth domain; otherwise one of ``_propose``'s steps, so the two kinds mix in one graph."""
    if rng.random() < 0.4:
        return _propose(rng, vals, W)
    i = _pick(rng, vals)
    x = vals[i]
    unary = {
        "tan(0.7 tanh)": lambda t: np.tan(np.tanh(t) * 0.7),
        "arcsin(0.9 tanh)": lambda t: np.arcsin(np.tanh(t) * 0.9),
        "arccos(0.9 tanh)": lambda t: np.arccos(np.tanh(t) * 0.9),
        "arctan": np.arctan,
        "sinh": lambda t: np.sinh(np.tanh(t)),
        "cosh": lambda t: np.cosh(np.tanh(t)),
        "arcsinh": np.arcsinh,
        "arccosh(x^2 + 1.5)": lambda t: np.arccosh(t * t + 1.5),
        "arctanh(0.9 tanh)": lambda t: np.arctanh(np.tanh(t) * 0.9),
        "exp2(tanh)": lambda t: np.exp2(np.tanh(t)),
        "deg2rad": np.deg2rad,
        "rad2deg(0.01 x)": lambda t: np.rad2deg(t * 0.01),
        "x * floor(x)": lambda t: t * np.floor(t),
        "remainder(x, 2.3)": lambda t: np.remainder(t, 2.3),
        "sinc(x + 0.1)": lambda t: np.sinc(t + 0.1),
        "nan_to_num": np.nan_to_num,
    }
    kind = rng.choice(["unary", "unary", "binary", "shape", "linalg"])
    if kind == "unary":
        name = str(rng.choice(sorted(unary)))
        return f"np.{name}(v{i})", lambda v: unary[name](v[i])
    if kind == "binary":
        j = _pick(rng, vals)
        if _small_broadcast(x.shape, vals[j].shape) is None:
            return None
        binary = {
            "arctan2(a, b^2 + 1)": lambda a, b: np.arctan2(a, b * b + 1),
            "hypot(a, b^2 + 1)": lambda a, b: np.hypot(a, b * b + 1),
            "logaddexp2": np.logaddexp2,
            "fmax": np.fmax,
            "fmin": np.fmin,
            "remainder(a, b^2 + 1)": lambda a, b: np.remainder(a, b * b + 1),
        }
        name = str(rng.choice(sorted(binary)))
        return f"np.{name}(v{i}, v{j})", lambda v: binary[name](v[i], v[j])
    if kind == "shape":
        if x.ndim == 0:
            return None
        axis = int(rng.integers(-x.ndim, x.ndim))
        shape_ops = {
            "moveaxis": lambda t: np.moveaxis(t, axis, 0),
            "repeat": lambda t: np.repeat(t, 2, axis=axis),
            "flipud": np.flipud,
            "diff": lambda t: np.diff(t, axis=axis) if t.shape[axis] > 1 else t,
            "append": lambda t: np.append(t, t, axis=axis),
            "tril": lambda t: np.tril(t, -1 if axis < 0 else 0),
            "kron": lambda t: np.kron(t, np.array([1.0, -2.0])),
            "inner": lambda t: np.inner(t, t),
            "atleast_3d": np.atleast_3d,
            "vstack": lambda t: np.vstack([t, t]),
        }
        if x.ndim >= 2:
            shape_ops |= {"rot90": lambda t: np.rot90(t, axis), "trace": np.trace, "fliplr": np.fliplr}
            shape_ops |= {"diagonal": lambda t: np.diagonal(t, 0, -1, -2)}
        if x.shape[-1] == 3:
            shape_ops["cross"] = lambda t: np.cross(t, np.array([0.5, -1.0, 2.0]))
        name = str(rng.choice(sorted(shape_ops)))
        return f"np.{name}(v{i}) (axis {axis})", lambda v: shape_ops[name](v[i])
    if x.ndim == 0 or x.shape[-1] > 4:
        return None
    # a square matrix from x: x^T x (+ I for positive definiteness) over its last axis
    linalg_ops = {
        "det": lambda m: np.linalg.det(m),
        "slogdet": lambda m: np.linalg.slogdet(m)[1],
        "inv": lambda m: np.linalg.inv(m),
        "solve": lambda m: np.linalg.solve(m, np.ones(m.shape[-1])),
        "cholesky": lambda m: np.linalg.cholesky(m),
        "eigvalsh": lambda m: np.linalg.eigvalsh(m),
        "norm nuc": lambda m: np.linalg.norm(m, "nuc"),
        "pinv": lambda m: np.linalg.pinv(m),
        "qr": lambda m: np.linalg.qr(m)[0] + np.linalg.qr(m)[1],
    }
    name = str(rng.choice(sorted(linalg_ops)))
    n = x.shape[-1]

    def gram(t):
        flat = t.reshape(-1, n)
        return flat.T @ flat * (1.0 / flat.shape[0]) + np.eye(n)

    return f"np.linalg.{name}(gram(v{i}))", lambda v: linalg_ops[name](gram(v[i]))


def test_fuzz_numpy_surface_graphs_against_finite_differences(request):
    n = _n_cases(request.config)
    failures = []
    for case in range(n):
        seed = 30_000 + case
        description, fn, arrays = _build_case(seed, _propose_numpy)
        try:
            gradcheck(fn, *arrays, eps=1e-6, atol=1e-5, rtol=1e-4, name=f"numpy fuzz case {seed}")
        except Exception as error:
            failures.append(f"{description}\n  -> {type(error).__name__}: {error}")
    print(f"\nfuzz: {n - len(failures)}/{n} random NumPy-surface graphs passed gradcheck")
    assert not failures, f"{len(failures)}/{n} NumPy-surface fuzz cases failed:\n" + "\n".join(failures[:10])


# Regressions found by this fuzz: 0-d arithmetic gives NumPy scalars, which backward must treat as arrays.


def test_integer_index_to_zero_dim_then_mul():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (x[1] * 2).backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [0.0, 2.0, 0.0])


def test_zero_dim_tensor_used_three_times():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    s = x.sum()  # 0-d
    (s * s + s).backward()  # s gets three contributions: d/dx = 2*s + 1 = 7 per element
    np.testing.assert_allclose(x.grad.detach().numpy(), [7.0, 7.0])


def _max_tie_case(seed: int):
    rng = np.random.default_rng(seed)
    ndim = int(rng.integers(1, 4))
    shape = tuple(int(n) for n in rng.integers(2, 5, size=ndim))
    x = rng.standard_normal(shape)
    axis = _random_axes(rng, ndim)
    keepdims = bool(rng.random() < 0.5)
    axes = tuple(range(ndim)) if axis is None else (axis,) if isinstance(axis, int) else axis
    # force ties: copy the slice maximum into extra random positions along the reduced axes
    kept = x.max(axis=axes, keepdims=True)
    dup = rng.random(shape) < 0.4
    x = np.where(dup, np.broadcast_to(kept, shape), x)
    mask = (x == x.max(axis=axes, keepdims=True)).astype(np.float64)
    count = mask.sum(axis=axes, keepdims=True)
    return x, axis, keepdims, axes, mask, count, rng


def test_fuzz_max_ties_split_evenly(request):
    """At exact ties finite differences see a kink; the engine's documented rule is the even split:
    grad of ``x.max(axis)`` is ``upstream * mask / count``."""
    n = _n_cases(request.config)
    for case in range(n):
        seed = 20_000 + case
        x, axis, keepdims, axes, mask, count, rng = _max_tie_case(seed)
        assert (count >= 1).all()
        leaf = Tensor(x, requires_grad=True)
        out = leaf.max(axis=axis, keepdims=keepdims)
        upstream = rng.standard_normal(out.shape)
        (out * Tensor(upstream)).sum().backward()
        expected = np.reshape(upstream, count.shape) * mask / count
        np.testing.assert_allclose(
            leaf.grad.detach().numpy(),
            expected,
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"max tie case seed={seed} shape={x.shape} axis={axis} keepdims={keepdims}",
        )
        # the tied gradient is a convex combination: each reduced slice's grads sum to the upstream value
        np.testing.assert_allclose(
            leaf.grad.detach().numpy().sum(axis=axes),
            np.reshape(upstream, count.shape).sum(axis=axes),
            rtol=1e-12,
            atol=1e-12,
        )


# ---------------------------------------------------------------- dtype rules

_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64]
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _reference_result_dtype(operands) -> np.dtype:
    """PyTorch's rule written independently of tinygrad_sm.dtypes: the highest category among all operands
    decides which group counts: the first of (dimensioned, 0-d, Python scalar) holding that category;
    within it, the promotion of its dtypes of that category (integer with float: the float)."""
    groups = {0: [], 1: [], 2: []}  # 0 dimensioned, 1 zero-dim, 2 Python scalars
    for value in operands:
        if isinstance(value, (bool, int, float)):
            dtype = np.dtype(
                np.bool_ if isinstance(value, bool) else np.int64 if isinstance(value, int) else np.float32
            )
            groups[2].append(dtype)
        else:
            groups[0 if value.ndim else 1].append(value.dtype)
    top = max(_CATEGORY[d.kind] for group in groups.values() for d in group)
    for priority in (0, 1, 2):
        if any(_CATEGORY[d.kind] >= top for d in groups[priority]):
            chosen = groups[priority]
            break
    if top == 0:
        return np.dtype(np.bool_)
    result = None
    for dtype in chosen:
        if _CATEGORY[dtype.kind] == 0:
            continue
        if result is None:
            result = dtype
        elif (result.kind == "f") != (dtype.kind == "f"):
            result = result if result.kind == "f" else dtype
        else:
            result = np.promote_types(result, dtype)
    return result


def _random_operand(rng):
    if rng.random() < 0.3:
        return [True, 3, -2, 2.5, 0.5][int(rng.integers(0, 5))]
    dtype = _DTYPES[int(rng.integers(0, len(_DTYPES)))]
    shape = () if rng.random() < 0.35 else (3,)
    values = rng.integers(0, 3, size=shape) if dtype is not np.bool_ else rng.random(shape) < 0.5
    return Tensor(np.asarray(values).astype(dtype))


def test_fuzz_result_dtype_of_every_binary_op_and_where(request):
    rng = np.random.default_rng(1234)
    ops = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "maximum": tg.maximum,
        "minimum": tg.minimum,
        "where": lambda a, b: tg.where(np.array(True), a, b),
    }
    checked = 0
    for _ in range(max(_n_cases(request.config), 1) * 5):
        a, b = _random_operand(rng), _random_operand(rng)
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):
            continue
        negative_int = any(type(v) is int and v < 0 for v in (a, b))
        if negative_int and np.uint8 in (getattr(a, "dtype", None), getattr(b, "dtype", None)):
            continue  # a negative Python int does not fit uint8: an OverflowError, not a wrapped value
        expected = _reference_result_dtype([a, b])
        name = str(rng.choice(list(ops)))
        if name == "sub" and expected == np.bool_:
            name = "add"  # (bool subtraction is refused, as in PyTorch)
        assert tg.result_type(a, b) == expected, f"result_type({a!r}, {b!r})"
        out = ops[name](a, b)
        assert out.dtype == expected, f"{name}({a!r}, {b!r}) gave {out.dtype}, expected {expected}"
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_fuzz_gradients_keep_each_operands_dtype(dtype):
    rng = np.random.default_rng(7)
    for _ in range(10):
        other = _DTYPES[int(rng.integers(6, 9))]
        x = Tensor(rng.standard_normal(3).astype(dtype), requires_grad=True)
        y = Tensor(rng.standard_normal(() if rng.random() < 0.5 else (3,)).astype(other), requires_grad=True)
        (x * y + x).sum().backward()
        assert x.grad.dtype == dtype and y.grad.dtype == other
