"""What the compiled program keeps alive and copies (issue 25): each array is dropped after its last use,
so a step's memory peaks no higher than eager's; ``Tensor(x)`` of an argument the program only reads
reads the argument itself, and copies wherever anything could write into it."""

from __future__ import annotations

import ast
import tracemalloc

import numpy as np

import tinygrad_sm as tg
from tinygrad_sm import functional as F


def _mlp_step(sizes=(200, 64, 10), seed=0, lr=0.01):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(tg.Tensor((rng.standard_normal((fan_in, fan_out)) * 0.1).astype(np.float32), requires_grad=True))
        params.append(tg.zeros(fan_out, requires_grad=True))

    def step(x, y):
        h = tg.Tensor(x)
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        loss = F.cross_entropy(h, tg.Tensor(y))
        loss.backward()
        with tg.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        return loss

    return step, params


def _batch(n=256, features=200, classes=10, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((n, features), dtype=np.float32), rng.integers(0, classes, n)


def _peak(step, x, y):
    for _ in range(3):
        step(x, y)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step(x, y)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_compiled_step_peaks_no_higher_than_eager():
    x, y = _batch()
    eager, _ = _mlp_step()
    compiled_fn, _ = _mlp_step()
    compiled = tg.compile(compiled_fn)
    eager_peak, compiled_peak = _peak(eager, x, y), _peak(compiled, x, y)
    assert compiled.stats["replayed"] >= 1, compiled.stats
    assert compiled_peak <= 1.05 * eager_peak, (compiled_peak, eager_peak)


def _deleted_then_read(source: str) -> list:
    """Names read after a ``del`` of them in the (straight-line) function body."""
    body = ast.parse(source).body[0].body
    gone, bad = set(), []
    for statement in body:
        if isinstance(statement, ast.Delete):
            gone.update(target.id for target in statement.targets)
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load) and node.id in gone:
                    bad.append(node.id)
                elif isinstance(node.ctx, ast.Store):
                    gone.discard(node.id)
    return bad


def test_source_drops_each_intermediate_after_its_last_use_and_never_reads_it_again():
    x, y = _batch(n=8)
    step, _ = _mlp_step()
    compiled = tg.compile(step)
    compiled(x, y)
    source = compiled.source
    assert "# del: each array is dropped after its last use" in source
    deleted = {
        name.strip()
        for line in source.splitlines()
        if line.strip().startswith("del ")
        for name in line.strip()[4:].split(",")
    }
    assert {"matmul", "add"} <= deleted  # the first layer's pre-activations die in the forward pass
    assert "loss" not in deleted  # the returned value stays
    assert _deleted_then_read(source) == []


def test_tensor_of_an_argument_that_is_only_read_reads_the_argument_bitwise_as_eager():
    eager, params_e = _mlp_step()
    compiled_fn, params_c = _mlp_step()
    compiled = tg.compile(compiled_fn)
    rng = np.random.default_rng(2)
    for call in range(4):
        base = rng.random((12, 400), dtype=np.float32)
        # contiguous, Fortran-ordered, strided: each must give eager's bits
        x = (base[:, :200], np.asfortranarray(base[:, 200:]), base[:, ::2])[call % 3] if call else base[:, :200].copy()
        y = rng.integers(0, 10, 12)
        kept = x.copy()
        assert np.array_equal(compiled(x, y).detach().numpy(), eager(x, y).detach().numpy())
        assert np.array_equal(x, kept)
        for a, b in zip(params_c, params_e):
            assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert "_np.asarray(x, dtype=_float32) if x.flags.forc" in compiled.source


def test_tensor_of_an_argument_written_in_place_is_still_a_copy():
    def step(x):
        t = tg.Tensor(x)
        t[t < 0.5] = 0.0
        return (t * 2).sum()

    compiled = tg.compile(step)
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = rng.random((4, 5), dtype=np.float32)
        kept = x.copy()
        assert np.array_equal(compiled(x).numpy(), step(x.copy()).numpy())
        assert np.array_equal(x, kept)  # the program wrote into its copy, not into the caller's array
    assert compiled.stats["replayed"] >= 1, compiled.stats
    assert "copy=True" in compiled.source and "_np.asarray(x," not in compiled.source


def test_an_argument_sharing_memory_with_a_parameter_is_read_before_the_update_writes_it():
    """The caller passes the weight's own array as the input: the update writes that memory, so the
    program may read the argument in place only where every read comes before the first write."""

    def make():
        w = tg.Tensor(np.linspace(-1, 1, 16, dtype=np.float32).reshape(4, 4), requires_grad=True)

        def step(x):
            t = tg.Tensor(x)
            loss = (t @ w).tanh().sum()
            loss.backward()
            with tg.no_grad():
                for p in (w,):
                    p -= 0.1 * p.grad
                    p.grad = None
            return loss, (t @ w).sum()  # t read again after the update wrote the memory x shares

        return step, w

    (compiled_fn, w_c), (eager, w_e) = make(), make()
    compiled = tg.compile(compiled_fn)
    for _ in range(4):
        x_c, x_e = w_c.detach().numpy(), w_e.detach().numpy()  # views of the weights' arrays
        (loss_c, after_c), (loss_e, after_e) = compiled(x_c), eager(x_e)
        assert np.array_equal(loss_c.detach().numpy(), loss_e.detach().numpy())
        assert np.array_equal(after_c.detach().numpy(), after_e.detach().numpy())
        assert np.array_equal(w_c.detach().numpy(), w_e.detach().numpy())
    assert compiled.stats["replayed"] >= 1, compiled.stats
