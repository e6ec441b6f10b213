"""Differential fuzz of ``tinygrad_sm.compile``: random training programs run eagerly and compiled from
the same seeds, compared bitwise call by call (returned values, exceptions, parameters, ``.grad``,
buffers, optimizer state and hyperparameters).

Each program draws a network (linear layers, activations, dropout, batch norm), a loss, an optimizer
(SGD with or without momentum, Adam, or a hand-written update under ``no_grad``), maybe a scheduler
stepped inside the step, and a sequence of calls; between calls it may toggle ``requires_grad``,
replace a parameter, switch ``train()``/``eval()``, change the batch size, the input dtype, a global
number, the learning rate, or pass labels out of range. CI runs a small budget; set
``TINYGRAD_SM_FUZZ_PROGRAMS`` (and optionally ``TINYGRAD_SM_FUZZ_START``) to run more, or run
``python scripts/fuzz_compile.py 5000``.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import functional as F
from tinygrad_sm import nn, optim

PROGRAMS = int(os.environ.get("TINYGRAD_SM_FUZZ_PROGRAMS", "40"))
START = int(os.environ.get("TINYGRAD_SM_FUZZ_START", "0"))
CALLS = 8

SETTINGS = {"scale": 1.0}  # a global number the steps read (changed between some calls)


class Program:
    """One random program: its plan is drawn from ``seed``; ``build()`` makes a fresh twin of it."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.seed = seed
        self.features = int(rng.integers(2, 6))
        self.classes = int(rng.integers(2, 5))
        depth = int(rng.integers(1, 3))
        self.widths = [self.features] + [int(rng.integers(2, 7)) for _ in range(depth)] + [self.classes]
        self.activation = str(rng.choice(["relu", "tanh", "sigmoid", "leaky_relu", "none"]))
        self.dropout = float(rng.choice([0.0, 0.0, 0.3, 0.5]))
        self.batch_norm = bool(rng.random() < 0.3)
        self.loss = str(rng.choice(["ce", "ce", "fused", "nll", "mse", "smoothing"]))
        self.optimizer = str(rng.choice(["sgd", "momentum", "adam", "manual"]))
        self.scheduler = str(rng.choice(["none", "none", "step", "exponential"]))
        self.returns = str(rng.choice(["loss", "tuple", "dict"]))
        self.reads_scale = bool(rng.random() < 0.3)
        self.branch = bool(rng.random() < 0.2)  # if loss > threshold: a guard on a tensor value
        self.numpy_branch = bool(rng.random() < 0.1)  # if x.mean() > 0: NumPy on the argument (refused)
        self.scales_input = bool(rng.random() < 0.1)  # x *= 0.5: NumPy in place on the argument (refused)
        self.logs = bool(rng.random() < 0.1)  # log.append(loss.item()) (refused)
        events = ["none"] * 6 + ["toggle", "replace", "eval", "train", "batch", "dtype", "scale", "lr", "bad"]
        self.events = [str(rng.choice(events)) for _ in range(CALLS)]
        self.data_seed = int(rng.integers(1 << 30))

    def build(self) -> tuple[Any, nn.Module, Any]:
        generator = np.random.default_rng(self.seed)
        layers: list[nn.Module] = []
        for index, (a, b) in enumerate(zip(self.widths, self.widths[1:])):
            layers.append(nn.Linear(a, b, generator=generator))
            if index < len(self.widths) - 2:
                if self.batch_norm:
                    layers.append(nn.BatchNorm1d(b))
                if self.activation != "none":
                    layers.append(
                        {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU}[
                            self.activation
                        ]()
                    )
                if self.dropout:
                    layers.append(nn.Dropout(self.dropout))
        model = nn.Sequential(*layers)
        params = model.parameters()
        opt: Any
        if self.optimizer == "sgd":
            opt = optim.SGD(params, lr=0.1)
        elif self.optimizer == "momentum":
            opt = optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=0.01)
        elif self.optimizer == "adam":
            opt = optim.Adam(params, lr=0.01)
        else:
            opt = optim.SGD(params, lr=0.1)  # its lr is read by the hand-written update
        scheduler = None
        if self.scheduler == "step":
            scheduler = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        elif self.scheduler == "exponential":
            scheduler = optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        plan = self
        log: list = []

        def train_step(x, y):
            if plan.scales_input:
                x *= 0.5
            logits = model(tg.Tensor(x))
            if plan.numpy_branch and x.mean() > 0:
                logits = logits * 1.5
            if plan.reads_scale:
                logits = logits * SETTINGS["scale"]
            if plan.loss == "ce":
                loss = F.cross_entropy(logits, y)
            elif plan.loss == "fused":
                loss = F.softmax_cross_entropy_fused(logits, y)
            elif plan.loss == "nll":
                loss = F.nll_loss(F.log_softmax(logits, axis=1), y)
            elif plan.loss == "smoothing":
                loss = F.cross_entropy(logits, y, label_smoothing=0.1)
            else:
                loss = F.mse_loss(logits.tanh(), tg.Tensor(np.eye(plan.classes, dtype=logits.dtype)[y % plan.classes]))
            if plan.branch and loss > 1.0:
                loss = loss * 0.5
            if plan.logs:
                log.append(loss.item())
            if plan.optimizer == "manual":
                for p in model.parameters():
                    p.grad = None
                loss.backward()
                with tg.no_grad():
                    for p in model.parameters():
                        if p.requires_grad and p.grad is not None:
                            p -= p.grad * opt.param_groups[0]["lr"]
            else:
                opt.zero_grad()
                loss.backward()
                opt.step()
            if scheduler is not None:
                scheduler.step()
            if plan.returns == "tuple":
                return loss, logits.detach(), len(log)
            if plan.returns == "dict":
                return {"loss": loss}
            return loss

        return train_step, model, opt


def _values(value: Any) -> Any:
    if isinstance(value, tg.Tensor):
        return ("T", value.dtype.str, value.shape, value.detach().numpy().tobytes())
    if isinstance(value, (tuple, list)):
        return tuple(_values(v) for v in value)
    if isinstance(value, dict):
        return {k: _values(v) for k, v in value.items()}
    return value


def _state(model: nn.Module, opt: Any) -> Any:
    params = [
        (name, p.requires_grad, p.detach().numpy().tobytes(), None if p.grad is None else p.grad.numpy().tobytes())
        for name, p in model.named_parameters()
    ]
    buffers = [(name, b.numpy().tobytes()) for name, b in model.named_buffers()]
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    state = []
    for group in opt.param_groups:
        for p in group["params"]:
            entry = opt.state.get(p) or {}
            state.append({k: (np.asarray(v).tobytes() if isinstance(v, np.ndarray) else v) for k, v in entry.items()})
    flags = [m.training for m in model.modules()]
    return params, buffers, groups, state, flags


def run(seed: int) -> list[str]:
    """Run program ``seed`` eagerly and compiled; the differences found (empty when none)."""
    plan = Program(seed)
    compiled_fn, model_c, opt_c = plan.build()
    eager_fn, model_e, opt_e = plan.build()
    compiled = tg.compile(compiled_fn)
    rng = np.random.default_rng(plan.data_seed)
    n, dtype = 4, np.float32
    differences = []
    SETTINGS["scale"] = 1.0
    try:
        for call, event in enumerate(plan.events):
            if event == "batch":
                n = int(rng.integers(2, 7))
            elif event == "dtype":
                dtype = np.float64 if dtype == np.float32 else np.float32
            elif event == "scale":
                SETTINGS["scale"] = float(rng.choice([0.5, 2.0]))
            for model, opt in ((model_c, opt_c), (model_e, opt_e)):
                linear = next(m for m in model.modules() if isinstance(m, nn.Linear))
                if event == "toggle":
                    linear.weight.requires_grad = not linear.weight.requires_grad
                elif event == "eval":
                    model.eval()
                elif event == "train":
                    model.train()
                elif event == "lr":
                    opt.param_groups[0]["lr"] = opt.param_groups[0]["lr"] * 0.5
            if event == "replace":
                values = np.random.default_rng(call).standard_normal(linear.weight.shape).astype(np.float32)
                for model, opt in ((model_c, opt_c), (model_e, opt_e)):
                    linear = next(m for m in model.modules() if isinstance(m, nn.Linear))
                    old = linear.weight
                    linear.weight = tg.Tensor(values, requires_grad=True)
                    group = opt.param_groups[0]["params"]
                    group[[id(p) for p in group].index(id(old))] = linear.weight
            x = rng.standard_normal((n, plan.features)).astype(dtype)
            y = rng.integers(0, plan.classes, n)
            if event == "bad":
                y[int(rng.integers(0, n))] = plan.classes + 1
            outcomes = []
            for fn in (compiled, eager_fn):
                tg.manual_seed(call)
                try:
                    outcomes.append(("value", _values(fn(x.copy(), y.copy()))))
                except Exception as error:
                    outcomes.append(("error", f"{type(error).__name__}: {error}"))
            if outcomes[0] != outcomes[1]:
                differences.append(
                    f"program {seed} call {call} ({event}): {outcomes[0]!r:.200} != {outcomes[1]!r:.200}"
                )
            if _state(model_c, opt_c) != _state(model_e, opt_e):
                differences.append(f"program {seed} call {call} ({event}): state differs")
            if differences:
                break
    finally:
        SETTINGS["scale"] = 1.0
    return differences


@pytest.mark.parametrize("seed", range(START, START + PROGRAMS))
def test_compiled_equals_eager_on_random_programs(seed):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        assert run(seed) == []
