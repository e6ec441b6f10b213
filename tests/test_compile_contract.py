"""tinygrad_sm.compile's contract: a compiled call equals the eager call bitwise, or compile warns and runs
eagerly. Each test below is one way a trace used to freeze something that changed (the failures of
issue 24); each runs the same sequence of calls on twins, compiled and eager, and compares everything."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import functional as F
from tinygrad_sm import nn, optim


def _data(calls, n=6, features=5, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((n, features)).astype(np.float32), rng.integers(0, classes, n)) for _ in range(calls)]


def _model(seed=1, sizes=(5, 7, 3)):
    return nn.MLP(list(sizes), generator=np.random.default_rng(seed))


def _same(a, b, what=""):
    if isinstance(a, tg.Tensor):
        assert isinstance(b, tg.Tensor), what
        assert a.dtype == b.dtype and np.array_equal(
            a.numpy() if not a.requires_grad else a.detach().numpy(), b.detach().numpy(), equal_nan=True
        ), what
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), what
        for x, y in zip(a, b):
            _same(x, y, what)
    else:
        assert a == b or (a != a and b != b), (what, a, b)


def _same_state(model_a, model_b, opt_a=None, opt_b=None):
    for (name, a), (_, b) in zip(model_a.named_parameters(), model_b.named_parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy()), name
        assert (a.grad is None) == (b.grad is None), name
        if a.grad is not None:
            assert np.array_equal(a.grad.numpy(), b.grad.numpy()), name
    for (name, a), (_, b) in zip(model_a.named_buffers(), model_b.named_buffers()):
        assert np.array_equal(a.numpy(), b.numpy()), name
    if opt_a is not None:
        for group_a, group_b in zip(opt_a.param_groups, opt_b.param_groups):
            assert {k: v for k, v in group_a.items() if k != "params"} == {
                k: v for k, v in group_b.items() if k != "params"
            }
        for pa, pb in zip(model_a.parameters(), model_b.parameters()):
            sa, sb = opt_a.state.get(pa) or {}, opt_b.state.get(pb) or {}
            assert sa.keys() == sb.keys()
            for key in sa:
                assert np.array_equal(np.asarray(sa[key]), np.asarray(sb[key])), key


def _run_both(make, calls, between=None):
    """``make()`` -> (fn, model, opt) for one twin; runs the calls on both; ``between(i, twin)`` mutates."""
    twins = [make(), make()]
    compiled = tg.compile(twins[0][0])
    eager = twins[1][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for index, args in enumerate(calls):
            if between is not None:
                between(index, twins[0])
                between(index, twins[1])
            outcomes = []
            for fn in (compiled, eager):
                tg.manual_seed(index)
                try:
                    outcomes.append(("ok", fn(*args)))
                except Exception as error:  # the same exception, eager or compiled
                    outcomes.append(("error", f"{type(error).__name__}: {error}"))
            assert outcomes[0][0] == outcomes[1][0], (index, outcomes)
            _same(outcomes[0][1], outcomes[1][1], f"call {index}")
            _same_state(twins[0][1], twins[1][1], twins[0][2], twins[1][2])
    return compiled, twins


def _train_step(model, opt, loss_fn=F.cross_entropy):
    def train_step(x, y):
        loss = loss_fn(model(tg.Tensor(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return train_step


def test_a_parameter_replaced_between_calls_is_trained():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)
        return _train_step(model, opt), model, opt

    def replace(index, twin):
        _, model, opt = twin
        if index == 4:
            fresh = tg.Tensor(np.full(model.layers[0].weight.shape, 0.1, np.float32), requires_grad=True)
            model.layers[0].weight = fresh
            opt.param_groups[0]["params"][0] = fresh

    compiled, _ = _run_both(make, _data(9), replace)
    assert compiled.stats["replayed"] >= 4, compiled.stats


def test_a_new_model_and_optimizer_in_the_globals_are_used():
    globals_c = {"F": F, "tg": tg, "__name__": "user_step"}
    globals_e = dict(globals_c)
    code = "def step(x, y):\n    loss = F.cross_entropy(model(tg.Tensor(x)), y)\n    opt.zero_grad(); loss.backward(); opt.step()\n    return loss\n"
    exec(code, globals_c)
    exec(code, globals_e)
    compiled = tg.compile(globals_c["step"])
    for index, (x, y) in enumerate(_data(8)):
        if index in (0, 4):  # a new model and optimizer rebind the globals
            for g in (globals_c, globals_e):
                g["model"] = _model(seed=index)
                g["opt"] = optim.SGD(g["model"].parameters(), lr=0.1)
        _same(compiled(x, y), globals_e["step"](x, y))
        _same_state(globals_c["model"], globals_e["model"], globals_c["opt"], globals_e["opt"])


def test_requires_grad_toggled_between_calls_freezes_the_weight():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)
        return _train_step(model, opt), model, opt

    def toggle(index, twin):
        if index in (4, 7):
            twin[1].layers[0].weight.requires_grad = index == 7

    _run_both(make, _data(10), toggle)


def test_a_python_if_on_the_values_of_a_numpy_argument_is_not_baked_in():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def train_step(x, y):
            logits = model(tg.Tensor(x))
            if x.mean() > 0:  # NumPy, on the argument
                logits = logits * 2
            if (y >= 3).any():
                raise ValueError("label out of range")
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step, model, opt

    calls = [(x + (1 if i % 3 else -1), y) for i, (x, y) in enumerate(_data(10))]
    calls[6] = (calls[6][0], np.array([0, 1, 3, 0, 1, 2]))
    with pytest.warns(RuntimeWarning, match="NumPy argument"):
        compiled = tg.compile(make()[0])
        compiled(*calls[0])
    _run_both(make, calls)


def test_model_eval_after_tracing_turns_dropout_off():
    def make():
        model = nn.Sequential(
            nn.Linear(5, 7, generator=np.random.default_rng(1)),
            nn.Dropout(0.5),
            nn.Linear(7, 3, generator=np.random.default_rng(2)),
        )
        opt = optim.SGD(model.parameters(), lr=0.1)
        return _train_step(model, opt), model, opt

    def switch(index, twin):
        if index == 4:
            twin[1].eval()
        if index == 7:
            twin[1].train()

    compiled, _ = _run_both(make, _data(10), switch)
    assert compiled.stats["replayed"] >= 3, compiled.stats


def test_a_scheduler_step_inside_the_step_is_replayed():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.4, momentum=0.9)
        scheduler = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

        def train_step(x, y):
            loss = F.cross_entropy(model(tg.Tensor(x)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            scheduler.step()
            return loss

        return train_step, model, opt

    compiled, twins = _run_both(make, _data(9))
    assert twins[0][2].param_groups[0]["lr"] == 0.4 * 0.5**4
    assert compiled.stats["replayed"] >= 5, compiled.stats


def test_model_eval_inside_the_step_is_refused_with_the_line():
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def train_step(x, y):
        model.train()
        loss = F.cross_entropy(model(tg.Tensor(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.eval()
        return loss

    step = tg.compile(train_step)
    with pytest.warns(RuntimeWarning, match=r"train\(True\) inside the compiled function.*test_compile_contract.py"):
        for x, y in _data(3):
            step(x, y)
    assert step.stats["replayed"] == 0


def test_appending_item_to_a_list_is_refused_not_skipped():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)
        log: list = []

        def train_step(x, y):
            loss = F.cross_entropy(model(tg.Tensor(x)), y)
            log.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
            return len(log)

        return train_step, model, opt

    compiled, _ = _run_both(make, _data(6))
    assert compiled.stats["replayed"] == 0


def test_an_in_place_change_to_the_argument():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def train_step(x, y):
            x *= 0.5  # NumPy, in place, on the caller's array
            loss = F.cross_entropy(model(tg.Tensor(x)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step, model, opt

    data = _data(6)
    twins = [make(), make()]
    compiled = tg.compile(twins[0][0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x, y in data:
            xc, xe = x.copy(), x.copy()
            _same(compiled(xc, y), twins[1][0](xe, y))
            assert np.array_equal(xc, xe)
            _same_state(twins[0][1], twins[1][1])


def test_an_in_place_change_to_a_tensor_argument():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def train_step(x, y):
            x.mul_(0.5)
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step, model, opt

    twins = [make(), make()]
    compiled = tg.compile(twins[0][0])
    for x, y in _data(6):
        xc, xe = tg.Tensor(x), tg.Tensor(x)
        _same(compiled(xc, y), twins[1][0](xe, y))
        assert np.array_equal(xc.numpy(), xe.numpy())
    assert compiled.stats["replayed"] >= 3


SCALE = 1.0


def test_a_global_python_number_is_guarded():
    global SCALE

    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def train_step(x, y):
            loss = F.cross_entropy(model(tg.Tensor(x)) * SCALE, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step, model, opt

    def change(index, twin):
        global SCALE
        SCALE = 1.0 if index < 4 else 3.0

    try:
        compiled, _ = _run_both(make, _data(9), change)
    finally:
        SCALE = 1.0
    assert compiled.stats["replayed"] >= 3, compiled.stats


def test_a_closure_number_and_a_param_group_lr_are_guarded():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)
        factor = 2.0

        def train_step(x, y):
            loss = F.cross_entropy(model(tg.Tensor(x)) * factor, y)
            opt.zero_grad()
            loss.backward()
            with tg.no_grad():
                for p in model.parameters():
                    p -= p.grad * opt.param_groups[0]["lr"]
            return loss

        def set_factor(value):
            nonlocal factor
            factor = value

        train_step.set_factor = set_factor
        return train_step, model, opt

    def change(index, twin):
        if index == 5:
            twin[2].param_groups[0]["lr"] = 0.01
        if index == 7:
            twin[0].set_factor(3.0)

    _run_both(make, _data(9), change)


def test_batch_norm_in_training_mode():
    def make():
        model = nn.Sequential(
            nn.Linear(5, 7, generator=np.random.default_rng(1)),
            nn.BatchNorm1d(7),
            nn.ReLU(),
            nn.Linear(7, 3, generator=np.random.default_rng(2)),
        )
        opt = optim.Adam(model.parameters(), lr=0.01)
        return _train_step(model, opt), model, opt

    compiled, _ = _run_both(make, _data(8))
    assert compiled.stats["replayed"] >= 4, compiled.stats


def test_four_threads_sharing_one_compiled_step():
    models = [_model(seed=s) for s in range(4)]
    eager_models = [_model(seed=s) for s in range(4)]

    def step(model, x, y):
        loss = F.cross_entropy(model(tg.Tensor(x)), y)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        with tg.no_grad():
            for p in model.parameters():
                p -= p.grad * 0.1
        return loss

    compiled = tg.compile(step)
    data = _data(12)
    errors: list = []

    def worker(index):
        try:
            for x, y in data:
                compiled(models[index], x, y)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    for model in eager_models:
        for x, y in data:
            step(model, x, y)
    for a, b in zip(models, eager_models):
        _same_state(a, b)


def test_a_custom_function_inside_is_refused_clearly():
    class Double(tg.autograd.Function):  # a learner's op with its own backward (PyTorch's protocol, issue 22)
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    w = tg.Tensor(np.ones(3, np.float32), requires_grad=True)

    @tg.compile
    def step(x):
        loss = Double.apply(w * tg.Tensor(x)).sum()
        loss.backward()
        return loss

    with pytest.warns(RuntimeWarning, match=r"custom autograd.Function \(Double\), which compile does not replay"):
        for _ in range(3):
            step(np.ones(3, np.float32))
    np.testing.assert_array_equal(w.grad.numpy(), np.full(3, 6.0, np.float32))  # eager: three steps of 2 each


def test_calling_under_no_grad_is_not_the_traced_program():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1)
        return _train_step(model, opt), model, opt

    twins = [make(), make()]
    compiled = tg.compile(twins[0][0])
    for index, (x, y) in enumerate(_data(6)):
        outcomes = []
        for fn in (compiled, twins[1][0]):
            try:
                if index >= 3:
                    with tg.no_grad():
                        loss = fn(x, y)
                else:
                    loss = fn(x, y)
                outcomes.append((loss.requires_grad, loss.detach().numpy().tobytes()))
            except RuntimeError as error:
                outcomes.append(str(error))
        assert outcomes[0] == outcomes[1]
        _same_state(twins[0][1], twins[1][1])


def test_a_numpy_argument_next_to_a_tensor_is_traced_not_refused():
    weights = [tg.Tensor(np.ones(3, np.float32), requires_grad=True) for _ in range(2)]

    def make(w):
        def step(x):
            loss = (x + w * 2).sum()  # NumPy's + hands over to the Tensor: a recorded op
            loss.backward()  # .grad accumulates across calls
            return loss

        return step

    compiled, eager = tg.compile(make(weights[0])), make(weights[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for i in range(5):
            x = np.arange(3, dtype=np.float32) + i
            _same(compiled(x), eager(x))
            assert np.array_equal(weights[0].grad.numpy(), weights[1].grad.numpy())
    assert compiled.stats["replayed"] >= 2


def test_a_smaller_last_batch_after_in_place_updates_gets_its_own_program():
    """An epoch's last, smaller batch: a second signature traced after the parameters were updated in
    place under no_grad (issue 25 saw compile give up there); both sizes replay, bitwise eager."""

    def make():
        rng = np.random.default_rng(0)
        params = [
            tg.Tensor(rng.standard_normal((5, 8)).astype(np.float32) * 0.3, requires_grad=True),
            tg.zeros(8, requires_grad=True),
            tg.Tensor(rng.standard_normal((8, 3)).astype(np.float32) * 0.3, requires_grad=True),
            tg.zeros(3, requires_grad=True),
        ]
        W1, b1, W2, b2 = params

        def step(x, y):
            loss = F.cross_entropy((tg.Tensor(x) @ W1 + b1).relu() @ W2 + b2, y)
            loss.backward()
            with tg.no_grad():
                for p in params:
                    p -= p.grad * 0.1
                    p.grad = None
            return loss

        return step, params

    (compiled_fn, params_c), (eager, params_e) = make(), make()
    compiled = tg.compile(compiled_fn)
    rng = np.random.default_rng(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for _epoch in range(3):
            for n in (6, 6, 6, 4):
                x, y = rng.standard_normal((n, 5)).astype(np.float32), rng.integers(0, 3, n)
                _same(compiled(x, y), eager(x, y))
                for a, b in zip(params_c, params_e):
                    assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert compiled.stats["traced"] == 4 and compiled.stats["replayed"] == 8, compiled.stats


OFFSET = np.zeros(3, np.float32)
POWER = 1.0


class _Shifted(nn.Module):
    """A user's module whose forward reads a global number and holds a NumPy array."""

    def __init__(self):
        self.inner = _model()
        self.mask = np.ones(3, np.float32)

    def forward(self, x):
        return (self.inner(x) + tg.Tensor(self.mask) + tg.Tensor(OFFSET)) * POWER


def test_a_users_module_forward_reading_globals_and_arrays():
    global POWER

    def make():
        model = _Shifted()
        opt = optim.SGD(model.parameters(), lr=0.1)
        return _train_step(model, opt), model, opt

    def change(index, twin):
        global POWER
        if index == 3:
            OFFSET[:] = 0.5  # in place: read live
        if index == 5:
            POWER = 2.0  # read by forward, not by the step itself
        if index == 7:
            twin[1].mask = np.full(3, -1.0, np.float32)  # a new array on the module

    try:
        compiled, _ = _run_both(make, _data(10), change)
    finally:
        POWER = 1.0
        OFFSET[:] = 0.0
    assert compiled.stats["replayed"] >= 3, compiled.stats


def test_a_tensor_made_from_a_list_of_argument_arrays_reads_the_new_values():
    weights = [tg.Tensor(np.ones((2, 3), np.float32), requires_grad=True) for _ in range(2)]

    def make(w):
        def step(a, b):
            loss = (tg.Tensor([a, b]) * w).sum()  # a list of the arguments, not a constant
            loss.backward()
            return loss

        return step

    compiled, eager = tg.compile(make(weights[0])), make(weights[1])
    rng = np.random.default_rng(0)
    for _ in range(5):
        a, b = rng.standard_normal(3), rng.standard_normal(3)
        _same(compiled(a, b), eager(a, b))
        assert np.array_equal(weights[0].grad.numpy(), weights[1].grad.numpy())
    assert compiled.stats["replayed"] >= 2


def test_zero_grad_to_zeros_instead_of_none_compiles():
    def make():
        model = _model()
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def train_step(x, y):
            loss = F.cross_entropy(model(tg.Tensor(x)), y)
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()
            return loss

        return train_step, model, opt

    compiled, _ = _run_both(make, _data(7))
    assert compiled.stats["replayed"] >= 3, compiled.stats


def test_an_assignment_through_a_mask_from_the_data_uses_each_calls_mask():
    weights = [tg.Tensor(np.linspace(-1, 1, 4).astype(np.float32), requires_grad=True) for _ in range(2)]

    def make(w):
        def step(x):
            h = tg.Tensor(x)
            h[h < 0] = 0.0  # the mask comes from this call's data
            loss = (h * w).sum()
            loss.backward()
            return loss

        return step

    compiled, eager = tg.compile(make(weights[0])), make(weights[1])
    rng = np.random.default_rng(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for _ in range(6):
            x = rng.standard_normal(4).astype(np.float32)
            _same(compiled(x), eager(x))
            assert np.array_equal(weights[0].grad.numpy(), weights[1].grad.numpy())
    assert compiled.stats["replayed"] >= 2, compiled.stats
