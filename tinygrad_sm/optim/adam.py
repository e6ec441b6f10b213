"""Adam and AdamW (Kingma & Ba; Loshchilov & Hutter), as ``torch.optim.Adam`` / ``AdamW``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsArg


class Adam(Optimizer):
    """As ``torch.optim.Adam``, weight decay added to the gradient (L2 regularisation):

        g = grad + weight_decay * p
        m = m + (1 - beta1) (g - m)                 (= beta1 m + (1 - beta1) g)
        v = beta2 v + (1 - beta2) g^2               (amsgrad: v_max = max(v_max, v), used below)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    State per parameter: ``'step'``, ``'exp_avg'`` (m), ``'exp_avg_sq'`` (v), ``'max_exp_avg_sq'``.
    """

    decoupled_weight_decay = False

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        super().__init__(
            params,
            dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize),
        )

    def _check_options(self, group: dict[str, Any]) -> None:
        super()._check_options(group)
        beta1, beta2 = group["betas"]
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"betas must each be in [0, 1), got {group['betas']}")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        lr, (beta1, beta2), eps, decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if decay and self.decoupled_weight_decay:
            param = param * (1 - lr * decay)  # AdamW: shrink the weights, apart from the gradient
        elif decay:
            grad = grad + decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        if group["amsgrad"]:
            if "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = np.zeros_like(param)
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            second = state["max_exp_avg_sq"]
        else:
            second = exp_avg_sq
        step_size = lr / (1 - beta1**step)
        denominator = np.sqrt(second) / math.sqrt(1 - beta2**step) + eps
        return param + (-step_size) * exp_avg / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` (``weight_decay`` default 0.01):

    p = p (1 - lr weight_decay), then the Adam step with the raw gradient.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params: ParamsArg,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
