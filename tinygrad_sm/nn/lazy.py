"""``LazyLinear``: a ``Linear`` whose ``in_features`` is read from the first input, as PyTorch's (d2l builds
its models this way: ``nn.Sequential(nn.Flatten(), nn.LazyLinear(10))``)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .layers import Linear
from .module import Module


class LazyLinear(Module):
    """``Linear(?, out_features)``: the first call makes it a ``Linear(x.shape[-1], out_features, bias)``,
    initialised then, with the same draws in the same order as PyTorch's (so the same seed gives the same
    weights), and the module becomes that ``Linear`` (as PyTorch's ``cls_to_become``). Until then it has no
    parameters (PyTorch holds uninitialised ones): run one batch through the model before making its
    optimiser, as d2l does."""

    def __init__(self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        self.in_features = 0
        self.out_features = out_features
        self._lazy = (bool(bias), device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        bias, device, dtype = self._lazy
        layer = Linear(x.shape[-1], self.out_features, bias=bias, device=device, dtype=dtype)
        hooks = {k: v for k, v in vars(self).items() if k.startswith("_forward")}  # registered hooks stay
        self.__dict__.clear()
        self.__dict__.update(vars(layer))
        self.__dict__.update(hooks)
        self.__class__ = Linear  # type: ignore[assignment]
        return self.forward(x)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"LazyLinear(in_features=0, out_features={self.out_features}, bias={self._lazy[0]})"
