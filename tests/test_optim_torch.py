"""Optimizers and schedulers against PyTorch: the trajectories pinned by scripts/pin_torch_optim.py
(20 steps, float32, within 1e-6), and live against torch when it imports."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import optim
from tinygrad_sm.optim import lr_scheduler

DATA = json.loads((Path(__file__).parent / "data" / "torch_optim.json").read_text())
OPTIMIZER_CASES = {case["name"]: case for case in DATA["optimizers"]}
SCHEDULER_CASES = {case["name"]: case for case in DATA["schedulers"]}


def gradient(values, centre):
    values = values.astype(np.float64)
    return ((values - centre) + 0.3 * np.sin(3 * values)).astype(np.float32)


def tinygrad_trajectory(case, starts=None):
    starts = [np.array(s, np.float32) for s in (starts or DATA["starts"])]
    centres = [np.array(c) for c in DATA["centres"]]
    params = [tg.Tensor(start, requires_grad=True) for start in starts]
    options = dict(case["options"])
    if "betas" in options:
        options["betas"] = tuple(options["betas"])
    cls = getattr(optim, case["class"])
    if case["second_group"] is None:
        optimizer = cls(params, **options)
    else:
        optimizer = cls([{"params": [params[0]]}, {"params": [params[1]], **case["second_group"]}], **options)
    trajectory = []
    for _ in range(DATA["steps"]):
        for param, centre in zip(params, centres):
            param.grad = tg.Tensor(gradient(param.detach().numpy(), centre))
        optimizer.step()
        trajectory.append([param.detach().numpy().copy() for param in params])
    return trajectory, optimizer, params


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_optimizer_matches_pinned_torch_trajectory_for_20_float32_steps(name):
    case = OPTIMIZER_CASES[name]
    trajectory, _, params = tinygrad_trajectory(case)
    assert all(param.dtype == np.float32 for param in params)
    for step, (ours, theirs) in enumerate(zip(trajectory, case["trajectory"])):
        for index, (mine, expected) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(
                mine,
                np.array(expected, np.float32),
                rtol=0,
                atol=1e-6,
                err_msg=f"{name}: parameter {index} after step {step + 1}",
            )
    moved = np.abs(trajectory[-1][0] - np.array(DATA["starts"][0], np.float32)).max()
    assert moved > 1e-3, "the parameters barely moved: the comparison would prove nothing"


@pytest.mark.live_torch
def test_optimizer_matches_torch_live_when_torch_imports():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    starts = [(np.array(s) + rng.standard_normal(np.shape(s))).astype(np.float32) for s in DATA["starts"]]
    centres = [np.array(c) for c in DATA["centres"]]
    for case in DATA["optimizers"]:
        ours, _, _ = tinygrad_trajectory(case, [s.tolist() for s in starts])
        params = [torch.tensor(s, requires_grad=True) for s in starts]
        cls = getattr(torch.optim, case["class"])
        options = dict(case["options"], foreach=False)
        optimizer = (
            cls(params, **options)
            if case["second_group"] is None
            else cls([{"params": [params[0]]}, {"params": [params[1]], **case["second_group"]}], **options)
        )
        for _ in range(DATA["steps"]):
            for param, centre in zip(params, centres):
                param.grad = torch.from_numpy(gradient(param.detach().numpy(), centre))
            optimizer.step()
        for mine, theirs in zip(ours[-1], params):
            np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=0, atol=1e-6, err_msg=case["name"])


def make_scheduler(case):
    param = tg.Tensor(np.zeros(2, np.float32), requires_grad=True)
    optimizer = optim.SGD([param], lr=0.1, momentum=0.9) if case["optimizer"] == "SGD" else optim.Adam([param], lr=0.1)
    cls = getattr(lr_scheduler, case["class"])
    if case["class"] == "LambdaLR":
        return optimizer, cls(optimizer, lr_lambda=lambda epoch: 1 / (1 + epoch))
    return optimizer, cls(optimizer, **case["options"])


@pytest.mark.parametrize("name", sorted(SCHEDULER_CASES))
def test_scheduler_matches_pinned_torch_rates(name):
    case = SCHEDULER_CASES[name]
    optimizer, scheduler = make_scheduler(case)
    group = optimizer.param_groups[0]
    rates, momenta = [scheduler.get_last_lr()[0]], [group["betas"][0] if "betas" in group else group["momentum"]]
    for _ in range(len(case["rates"]) - 1):
        optimizer.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
        momenta.append(group["betas"][0] if "betas" in group else group["momentum"])
    np.testing.assert_allclose(rates, case["rates"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(momenta, case["momenta"], rtol=1e-12)
    assert len(set(np.round(rates, 12))) > 1, "the schedule never changed the rate"


def test_onecycle_refuses_to_step_past_total_steps():
    param = tg.Tensor(np.zeros(1, np.float32), requires_grad=True)
    optimizer = optim.SGD([param], lr=0.1, momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=3)
    scheduler.step()
    scheduler.step()
    scheduler.step()
    with pytest.raises(ValueError, match="total_steps is 3"):
        scheduler.step()


def test_onecycle_needs_momentum_or_betas():
    param = tg.Tensor(np.zeros(1, np.float32), requires_grad=True)
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(optim.Adagrad([param]), max_lr=1.0, total_steps=5)


def test_scheduler_state_dict_resumes_the_schedule():
    case = SCHEDULER_CASES["cosine"]
    _, scheduler = make_scheduler(case)
    for _ in range(5):
        scheduler.step()
    saved = scheduler.state_dict()
    assert "optimizer" not in saved
    _, fresh = make_scheduler(case)
    fresh.load_state_dict(saved)
    fresh.step()
    scheduler.step()
    assert fresh.get_last_lr() == scheduler.get_last_lr()
    assert math.isclose(fresh.get_last_lr()[0], case["rates"][6], rel_tol=1e-12)


def test_optimizer_state_dict_round_trip_continues_the_same_trajectory():
    case = OPTIMIZER_CASES["adamw_amsgrad_groups"]
    full, _, _ = tinygrad_trajectory(case)
    # run 10 steps, save, load into a fresh optimizer on copies of the parameters, run 10 more
    centres = [np.array(c) for c in DATA["centres"]]
    params = [tg.Tensor(np.array(s, np.float32), requires_grad=True) for s in DATA["starts"]]
    make = lambda ps: optim.AdamW(
        [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.03}], lr=0.01, weight_decay=0.05, amsgrad=True
    )
    first = make(params)
    for _ in range(10):
        for param, centre in zip(params, centres):
            param.grad = tg.Tensor(gradient(param.detach().numpy(), centre))
        first.step()
    saved = first.state_dict()
    assert sorted(saved["state"]) == [0, 1] and saved["param_groups"][1]["params"] == [1]
    assert saved["state"][0]["step"] == 10
    copies = [tg.Tensor(param.detach().numpy().copy(), requires_grad=True) for param in params]
    second = make(copies)
    second.load_state_dict(saved)
    saved["state"][0]["exp_avg"][...] = 99  # the loaded state is a copy
    for _ in range(10):
        for param, centre in zip(copies, centres):
            param.grad = tg.Tensor(gradient(param.detach().numpy(), centre))
        second.step()
    for mine, expected in zip(copies, full[-1]):
        np.testing.assert_array_equal(mine.detach().numpy(), expected)


def test_optimizer_load_state_dict_checks_groups_and_shapes():
    a = tg.Tensor(np.zeros(3, np.float32), requires_grad=True)
    b = tg.Tensor(np.zeros(2, np.float32), requires_grad=True)
    source = optim.Adam([a])
    a.grad = tg.Tensor(np.ones(3, np.float32))
    source.step()
    with pytest.raises(ValueError, match="shape"):
        optim.Adam([b]).load_state_dict(source.state_dict())
    with pytest.raises(ValueError, match="parameter groups"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(source.state_dict())


def test_param_groups_hold_options_a_scheduler_or_user_can_change():
    a = tg.Tensor(np.ones(2, np.float32), requires_grad=True)
    b = tg.Tensor(np.ones(2, np.float32), requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    assert [group["lr"] for group in opt.param_groups] == [0.1, 0.5]
    opt.param_groups[0]["lr"] = 0.2
    a.grad = tg.Tensor(np.ones(2, np.float32))
    b.grad = tg.Tensor(np.ones(2, np.float32))
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [0.8, 0.8])
    np.testing.assert_allclose(b.detach().numpy(), [0.5, 0.5])
    assert "momentum_buffer" not in opt.state[a]


def test_a_parameter_in_two_groups_and_unknown_options_are_refused():
    a = tg.Tensor(np.ones(2, np.float32), requires_grad=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)
    with pytest.raises(TypeError, match="unknown option"):
        optim.SGD([{"params": [a], "betas": (0.9, 0.99)}], lr=0.1)


def test_optimizers_never_write_into_the_gradient_array():
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
        param = tg.Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
        grad = np.array([0.5, 0.25], np.float32)
        param.grad = tg.Tensor(grad)
        opt = getattr(optim, name)([param], lr=0.1, weight_decay=0.1)
        opt.step()
        opt.step()
        np.testing.assert_array_equal(param.grad.detach().numpy(), [0.5, 0.25], err_msg=name)


def test_step_runs_the_closure_with_grad_enabled_and_returns_its_loss():
    param = tg.Tensor(np.array([3.0], np.float32), requires_grad=True)
    opt = optim.SGD([param], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    with tg.no_grad():
        loss = opt.step(closure)
    assert float(loss.item()) == 9.0
    np.testing.assert_allclose(param.detach().numpy(), [1.5])


def test_zero_grad_set_to_none_false_gives_fresh_zero_arrays():
    param = tg.Tensor(np.ones(2, np.float32), requires_grad=True)
    shared = np.ones(2, np.float32)
    param.grad = tg.Tensor(shared)
    optim.SGD([param], lr=0.1).zero_grad(set_to_none=False)
    np.testing.assert_array_equal(param.grad.detach().numpy(), [0, 0])
    np.testing.assert_array_equal(shared, [1, 1])


def test_a_single_tensor_or_a_mixed_list_is_refused_as_params():
    a = tg.Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="pass \\[tensor\\]"):
        optim.Adam(a)
    with pytest.raises(TypeError, match="mixes"):
        optim.Adam([{"params": [a]}, a])


def _param():
    return tg.Tensor(np.zeros(2, np.float32), requires_grad=True)


BAD_OPTIONS = [
    (lambda: optim.SGD([_param()], lr=-1), ValueError, "learning rate"),
    (lambda: optim.SGD([_param()], lr=0.1, momentum=-0.5), ValueError, "momentum must be >= 0"),
    (lambda: optim.SGD([_param()], lr=0.1, nesterov=True), ValueError, "nesterov"),
    (lambda: optim.Adam([_param()], betas=(1.0, 0.9)), ValueError, "betas"),
    (lambda: optim.RMSprop([_param()], alpha=-1), ValueError, "alpha"),
    (lambda: optim.Adagrad([_param()], initial_accumulator_value=-1), ValueError, "initial_accumulator_value"),
    (lambda: optim.Adam([]), ValueError, "empty parameter list"),
    (lambda: optim.Adam([np.zeros(2)]), TypeError, "not a Tensor"),
    (lambda: optim.Adam([tg.Tensor(np.zeros(2))]), ValueError, "does not require grad"),
    (lambda: optim.Adam([{"lr": 0.1}]), TypeError, "'params' entry"),
    (lambda: lr_scheduler.StepLR(object(), 3), TypeError, "needs an Optimizer"),
    (lambda: lr_scheduler.StepLR(optim.SGD([_param()]), 0), ValueError, "step_size"),
    (lambda: lr_scheduler.StepLR(optim.SGD([_param()]), 2, last_epoch=4), KeyError, "initial_lr"),
    (lambda: lr_scheduler.CosineAnnealingLR(optim.SGD([_param()]), 0), ValueError, "T_max"),
    (lambda: lr_scheduler.LambdaLR(optim.SGD([_param()]), [abs, abs]), ValueError, "one per group"),
    (lambda: lr_scheduler.OneCycleLR(optim.SGD([_param()]), 1.0), ValueError, "total_steps"),
    (lambda: lr_scheduler.OneCycleLR(optim.SGD([_param()]), 1.0, epochs=0, steps_per_epoch=2), ValueError, "positive"),
    (lambda: lr_scheduler.OneCycleLR(optim.SGD([_param()]), 1.0, 5, pct_start=2), ValueError, "pct_start"),
    (lambda: lr_scheduler.OneCycleLR(optim.SGD([_param()]), 1.0, 5, anneal_strategy="exp"), ValueError, "anneal"),
    (lambda: lr_scheduler.OneCycleLR(optim.SGD([_param()]), [1.0, 2.0], 5), ValueError, "one per group"),
]


@pytest.mark.parametrize("make, error, message", BAD_OPTIONS, ids=[m for _, _, m in BAD_OPTIONS])
def test_bad_optimizer_and_scheduler_options_raise_errors_that_name_them(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_param_state_is_keyed_by_the_parameter_and_repr_lists_groups():
    param = _param()
    opt = optim.Adam([param], lr=0.5)
    param.grad = tg.Tensor(np.ones(2, np.float32))
    opt.step()
    assert param in opt.state and len(opt.state) == 1 and next(iter(opt.state)) is param
    assert opt.state[param]["step"] == 1
    del opt.state[param]
    assert len(opt.state) == 0
    assert "Parameter Group 0" in repr(opt) and "lr: 0.5" in repr(opt)


def test_onecycle_from_epochs_and_steps_per_epoch_matches_total_steps():
    a, b = optim.SGD([_param()], momentum=0.9), optim.SGD([_param()], momentum=0.9)
    by_epochs = lr_scheduler.OneCycleLR(a, 0.1, epochs=2, steps_per_epoch=5)
    by_total = lr_scheduler.OneCycleLR(b, 0.1, total_steps=10)
    for _ in range(9):
        by_epochs.step()
        by_total.step()
        assert by_epochs.get_last_lr() == by_total.get_last_lr()


def test_plain_sgd_step_is_p_minus_lr_grad_in_float32_and_leaves_the_gradient_alone():
    # the update reuses one buffer; the result must still be p + (-lr) * g, bitwise, and g unchanged
    rng = np.random.default_rng(5)
    start = rng.standard_normal((7, 3)).astype(np.float32)
    grad = rng.standard_normal((7, 3)).astype(np.float32)
    param = tg.Tensor(start.copy(), requires_grad=True)
    param.grad = tg.Tensor(grad.copy())
    tg.optim.SGD([param], lr=0.1).step()
    np.testing.assert_array_equal(param.detach().numpy(), start + np.float32(-0.1) * grad)
    np.testing.assert_array_equal(param.grad.numpy(), grad)
    assert param.dtype == np.float32
