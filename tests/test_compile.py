"""tinygrad_sm.compile: a compiled step gives bitwise the eager results, step after step, and says why
when it cannot compile. Each test runs a function compiled and the same function eagerly on a twin
(same initial weights, same data) and compares every array with ``np.array_equal`` (no tolerance)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import functional as F
from tinygrad_sm import nn, optim


def _batches(steps, n, features=12, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((n, features)).astype(np.float32), rng.integers(0, classes, n)) for _ in range(steps)]


def _twins(make_optimizer, sizes=(12, 16, 4), seed=3):
    pairs = []
    for _ in range(2):
        model = nn.MLP(list(sizes), generator=np.random.default_rng(seed))
        pairs.append((model, make_optimizer(model.parameters())))
    return pairs


def _make_step(model, opt, loss_fn):
    def train_step(x, y):
        logits = model(tg.Tensor(x))
        loss = loss_fn(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return train_step


def _assert_same_state(model_a, opt_a, model_b, opt_b):
    for (name, a), (_, b) in zip(model_a.named_parameters(), model_b.named_parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy()), name
        assert (a.grad is None) == (b.grad is None), name
        if a.grad is not None:
            assert np.array_equal(a.grad.detach().numpy(), b.grad.detach().numpy()), name
    for (_, a), (_, b) in zip(model_a.named_parameters(), model_b.named_parameters()):
        state_a, state_b = opt_a.state.get(a) or {}, opt_b.state.get(b) or {}
        assert state_a.keys() == state_b.keys()
        for key, value in state_a.items():
            if isinstance(value, np.ndarray):
                assert np.array_equal(value, state_b[key]), key
            else:
                assert value == state_b[key], key


@pytest.mark.parametrize("loss_fn", [F.cross_entropy, F.softmax_cross_entropy_fused], ids=["composed", "fused"])
@pytest.mark.parametrize(
    "make_opt",
    [lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lambda p: optim.Adam(p, lr=0.01)],
    ids=["sgd-momentum", "adam"],
)
def test_compiled_mlp_steps_are_bitwise_eager(loss_fn, make_opt):
    (model_c, opt_c), (model_e, opt_e) = _twins(make_opt)
    step = tg.compile(_make_step(model_c, opt_c, loss_fn))
    eager = _make_step(model_e, opt_e, loss_fn)
    for x, y in _batches(12, 8):
        loss_c, loss_e = step(x, y), eager(x, y)
        assert np.array_equal(loss_c.detach().numpy(), loss_e.detach().numpy())
        _assert_same_state(model_c, opt_c, model_e, opt_e)
    assert step.stats["replayed"] >= 9, step.stats  # the program ran: two traces, then replays


def test_raw_tensors_manual_update_and_names_in_the_source():
    def make():
        rng = np.random.default_rng(1)
        return [
            tg.Tensor(rng.standard_normal(s).astype(np.float32) * 0.3, requires_grad=True, name=n)
            for s, n in (((12, 16), "W1"), ((16,), "b1"), ((16, 4), "W2"), ((4,), "b2"))
        ]

    def make_step(params):
        W1, b1, W2, b2 = params

        def train_step(x, y):
            hidden = (tg.Tensor(x) @ W1 + b1).relu()
            logits = hidden @ W2 + b2
            loss = F.cross_entropy(logits, y)
            loss.backward()
            with tg.no_grad():
                for p in params:
                    p -= p.grad * 0.05
                    p.grad = None
            return loss

        return train_step

    compiled_params, eager_params = make(), make()
    step, eager = tg.compile(make_step(compiled_params)), make_step(eager_params)
    for x, y in _batches(8, 5):
        assert np.array_equal(step(x, y).detach().numpy(), eager(x, y).detach().numpy())
        for a, b in zip(compiled_params, eager_params):
            assert np.array_equal(a.detach().numpy(), b.detach().numpy()) and a.grad is None and b.grad is None
    assert step.stats["replayed"] >= 5
    source = step.source
    for name in ("logits", "W1", "grad_logits", "grad_W1", "hidden"):
        assert name in source, name
    assert "# matmul backward: dA = G B^T, dB = A^T G" in source
    assert "guard:" in source


def test_a_masked_row_fails_the_guard_and_the_call_runs_eagerly():
    (model_c, opt_c), (model_e, opt_e) = _twins(lambda p: optim.SGD(p, lr=0.1))

    def make(model, opt):
        def train_step(x, y, mask):
            logits = model(tg.Tensor(x)) + tg.Tensor(mask)
            loss = F.cross_entropy(logits, y, reduction="sum")
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step

    step, eager = tg.compile(make(model_c, opt_c)), make(model_e, opt_e)
    open_mask = np.zeros((6, 4), np.float32)
    masked = open_mask.copy()
    masked[2] = -np.inf  # one row with every class masked: a different branch in logsumexp
    for index, (x, y) in enumerate(_batches(10, 6)):
        mask = masked if index in (5, 8) else open_mask
        loss_c, loss_e = step(x, y, mask), eager(x, y, mask)
        assert np.array_equal(loss_c.detach().numpy(), loss_e.detach().numpy())
        _assert_same_state(model_c, opt_c, model_e, opt_e)
    assert step.stats["guard_failed"] >= 1 and step.stats["replayed"] >= 4, step.stats


def test_python_if_on_a_tensor_value_is_a_guard():
    (model_c, opt_c), (model_e, opt_e) = _twins(lambda p: optim.SGD(p, lr=0.1))

    def make(model, opt):
        def train_step(x, y):
            loss = F.cross_entropy(model(tg.Tensor(x)), y)
            if loss > 1.4:  # bool(tensor): traced as a guard on its value
                loss = loss * 2
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step

    step, eager = tg.compile(make(model_c, opt_c)), make(model_e, opt_e)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # compiled, not refused
        for x, y in _batches(12, 8):
            assert np.array_equal(step(x, y).detach().numpy(), eager(x, y).detach().numpy())
            _assert_same_state(model_c, opt_c, model_e, opt_e)
    assert step.stats["replayed"] >= 1 and step.stats["guard_failed"] >= 1, step.stats


def test_random_draws_are_new_on_every_call():
    (model_c, opt_c), (model_e, opt_e) = _twins(lambda p: optim.SGD(p, lr=0.1))

    def make(model, opt):
        def train_step(x, y):
            noisy = tg.Tensor(x) + tg.randn(*x.shape) * 0.1
            loss = F.cross_entropy(model(noisy), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step

    step, eager = tg.compile(make(model_c, opt_c)), make(model_e, opt_e)
    losses = []
    for x, y in _batches(8, 8):
        tg.manual_seed(len(losses))
        loss_c = step(x, y)
        tg.manual_seed(len(losses))
        loss_e = eager(x, y)
        assert np.array_equal(loss_c.detach().numpy(), loss_e.detach().numpy())
        losses.append(float(loss_c.detach().numpy()))
        _assert_same_state(model_c, opt_c, model_e, opt_e)
    assert step.stats["replayed"] >= 5


def test_reading_data_inside_is_refused_with_a_warning_and_stays_eager():
    (model_c, opt_c), (model_e, opt_e) = _twins(lambda p: optim.SGD(p, lr=0.1))

    def make(model, opt):
        def train_step(x, y):
            logits = model(tg.Tensor(x))
            scale = float(np.abs(logits.data).max())  # a value compile cannot follow
            loss = F.cross_entropy(logits * (1 / scale), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step

    step, eager = tg.compile(make(model_c, opt_c)), make(model_e, opt_e)
    with pytest.warns(RuntimeWarning, match=r"reads tensor values with data.*test_compile.py"):
        for x, y in _batches(4, 8):
            assert np.array_equal(step(x, y).detach().numpy(), eager(x, y).detach().numpy())
    assert step.stats["replayed"] == 0 and step.stats["eager"] == 3


def test_a_new_signature_traces_again():
    (model_c, opt_c), (model_e, opt_e) = _twins(lambda p: optim.SGD(p, lr=0.1))
    step, eager = tg.compile(_make_step(model_c, opt_c, F.cross_entropy)), _make_step(model_e, opt_e, F.cross_entropy)
    for n in (8, 8, 8, 3, 3, 3, 8, 3):
        x, y = _batches(1, n, seed=n)[0]
        assert np.array_equal(step(x, y).detach().numpy(), eager(x, y).detach().numpy())
    assert step.stats["traced"] == 4 and step.stats["replayed"] == 4


def test_create_graph_and_detect_anomaly_are_refused():
    w = tg.Tensor(np.ones(3, np.float32), requires_grad=True)

    @tg.compile
    def second_order(x):
        loss = (w * tg.Tensor(x)).sum()
        loss.backward(create_graph=True)
        return loss

    with pytest.raises(RuntimeError, match="create_graph=True inside a compiled function"):
        second_order(np.ones(3, np.float32))
    with tg.detect_anomaly(), pytest.raises(RuntimeError, match="detect_anomaly"):
        second_order(np.ones(3, np.float32))


def test_errors_while_tracing_are_the_eager_errors():
    (model, opt), _ = _twins(lambda p: optim.SGD(p, lr=0.1))
    step = tg.compile(_make_step(model, opt, F.cross_entropy))
    x, y = _batches(1, 4)[0]
    with pytest.raises(ValueError, match="label 9 at index 0 is out of range"):
        step(x, np.array([9, 0, 1, 2]))
    step(x, y), step(x, y)  # compiled now; a bad label fails the range guard: eager error
    with pytest.raises(ValueError, match="label 7 at index 1 is out of range"):
        step(x, np.array([0, 7, 1, 2]))


def test_item_after_the_update_is_refused_not_frozen():
    (model_c, opt_c), (model_e, opt_e) = _twins(lambda p: optim.SGD(p, lr=0.1))

    def make(model, opt):
        def train_step(x, y):
            loss = F.cross_entropy(model(tg.Tensor(x)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()

        return train_step

    step, eager = tg.compile(make(model_c, opt_c)), make(model_e, opt_e)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x, y in _batches(5, 8):
            assert step(x, y) == eager(x, y)
    _assert_same_state(model_c, opt_c, model_e, opt_e)


def test_fit_with_compile_trains_bitwise_the_same_model():
    from tinygrad_sm.data import load_dataset
    from tinygrad_sm.train import fit

    data = load_dataset("digits")
    models = []
    for use_compile in (False, True):
        model = nn.MLP([64, 32, 10], generator=np.random.default_rng(0))
        history = fit(
            model,
            data,
            loss="ce",
            optimizer="adam",
            lr=5e-3,
            batch_size=128,
            epochs=1,
            seed=0,
            progress=False,
            compile=use_compile,
        )
        models.append((model, [(row["train_loss"], row["test_accuracy"]) for row in history]))
    (eager, eager_history), (compiled, compiled_history) = models
    assert eager_history == compiled_history
    for (name, a), (_, b) in zip(eager.named_parameters(), compiled.named_parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy()), name


def test_the_docs_page_shows_the_source_its_code_prints(capsys):
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "compile.md").read_text()
    code = page.split("```python\n", 1)[1].split("```", 1)[0]
    shown = page.split("```text\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "<docs/compile.md>", "exec"), {"__name__": "__doc_block__"})
    assert capsys.readouterr().out.rstrip("\n") == shown.rstrip("\n")


def test_dropout_draws_a_new_mask_on_every_call():
    (model_c, opt_c), (model_e, opt_e) = _twins(lambda p: optim.Adam(p, lr=0.01))

    def make(model, opt):
        def train_step(x, y):
            hidden = F.dropout(model.layers[0](tg.Tensor(x)).relu(), p=0.3)
            loss = F.cross_entropy(model.layers[2](hidden), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return train_step

    step, eager = tg.compile(make(model_c, opt_c)), make(model_e, opt_e)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for index, (x, y) in enumerate(_batches(8, 8)):
            tg.manual_seed(index)
            loss_c = step(x, y)
            tg.manual_seed(index)
            assert np.array_equal(loss_c.detach().numpy(), eager(x, y).detach().numpy())
            _assert_same_state(model_c, opt_c, model_e, opt_e)
    assert step.stats["replayed"] >= 5


def test_compiled_cnn_steps_are_bitwise_eager():
    def build():
        model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 3))
        for param, values in zip(model.parameters(), _cnn_init(model)):
            param.data = values
        return model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    (model_c, opt_c), (model_e, opt_e) = build(), build()
    step, eager = tg.compile(_make_step(model_c, opt_c, F.cross_entropy)), _make_step(model_e, opt_e, F.cross_entropy)
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for _ in range(6):
            x, y = rng.standard_normal((4, 1, 8, 8)).astype(np.float32), rng.integers(0, 3, 4)
            assert np.array_equal(step(x, y).detach().numpy(), eager(x, y).detach().numpy())
            _assert_same_state(model_c, opt_c, model_e, opt_e)
    assert step.stats["replayed"] == 4


def _cnn_init(model):
    rng = np.random.default_rng(7)
    return [(rng.standard_normal(p.shape) * 0.3).astype(np.float32) for p in model.parameters()]
