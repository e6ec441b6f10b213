"""RMSprop (Hinton) and Adagrad (Duchi et al.), as ``torch.optim.RMSprop`` / ``Adagrad``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsArg


class RMSprop(Optimizer):
    """As ``torch.optim.RMSprop``:

        g = grad + weight_decay * p
        s = alpha s + (1 - alpha) g^2
        avg = sqrt(s - a^2) + eps   with a = a + (1 - alpha)(g - a)   (centered)   |   sqrt(s) + eps
        b = momentum b + g / avg;  p = p - lr b                        (momentum > 0)
        p = p - lr g / avg                                             (otherwise)

    State per parameter: ``'step'``, ``'square_avg'``, ``'momentum_buffer'``, ``'grad_avg'``.
    """

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ):
        if not alpha >= 0:
            raise ValueError(f"RMSprop: alpha must be >= 0, got {alpha!r}")
        super().__init__(
            params,
            dict(
                lr=lr,
                alpha=alpha,
                eps=eps,
                weight_decay=weight_decay,
                momentum=momentum,
                centered=centered,
                maximize=maximize,
            ),
        )

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        alpha, lr, momentum = group["alpha"], group["lr"], group["momentum"]
        if not state:
            state.update(step=0, square_avg=np.zeros_like(param))
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * (grad * grad)
        if group["centered"]:
            grad_avg = state.setdefault("grad_avg", np.zeros_like(param))
            grad_avg += (1 - alpha) * (grad - grad_avg)
            average = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            average = np.sqrt(square_avg)
        average = average + group["eps"]
        if momentum > 0:
            buffer = state.setdefault("momentum_buffer", np.zeros_like(param))
            buffer *= momentum
            buffer += grad / average
            return param + (-lr) * buffer
        return param + (-lr) * grad / average


class Adagrad(Optimizer):
    """As ``torch.optim.Adagrad``:

        g = grad + weight_decay * p
        clr = lr / (1 + (t - 1) lr_decay)
        s = s + g^2                    (s starts at initial_accumulator_value)
        p = p - clr g / (sqrt(s) + eps)

    State per parameter: ``'step'``, ``'sum'``.
    """

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ):
        if not initial_accumulator_value >= 0:
            raise ValueError(f"Adagrad: initial_accumulator_value must be >= 0, got {initial_accumulator_value!r}")
        super().__init__(
            params,
            dict(
                lr=lr,
                lr_decay=lr_decay,
                weight_decay=weight_decay,
                eps=eps,
                initial_accumulator_value=initial_accumulator_value,
                maximize=maximize,
            ),
        )
        for group in self.param_groups:  # PyTorch fills the accumulator at construction
            for param in group["params"]:
                self.state[param] = {"step": 0, "sum": np.full_like(param._data, group["initial_accumulator_value"])}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if "sum" not in state:
            state.update(step=0, sum=np.full_like(param, group["initial_accumulator_value"]))
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        return param + (-clr) * grad / (np.sqrt(state["sum"]) + group["eps"])
